"""Stage 6: independent sources behind a cluster.

Near-duplicate articles (``duplicate_of``, followed transitively) count once, and
mentions crediting the same originating source ("an Associated Press reporter"
in three outlets) count once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .attribution import normalise_outlet
from .types import ArticleId, ArticleText, Mention, MentionKey

_ORIGIN_KINDS = ("outlet", "reporter")


def article_roots(articles: Iterable[ArticleText]) -> dict[ArticleId, ArticleId]:
    """article id -> id of the original it (transitively) duplicates; cycles are broken safely."""
    by_id = {a.id: a for a in articles}
    roots: dict[ArticleId, ArticleId] = {}
    for aid in by_id:
        seen = [aid]
        cur = aid
        cycle_from = -1
        while True:
            nxt = by_id[cur].duplicate_of if cur in by_id else None
            if nxt is None:
                break
            if nxt in seen:
                cycle_from = seen.index(nxt)
                break
            seen.append(nxt)
            cur = nxt
        # a cycle of duplicates has no original: pick its smallest member, deterministically
        if cycle_from >= 0:
            roots[aid] = min(seen[cycle_from:], key=lambda x: (isinstance(x, str), str(x)))
        else:
            roots[aid] = seen[-1]
    return roots


def mention_origin(m: Mention, articles: Mapping[ArticleId, ArticleText], roots: Mapping[ArticleId, ArticleId]) -> str:
    """Label of the originating source of one mention."""
    named = sorted({a.normalized for a in m.slots.attributions if a.normalized and a.kind in _ORIGIN_KINDS})
    if named:
        return named[0]
    root = roots.get(m.article_id, m.article_id)
    art = articles.get(root) or articles.get(m.article_id)
    outlet = normalise_outlet(art.outlet if art else m.outlet)
    if outlet:
        return outlet
    return art.display_name if art else f"article {root}"


def independent_sources(
    keys: Iterable[MentionKey],
    mentions: Mapping[MentionKey, Mention],
    articles: Mapping[ArticleId, ArticleText],
    roots: Mapping[ArticleId, ArticleId] | None = None,
) -> tuple[int, tuple[str, ...]]:
    """(number of independent sources, their sorted labels) for one cluster."""
    roots = roots if roots is not None else article_roots(articles.values())
    labels: set[str] = set()
    for k in keys:
        m = mentions.get(k)
        if m is not None:
            labels.add(mention_origin(m, articles, roots))
        else:  # a fixed mention we were not given again: count its article
            art = articles.get(k[0])
            root = roots.get(k[0], k[0])
            outlet = normalise_outlet(art.outlet) if art else None
            root_art = articles.get(root)
            labels.add(outlet or (root_art.display_name if root_art else f"article {root}"))
    return len(labels), tuple(sorted(labels))
