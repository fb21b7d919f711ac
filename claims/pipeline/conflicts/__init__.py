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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..align import Alignment, key_order
from ..attribution import normalise_outlet
from ..sources import article_roots
from ..types import ArticleId, ArticleText, Conflict
from .certainty import certainty_conflicts
from .context import Ctx
from .negation import negation_conflicts
from .numbers import counted_blocks, number_conflicts, number_groups, rare_blocks
from .others import attribution_conflicts, date_conflicts
from .quotes import quote_conflicts

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


@dataclass
class ConflictMemo:
    """What a story's last run found, for a run that adds to it (``incremental.py``).

    Number conflicts are local to a pair of claims (their sides are the two claims' members),
    so a run recomputes only the pairs with a claim that changed, or with a member whose
    counted thing stopped or started being rare, and keeps the others. The other detectors
    group evidence across many claims (negation, certainty, quotations) and run over the whole
    story each time.
    """

    numbers: dict[tuple[int, int], list[tuple[str, Conflict]]] = field(default_factory=dict)
    rare: frozenset[str] = frozenset()
    roots: dict[ArticleId, ArticleId] | None = None


def find_conflicts(
    al: Alignment,
    cluster_ids: Sequence[str],
    articles: Mapping[ArticleId, ArticleText] | None = None,
    memo: ConflictMemo | None = None,
    changed: Iterable[int] | None = None,
) -> list[Conflict]:
    """All conflicts, de-duplicated by their sides and deterministically ordered.

    ``memo``: kept from the last run of the story and updated; ``changed``: the claims (cluster
    indices) that gained mentions since, with every earlier claim's index the same. Without
    ``changed`` everything is found again.
    """
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
        _numbers(ctx, memo, changed)
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


def _numbers(ctx: Ctx, memo: ConflictMemo | None, changed: Iterable[int] | None) -> list[Conflict]:
    if memo is None:
        return number_conflicts(ctx)
    blocks = counted_blocks(ctx)
    rare = rare_blocks(ctx, blocks)
    if changed is None or memo.roots is None or any(ctx.root((a, 0, 0)) != r for a, r in memo.roots.items()):
        found = number_groups(ctx, rare=rare)
    else:
        cluster_of = ctx.al.cluster_of
        affected = set(changed) | {
            cluster_of[m.key] for block in memo.rare.symmetric_difference(rare) for m in blocks.get(block, ())
        }
        fresh = number_groups(ctx, only=affected, rare=rare)
        kept = [
            (order, _renamed(ctx, c))
            for (ci, cj), items in memo.numbers.items()
            if ci not in affected and cj not in affected
            for order, c in items
        ]
        found = sorted(kept + fresh, key=lambda t: t[0])
    memo.numbers = {}
    for order, c in found:
        ci, cj = ctx.al.cluster_of[c.side_a[0]], ctx.al.cluster_of[c.side_b[0]]
        memo.numbers.setdefault((min(ci, cj), max(ci, cj)), []).append((order, c))
    memo.rare = frozenset(rare)
    memo.roots = {m.article_id: ctx.root(m.key) for m in ctx.mentions}  # an earlier article made a copy: all again
    return [c for _, c in found]


def _renamed(ctx: Ctx, c: Conflict) -> Conflict:
    """A kept conflict under this run's claim ids (a claim made by the last run is now fixed)."""
    return replace(c, cluster_a=ctx.one_cluster(c.side_a), cluster_b=ctx.one_cluster(c.side_b))


__all__ = ["ConflictMemo", "find_conflicts"]
