"""FactDesk NLP core: articles -> claims (with evidence) and conflicts.  Pure Python, no Django.

extraction = extract_article(ArticleText(...))
analysis = analyse_story([extraction, ...], articles, fixed={claim_id: [(article_id, start, end), ...]})
"""

from .align import Alignment, align
from .extract import extract_article
from .similarity import SimilarityBackend, TfidfBackend
from .story import analyse_story
from .types import (
    ArticleExtraction,
    ArticleText,
    Attribution,
    Certainty,
    Cluster,
    Conflict,
    DateMention,
    Embed,
    Mention,
    MentionKey,
    MergeSuggestion,
    Quantity,
    Quote,
    Sentence,
    Skipped,
    Slots,
    StoryAnalysis,
    to_jsonable,
)

__all__ = [
    "Alignment",
    "ArticleExtraction",
    "ArticleText",
    "Attribution",
    "Certainty",
    "Cluster",
    "Conflict",
    "DateMention",
    "Embed",
    "Mention",
    "MentionKey",
    "MergeSuggestion",
    "Quantity",
    "Quote",
    "Sentence",
    "SimilarityBackend",
    "Skipped",
    "Slots",
    "StoryAnalysis",
    "TfidfBackend",
    "align",
    "analyse_story",
    "extract_article",
    "to_jsonable",
]
