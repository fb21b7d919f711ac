"""Stage 5: typed, explained disagreements between outlets, each with a confidence.

Every detector compares only what states the same fact: numbers by their fact frames
(``frames.py``), quotations by speaker and utterance, certainty and negation by the
proposition and its clause, dates by the event they date, attribution within one claim.
Candidates are never all pairs: mentions of one claim, and the mention-level neighbours that
alignment already found. Evidence is grouped so that one disagreement yields one conflict,
whose two sides list every mention that takes that side and never share an article (or a copy
of one). Each conflict carries a confidence in [0, 1] and the named factors that add up to it.

Modules: ``context`` (what detectors share), ``numbers``, ``quotes``, ``certainty``,
``negation``, ``others`` (attribution, dates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..align import Alignment, key_order
from ..attribution import normalise_outlet
from ..sources import article_roots
from ..types import ArticleId, ArticleText, Conflict
from .certainty import certainty_conflicts
from .context import Ctx
from .negation import negation_conflicts
from .numbers import number_conflicts
from .others import attribution_conflicts, date_conflicts
from .quotes import quote_conflicts

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


def find_conflicts(
    al: Alignment,
    cluster_ids: Sequence[str],
    articles: Mapping[ArticleId, ArticleText] | None = None,
) -> list[Conflict]:
    """All conflicts, de-duplicated by their sides and deterministically ordered."""
    articles = articles or {}
    outlets: dict[ArticleId, str] = {}
    for m in al.mentions:
        art = articles.get(m.article_id)
        raw = art.outlet if art else m.outlet
        fallback = art.display_name if art else f"article {m.article_id}"
        outlets[m.article_id] = normalise_outlet(raw) or (raw.strip() if raw else fallback)
    ctx = Ctx(
        al=al,
        mentions=al.mentions,
        by_key={m.key: m for m in al.mentions},
        index={m.key: i for i, m in enumerate(al.mentions)},
        cluster_ids=cluster_ids,
        roots=article_roots(articles.values()),
        outlets=outlets,
        idf=al.idf,
        lengths={a.id: len(a.body) for a in articles.values()},
        published={a.id: a.published_on for a in articles.values()},
    )
    found = (
        number_conflicts(ctx)
        + quote_conflicts(ctx)
        + negation_conflicts(ctx)
        + certainty_conflicts(ctx)
        + attribution_conflicts(ctx)
        + date_conflicts(ctx)
    )
    unique: dict = {}
    for c in found:
        if not ctx.cross(c.side_a, c.side_b):
            continue  # every detector separates its sides; this keeps the rule whatever they do
        prev = unique.get(c.key)
        if prev is None or (c.confidence, _SEVERITY_RANK[c.severity]) > (
            prev.confidence,
            _SEVERITY_RANK[prev.severity],
        ):
            unique[c.key] = c
    return sorted(
        unique.values(),
        key=lambda c: (c.kind, [key_order(k) for k in c.side_a], [key_order(k) for k in c.side_b], c.explanation),
    )


__all__ = ["find_conflicts"]
