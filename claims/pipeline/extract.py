"""Per-article extraction: sentences -> slots -> check-worthiness, never raising."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .candidates import score_sentence
from .quotes import SpeakerContext
from .sentences import MAX_BODY_CHARS, split_sentences
from .slots import extract_slots
from .text import letters_ratio
from .types import ArticleExtraction, ArticleText, Mention, Sentence, Skipped, Slots

if TYPE_CHECKING:  # scikit-learn is loaded only where a model is used
    from .worthiness_model import WorthinessModel

_EN_FUNCTION = frozenset(
    "the of and to in a is was that for on with as by at from it he she they have has had "
    "were are be been said not this his her their an or but".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def article_problem(body: str) -> str | None:
    """Why a whole body cannot be processed as English prose, or None."""
    if not body or not body.strip():
        return "empty body"
    sample = body[:20_000]
    letters, latin = letters_ratio(sample)
    if letters < 20:
        return "no prose (numbers, symbols or quotation marks only)"
    if latin < 0.6 * letters:
        return "non-Latin script (not English)"
    words = [w.lower() for w in _WORD.findall(sample)[:3000]]
    if len(words) >= 20 and sum(w in _EN_FUNCTION for w in words) < 0.06 * len(words):
        return "not English (too few English function words)"
    return None


def _sentence_problem(text: str) -> str | None:
    letters, latin = letters_ratio(text)
    if letters and latin < 0.5 * letters:
        return "non-Latin script"
    return None


def extract_article(article: ArticleText, model: WorthinessModel | None = None) -> ArticleExtraction:
    """Sentences, candidate mentions with slots, and what was skipped (and why). With a learned
    check-worthiness `model` (worthiness_model.py), it decides which sentences are candidates."""
    try:
        return _extract(article, model)
    except Exception as exc:  # a bad article must never take the batch down
        return ArticleExtraction(
            article.id,
            article.outlet,
            article.published_on,
            (),
            (),
            (),
            (Skipped(article.id, 0, len(article.body or ""), f"internal error: {exc!r}"),),
        )


def _extract(article: ArticleText, model: WorthinessModel | None = None) -> ArticleExtraction:
    body = article.body or ""
    problem = article_problem(body)
    if problem:
        return ArticleExtraction(
            article.id,
            article.outlet,
            article.published_on,
            (),
            (),
            (),
            (Skipped(article.id, 0, len(body), problem, body[:200]),),
        )
    skipped: list[Skipped] = []
    if len(body) > MAX_BODY_CHARS:
        skipped.append(
            Skipped(article.id, MAX_BODY_CHARS, len(body), f"body truncated at {MAX_BODY_CHARS} characters", "")
        )
    sentences = split_sentences(body)
    if not sentences:
        skipped.append(Skipped(article.id, 0, len(body), "no sentences found", body[:200]))
    ctx = SpeakerContext()
    mentions: list[Mention] = []
    rejected: list[Mention] = []
    scored = [_mention(article, s, ctx) for s in sentences]
    if model is not None and scored:
        from .worthiness_model import rescore

        verdicts = rescore(model, [(m.text, dict(m.features), m.reason) for m in scored])
        scored = [
            replace(m, is_candidate=ok, checkworthiness=score, features=features, reason=reason)
            for m, (ok, score, features, reason) in zip(scored, verdicts, strict=True)
        ]
    for m in scored:
        (mentions if m.is_candidate else rejected).append(m)
    return ArticleExtraction(
        article.id,
        article.outlet,
        article.published_on,
        tuple(sentences),
        tuple(mentions),
        tuple(rejected),
        tuple(skipped),
    )


def _mention(article: ArticleText, s: Sentence, ctx: SpeakerContext) -> Mention:
    problem = _sentence_problem(s.text)
    if problem:
        return Mention(
            article.id,
            s.start,
            s.end,
            s.text,
            False,
            0.0,
            {"non_latin": -1.0},
            problem,
            Slots(),
            article.outlet,
            article.published_on,
        )
    slots = extract_slots(s.text, s.start, article.published_on, ctx, article.embeds)
    ok, score, features, reason = score_sentence(s.text, slots)
    return Mention(
        article.id, s.start, s.end, s.text, ok, score, features, reason, slots, article.outlet, article.published_on
    )
