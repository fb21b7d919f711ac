"""Story level: align mentions into claims, count independent sources, find conflicts."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import cast

from .align import Alignment, StoryStats, align, key_order
from .conflicts import ConflictMemo, find_conflicts
from .similarity import SimilarityBackend
from .sources import article_roots, independent_sources
from .types import (
    ArticleExtraction,
    ArticleId,
    ArticleText,
    ClaimId,
    Cluster,
    Mention,
    MentionKey,
    MergeSuggestion,
    StoryAnalysis,
    evolve,
)

_PRONOUN_START = re.compile(
    r"^\s*[“\"]?(?:he|she|they|it|this|that|these|those|then|his|her|their|its)\b", re.IGNORECASE
)


def canonical_score(m: Mention) -> float:
    """How good a mention is as the claim's display text: complete, self-contained, moderate length."""
    t = m.text.strip()
    words = len(t.split())
    score = 0.3 * m.checkworthiness
    if t[-1:] in '.!?”"':
        score += 0.2
    if t[:1].isupper() or t[:1] in '“"':
        score += 0.1
    if not _PRONOUN_START.match(t):
        score += 0.2
    if 10 <= words <= 35:
        score += 0.2
    else:
        score -= 0.01 * min(abs(words - 22), 40)
    if any(q.how == "embed" for q in m.slots.quotes):
        score -= 0.1  # "X (@x) posted on ...: “...”" is evidence, not a readable claim sentence
    return score


def _cluster_id(keys: Sequence[MentionKey], extends: ClaimId | None) -> str:
    if extends is not None:
        return f"claim:{extends}"
    a, s, e = keys[0]
    return f"new:{a}:{s}:{e}"


def analyse_story(
    extractions: Iterable[ArticleExtraction],
    articles: Iterable[ArticleText] | Mapping[ArticleId, ArticleText] = (),
    fixed: Mapping[ClaimId, Sequence[MentionKey]] | None = None,
    backend: SimilarityBackend | None = None,
    observe: Callable[[str], None] | None = None,
    stats: StoryStats | None = None,
) -> StoryAnalysis:
    """Clusters (claims) with canonical mention and independent sources, merge suggestions, conflicts.

    ``observe``, when given, is called with the name of each part as it starts ("align",
    "sources", "conflicts") and with "done" at the end: the benchmark times and measures them.
    ``stats``: the statistics to weigh words by (``StoryStats``), taken from the mentions when not given.
    """
    with _without_cyclic_gc():
        return _analyse_story(extractions, articles, fixed, backend, observe or (lambda _stage: None), stats)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while the story is analysed.

    The stage makes millions of small objects that live until it ends, so the collector runs
    again and again, and each full collection walks every one of them and every mention of the
    story: 3.2 of 16 s of CPU on 5,000 Multi-News documents, to free about 900 objects (the
    stage makes almost no reference cycles; reference counting frees the rest at once). The
    collector runs again as soon as the stage returns or raises.
    https://docs.python.org/3/library/gc.html#gc.disable
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _analyse_story(
    extractions: Iterable[ArticleExtraction],
    articles: Iterable[ArticleText] | Mapping[ArticleId, ArticleText],
    fixed: Mapping[ClaimId, Sequence[MentionKey]] | None,
    backend: SimilarityBackend | None,
    observe: Callable[[str], None],
    stats: StoryStats | None = None,
) -> StoryAnalysis:
    arts = dict(articles) if isinstance(articles, Mapping) else {a.id: a for a in articles}
    mentions = [m for ex in extractions for m in ex.mentions]
    observe("align")
    al = align(mentions, fixed=fixed, backend=backend, stats=stats)
    return story_result(al, arts, observe)


ClusterCache = dict[tuple[MentionKey, ...], tuple[MentionKey, str, int, tuple[str, ...]]]


def story_result(
    al: Alignment,
    arts: Mapping[ArticleId, ArticleText],
    observe: Callable[[str], None],
    cache: ClusterCache | None = None,
    memo: ConflictMemo | None = None,
    new: Collection[MentionKey] | None = None,
    roots: dict[ArticleId, ArticleId] | None = None,
    position: dict[MentionKey, int] | None = None,
    made: list[Cluster] | None = None,
    changed: Collection[int] | None = None,
) -> StoryAnalysis:
    """The story's analysis from its alignment: each cluster's display text and independent
    sources, merge suggestions, conflicts.

    ``cache`` keeps each cluster's display text and sources by its mentions, for a later run
    whose articles' originals are the same, and ``memo`` what conflicts a run found, with
    ``new`` the mentions added since (``incremental.py``); ``roots``
    (``sources.article_roots``) and ``position`` (each mention's place), when known. ``made``:
    the clusters the last run made, by place, which a cluster with the same id and as many
    mentions is (a story's clusters only gain mentions, at their end, and ``made`` is emptied
    when their sources are counted again); replaced by this run's. ``changed``: the places of
    the clusters that may differ from those in ``made`` (mentions added, another id or claim to
    extend), when known: the others are taken as they are, unlooked at.
    """
    observe("sources")
    by_key = {m.key: m for m in al.mentions}
    roots = article_roots(arts.values()) if roots is None else roots
    n = min(len(al.clusters), len(al.extends))
    clusters: list[Cluster | None]
    if made and changed is not None and len(made) <= n:
        # (a story's clusters only gain mentions, and new clusters come last)
        places: Iterable[int] = sorted({*changed, *range(len(made), n)})
        ids = [c.id for c in made] + [""] * (n - len(made))
        for at in places:
            ids[at] = _cluster_id(al.clusters[at], al.extends[at])
        clusters = [*made, *[None] * (n - len(made))]
    else:
        places = range(n)
        ids = [_cluster_id(keys, ext) for keys, ext in zip(al.clusters, al.extends, strict=False)]
        clusters = [None] * n
    for at in places:
        keys, ext, cid = al.clusters[at], al.extends[at], ids[at]
        if made is not None and at < len(made):
            last = made[at]
            if len(last.mentions) == len(keys):
                # the same cluster, perhaps under the id the last run gave it
                same = last.id == cid and last.extends == ext
                clusters[at] = last if same else evolve(last, id=cid, extends=ext)
                continue
        found = cache.get(tuple(keys)) if cache is not None else None
        if found is None:
            present = [by_key[k] for k in keys if k in by_key]
            if present:
                best = max(present, key=lambda m: (canonical_score(m), [-x for x in _neg_order(m.key)]))
                canonical, text = best.key, best.text
            else:
                canonical, text = keys[0], ""
            count, labels = independent_sources(keys, by_key, arts, roots)
            found = (canonical, text, count, tuple(labels))
            if cache is not None:
                cache[tuple(keys)] = found
        canonical, text, count, labels = found
        clusters[at] = Cluster(
            id=cid,
            mentions=tuple(keys),
            canonical=canonical,
            text=text,
            extends=ext,
            independent_sources=count,
            sources=tuple(labels),
        )
    made_now = cast(list[Cluster], clusters)  # (every place is filled)
    suggestions = [
        MergeSuggestion(
            ids[a],
            ids[b],
            s,
            "similar wording" if (al.extends[a] is None or al.extends[b] is None) else "two existing claims look alike",
        )
        for a, b, s in al.suggestions
    ]
    if made is not None:
        made[:] = made_now
    observe("conflicts")
    conflicts = find_conflicts(al, ids, arts, memo, new, roots=roots, by_key=by_key, index=position)
    # Two claims on opposite sides of a disagreement are not one claim: no merge suggestion.
    opposed: set[frozenset[str]] = set()
    for c in conflicts:
        if c.cluster_a is not None and c.cluster_b is not None:  # each side within one claim
            opposed.add(frozenset((c.cluster_a, c.cluster_b)))
            continue
        for ka in c.side_a:
            for kb in c.side_b:
                opposed.add(frozenset((ids[al.cluster_of[ka]], ids[al.cluster_of[kb]])))
    suggestions = [s for s in suggestions if frozenset((s.cluster_a, s.cluster_b)) not in opposed]
    observe("done")
    return StoryAnalysis(tuple(made_now), tuple(suggestions), tuple(conflicts))


def _neg_order(k: MentionKey) -> tuple:
    """Tie-break helper: prefer the earliest key (smallest order) deterministically."""
    o = key_order(k)
    return (o[0][0], o[0][1] if isinstance(o[0][1], int) else 0, o[1], o[2])
