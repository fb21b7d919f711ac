"""Stage 4: align mentions from different articles that state the same fact.

Blocking: each mention's k nearest neighbours by cosine (chunked sparse product,
no Python all-pairs loop).  Scoring of those candidate pairs: cosine blended with
an IDF-weighted word-overlap coefficient (a shorter sentence wholly contained in a
longer one is the same fact) plus small bonuses for shared slots (same quantity,
same quote speaker).  Clustering: greedy single link over pairs by descending
score under constraints (no two mentions of one article unless identical; fixed
clusters never merge each other; average-link guard when two groups meet).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp

from .polarity import polarity
from .quantities import head_group
from .similarity import (
    SimilarityBackend,
    TfidfBackend,
    content_terms,
    earlier_neighbours,
    first_anchors,
    pair_cosine,
)
from .text import normalise_for_compare
from .types import ClaimId, Mention, MentionKey
from .unionfind import UnionFind

T = TypeVar("T")

MERGE_THRESHOLD = 0.5
SUGGEST_THRESHOLD = 0.38
GROUP_GUARD = 0.3  # mean cosine between two groups about to merge
NEIGHBOURS = 12
MIN_COSINE = 0.12


def key_order(k: MentionKey) -> tuple:
    """Total order on mention keys even when article ids mix ints and strings."""
    a = k[0]
    return ((0, a, "") if isinstance(a, int) else (1, 0, str(a)), k[1], k[2])


@dataclass
class Alignment:
    """Result of ``align``; index-based, plus what later stages reuse (vectors, pair scores)."""

    mentions: list[Mention]
    clusters: list[list[MentionKey]]  # sorted keys, clusters sorted by first key
    extends: list[ClaimId | None]
    suggestions: list[tuple[int, int, float]]  # (cluster index, cluster index, score)
    cluster_of: dict[MentionKey, int]
    vectors: sp.csr_matrix | np.ndarray | None = None
    pair_scores: dict[tuple[int, int], float] = field(default_factory=dict)  # mention index pairs
    idf: Mapping[str, float] = field(default_factory=dict)
    df: Mapping[str, int] = field(default_factory=dict)  # in how many mentions each term occurs
    counted: int | None = None  # the mentions ``df`` counted (the statistics'), all of them when None

    def informative(self, term: str) -> bool:
        """A term rare enough in this story that sharing it means something (not 'embassy' in an embassy story)."""
        n = len(self.mentions) if self.counted is None else self.counted
        return self.df.get(term, 0) <= max(2, 0.25 * n)


@dataclass(frozen=True)
class StoryStats:
    """What alignment and conflicts weigh a story's words by, taken once from its mentions.

    Vectors and word weights are functions of a text and these statistics alone, so a run that
    adds articles to a story compares them with the vectors of earlier runs, and its result is
    the one a run over the whole story under the same statistics gives (``incremental.py``).
    A term or feature they have not seen weighs as in no mention.
    """

    vectoriser: Any  # TfidfStats, or a backend whose vectors depend on each text alone
    term_df: Mapping[str, int]  # in how many mentions each content term occurs
    mentions: int  # how many mentions were counted
    idf: Mapping[str, float] = field(default_factory=dict, compare=False)

    @classmethod
    def fit(
        cls, mentions: Sequence[Mention], texts: Sequence[str], backend: SimilarityBackend | None = None
    ) -> tuple[StoryStats, Any, Any]:
        """The statistics of these mentions (``texts``: their distinct texts), and the texts' vectors."""
        backend = backend or TfidfBackend()
        if hasattr(backend, "fit"):
            vectoriser, x, xb = backend.fit(texts)
        else:
            vectoriser, x = backend, backend.vectors(texts) if texts else None
            xb = x
        df = Counter(t for m in mentions for t in set(content_terms(m.text)))
        return cls(vectoriser, dict(df), len(mentions), _idf_of(df, len(mentions))), x, xb

    def vectors(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """(vectors, blocking vectors) of texts under these statistics."""
        if not texts:
            return None, None
        if hasattr(self.vectoriser, "vectors_and_blocking"):
            return self.vectoriser.vectors_and_blocking(texts)
        x = self.vectoriser.vectors(texts)
        return x, x


def _idf(term_sets: list[set[str]]) -> dict[str, float]:
    return _idf_of(Counter(t for s in term_sets for t in s), len(term_sets))


def _idf_of(df: Mapping[str, int], n: int) -> dict[str, float]:
    return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}


def overlap(a: set[str], b: set[str], idf: Mapping[str, float]) -> float:
    """IDF-weighted overlap coefficient: shared weight / weight of the smaller side."""
    if not a or not b:
        return 0.0
    shared = sum(idf.get(t, 1.0) for t in a & b)
    wa = sum(idf.get(t, 1.0) for t in a)
    wb = sum(idf.get(t, 1.0) for t in b)
    return shared / max(min(wa, wb), 1e-9)


def pair_score(cos: float, ov: float, a: Mention, b: Mention) -> float:
    """Same-fact score of two mentions from cosine, overlap and slots (0..~1.1)."""
    return _score(cos, ov, _SlotFeatures(a), _SlotFeatures(b))


class _SlotFeatures:
    """What pair scoring needs from a mention, computed once per mention."""

    __slots__ = ("affirmed", "length", "level", "negated", "quantities", "speakers")

    def __init__(self, m: Mention) -> None:
        self.length = len(m.text)
        self.level = m.slots.certainty.level
        self.quantities = {(q.unit, q.value, head_group(q.head)) for q in m.slots.quantities if q.value is not None}
        self.speakers = {q.speaker_key for q in m.slots.quotes if q.speaker_key and not q.fragment}
        pol = polarity(m.text)
        self.negated, self.affirmed = pol.negated, pol.affirmed


class SlotFeaturesOf(dict[int, _SlotFeatures]):
    """Each mention's ``_SlotFeatures`` by its index, made when first asked for: a run that adds
    articles scores only the pairs with a new mention, and nothing keeps them between runs (they
    are a function of the mention alone)."""

    def __init__(self, mentions: Sequence[Mention]) -> None:
        super().__init__()
        self.mentions = mentions

    def __missing__(self, i: int) -> _SlotFeatures:
        found = self[i] = _SlotFeatures(self.mentions[i])
        return found


def _score(cos: float, ov: float, a: _SlotFeatures, b: _SlotFeatures) -> float:
    short = min(a.length, b.length) < 40  # the overlap coefficient is unreliable on fragments
    blend = cos if short else 0.55 * cos + 0.45 * ov
    bonus = (0.05 if a.quantities & b.quantities else 0.0) + (0.05 if a.speakers & b.speakers else 0.0)
    # "X happened" and "it is unknown whether X happened" are related claims, not the same one.
    penalty = 0.15 if {a.level, b.level} == {"asserted", "unknown"} else 0.0
    # "X was evacuated" and "X was not evacuated" disagree: never the same claim.
    if (a.negated & b.affirmed) or (b.negated & a.affirmed):
        penalty += 0.3
    return blend + bonus - penalty


def _overlaps(terms: list[set[str]], idf: Mapping[str, float], ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
    """Vectorised ``overlap`` for many pairs: IDF-weighted binary term matrix, row-wise products.

    Each row sums its terms in their sorted order, so a pair's value depends on the pair alone.
    """
    if len(ii) == 0:
        return np.zeros(0)
    used = np.unique(np.concatenate([ii, jj]))
    local = np.full(len(terms), -1, dtype=np.int64)
    local[used] = np.arange(len(used))
    names = sorted({t for r in used.tolist() for t in terms[r]})
    vocab = {t: k for k, t in enumerate(names)}
    rows, cols = [], []
    for r, row in enumerate(used.tolist()):
        for t in terms[row]:
            rows.append(r)
            cols.append(vocab[t])
    b = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(used), len(vocab)))
    weights = np.array([idf.get(t, 1.0) for t in names], dtype=np.float64)
    w = sp.csr_matrix(b.multiply(weights[None, :]))
    total = np.asarray(w.sum(axis=1)).ravel()
    li, lj = local[ii], local[jj]
    shared = np.asarray(b[li].multiply(w[lj]).sum(axis=1)).ravel()
    denom = np.maximum(np.minimum(total[li], total[lj]), 1e-9)
    return np.where((total[li] > 0) & (total[lj] > 0), shared / denom, 0.0)


class _OnDemand(dict[int, T]):
    """Values by index, each made when first asked for."""

    def __init__(self, make: Callable[[int], T]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, i: int) -> T:
        found = self[i] = self.make(i)
        return found


class _Groups:
    """Union-find over mention indices carrying article sets, fixed ids and members.

    Group vector sums (for the average-link guard) are built lazily and cached per root:
    most merges involve a singleton and never need them.
    """

    def __init__(self, n: int, articles: list, vectors) -> None:
        self.sets: UnionFind[int] = UnionFind(range(n))
        self.articles: MutableMapping[int, set[Any]] | list[set[Any]] = [{a} for a in articles]
        self.fixed: MutableMapping[int, ClaimId | None] | list[ClaimId | None] = [None] * n
        self.members: MutableMapping[int, list[int]] | list[list[int]] = [[i] for i in range(n)]
        self.x = vectors
        self._sums: dict[int, object] = {}

    @classmethod
    def on_demand(
        cls,
        members: Callable[[int], list[int]],
        articles: Callable[[int], set[Any]],
        fixed: Callable[[int], ClaimId | None],
        vectors: Any,
    ) -> _Groups:
        """Groups whose nodes' members, articles and fixed ids are made when first asked for
        (a run that adds a few mentions to a story of many claims asks for a few)."""
        groups = cls(0, [], vectors)
        groups.members, groups.articles, groups.fixed = _OnDemand(members), _OnDemand(articles), _OnDemand(fixed)
        return groups

    def count(self, r: int) -> int:
        return len(self.members[r])

    def find(self, i: int) -> int:
        return self.sets.find(i)

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        # The larger group's root is kept; between equals, the lower index.
        if self.sets.union(ra, rb, prefer=lambda r: (-len(self.members[r]), r)) != ra:
            ra, rb = rb, ra
        self.members[ra].extend(self.members[rb])
        self.members[rb] = []
        self.articles[ra] |= self.articles[rb]
        self.fixed[ra] = self.fixed[ra] if self.fixed[ra] is not None else self.fixed[rb]
        self._sums.pop(ra, None)
        self._sums.pop(rb, None)
        return ra

    def _sum(self, r: int):
        if r not in self._sums:
            rows = self.x[sorted(self.members[r])]
            # a sparse sum: the vectors are wide (columns for features the statistics have not seen)
            self._sums[r] = (
                sp.csr_matrix(np.ones((1, rows.shape[0]), dtype=rows.dtype)) @ rows
                if sp.issparse(rows)
                else rows.sum(axis=0)
            )
        return self._sums[r]

    def mean_cos(self, ra: int, rb: int) -> float:
        """Mean pairwise cosine between two groups = dot of their vector sums / (|A| |B|)."""
        if self.x is None:
            return 1.0
        a, b = self._sum(ra), self._sum(rb)
        dot = a.multiply(b).sum() if sp.issparse(a) else float(np.dot(a, b))
        return float(dot) / (self.count(ra) * self.count(rb))


@dataclass
class Rows:
    """A story's mentions in key order, and their distinct texts: the rows that are vectorised.

    Wire copy repeats sentences word for word across outlets: identical texts are one claim at
    once, and only one representative of each text (its first mention) is vectorised and
    searched, so the work grows with the distinct texts rather than with the mentions.
    """

    mentions: list[Mention]
    norm_text: list[str]
    rep: list[int]  # each mention's representative (the first mention with its text)
    uniq: list[int]  # the representatives, in key order: row u is mention uniq[u]
    first_of: dict[str, int]  # each text's representative

    @classmethod
    def of(cls, mentions: Sequence[Mention]) -> Rows:
        ms = sorted({m.key: m for m in mentions}.values(), key=lambda m: key_order(m.key))  # input order irrelevant
        rows = cls([], [], [], [], {})
        rows.extend(ms)
        return rows

    def extend(self, ms: Sequence[Mention]) -> list[int]:
        """Append mentions that come after every one already here; the rows they add."""
        added = []
        for m in ms:
            i = len(self.mentions)
            t = normalise_for_compare(m.text)
            r = self.first_of.setdefault(t, i)
            self.mentions.append(m)
            self.norm_text.append(t)
            self.rep.append(r)
            if r == i:
                added.append(len(self.uniq))
                self.uniq.append(i)
        return added


def score_pairs(
    rows: Rows,
    x_u: Any,
    raw: Sequence[tuple[int, int, float]],
    idf: Mapping[str, float],
    feats: Mapping[int, _SlotFeatures] | list[_SlotFeatures],
    mentions: Sequence[int] = (),
) -> list[tuple[float, int, int]]:
    """(score, i, j) of the rows' neighbour pairs ``raw`` (as mention indices i < j), then of each
    of ``mentions`` that repeats an earlier mention's text, with that mention."""
    ui = np.array([p[0] for p in raw], dtype=np.int64)
    uj = np.array([p[1] for p in raw], dtype=np.int64)
    cos = pair_cosine(x_u, ui, uj) if len(raw) else np.zeros(0)
    ii = np.array([rows.uniq[u] for u in ui.tolist()], dtype=np.int64)
    jj = np.array([rows.uniq[u] for u in uj.tolist()], dtype=np.int64)
    ms = rows.mentions
    terms = {i: set(content_terms(ms[i].text)) for i in set(ii.tolist()) | set(jj.tolist())}
    local = sorted(terms)
    at = {i: k for k, i in enumerate(local)}
    ov = _overlaps(
        [terms[i] for i in local],
        idf,
        np.array([at[i] for i in ii.tolist()], dtype=np.int64),
        np.array([at[j] for j in jj.tolist()], dtype=np.int64),
    )
    scored = [
        (_score(c, o, feats[i], feats[j]), i, j)
        for i, j, c, o in zip(ii.tolist(), jj.tolist(), cos.tolist(), ov.tolist(), strict=True)
    ]
    for i in mentions:
        r = rows.rep[i]
        if r != i:
            scored.append((_score(1.0, 1.0, feats[r], feats[i]), r, i))
    return scored


def align(
    mentions: Sequence[Mention],
    fixed: Mapping[ClaimId, Sequence[MentionKey]] | None = None,
    backend: SimilarityBackend | None = None,
    merge_threshold: float = MERGE_THRESHOLD,
    suggest_threshold: float = SUGGEST_THRESHOLD,
    stats: StoryStats | None = None,
) -> Alignment:
    """Cluster mentions into claims; ``fixed`` clusters keep their mentions and may only grow.

    ``stats``: the story's statistics (``StoryStats``) to weigh words by; taken from these
    mentions when not given.
    """
    fixed = fixed or {}
    rows = Rows.of(mentions)
    ms, norm_text = rows.mentions, rows.norm_text
    n = len(ms)
    index = {m.key: i for i, m in enumerate(ms)}
    texts = [ms[r].text for r in rows.uniq]
    if stats is None:
        stats, x_u, xb = StoryStats.fit(ms, texts, backend)
    else:
        x_u, xb = stats.vectors(texts)
    position = {r: u for u, r in enumerate(rows.uniq)}
    x = x_u[[position[rows.rep[i]] for i in range(n)]] if n else None
    idf = stats.idf

    groups = _Groups(n, [m.article_id for m in ms], x)
    fixed_extra: dict[ClaimId, list[MentionKey]] = {}
    for claim_id in sorted(fixed, key=lambda c: (isinstance(c, str), str(c))):
        first = None
        for stored in fixed[claim_id]:
            key: MentionKey = (stored[0], stored[1], stored[2])  # a tuple again, if JSON made it a list
            i = index.get(key)
            if i is None:
                fixed_extra.setdefault(claim_id, []).append(key)
                continue
            if groups.fixed[groups.find(i)] not in (None, claim_id):
                continue  # a mention in two fixed claims stays with the first
            groups.fixed[groups.find(i)] = claim_id
            first = i if first is None else groups.union(first, i)

    raw = earlier_neighbours(xb, first_anchors(xb)[0], NEIGHBOURS, MIN_COSINE) if len(rows.uniq) > 1 else []
    feats = [_SlotFeatures(m) for m in ms]
    scored = score_pairs(rows, x_u, raw, idf, feats, range(n))
    pair_scores = {(i, j): s for s, i, j in scored}
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))

    for s, i, j in scored:
        if s < merge_threshold:
            break
        join(groups, i, j, norm_text[i] == norm_text[j])

    roots: dict[int, list[int]] = {}
    for i in range(n):
        roots.setdefault(groups.find(i), []).append(i)
    raw_clusters: list[tuple[list[MentionKey], ClaimId | None]] = []
    seen_fixed: set = set()
    for root, members in roots.items():
        fid = groups.fixed[root]
        keys = [ms[i].key for i in members]
        if fid is not None:
            keys += fixed_extra.get(fid, [])
            seen_fixed.add(fid)
        raw_clusters.append((sorted(set(keys), key=key_order), fid))
    for fid, keys in fixed_extra.items():  # fixed claims none of whose mentions were passed in
        if fid not in seen_fixed:
            raw_clusters.append((sorted(set(keys), key=key_order), fid))
    raw_clusters.sort(key=lambda c: key_order(c[0][0]))
    cluster_of = {k: ci for ci, (keys, _) in enumerate(raw_clusters) for k in keys}
    best = best_links(scored, ms, cluster_of, suggest_threshold)
    return Alignment(
        mentions=ms,
        clusters=[keys for keys, _ in raw_clusters],
        extends=[fid for _, fid in raw_clusters],
        suggestions=suggestions_of(best),
        cluster_of=cluster_of,
        vectors=x,
        pair_scores=pair_scores,
        idf=idf,
        df=stats.term_df,
        counted=stats.mentions,
    )


def join(groups: _Groups, i: int, j: int, identical: bool) -> bool:
    """Merge the groups of mentions i and j when the rules allow: never two fixed claims, never
    two mentions of one article unless they are identical, never two groups that are not alike
    as wholes. True when they are one group after it."""
    ri, rj = groups.find(i), groups.find(j)
    if ri == rj:
        return True
    if groups.fixed[ri] is not None and groups.fixed[rj] is not None:
        return False
    if groups.articles[ri] & groups.articles[rj] and not identical:
        return False
    if groups.count(ri) > 1 and groups.count(rj) > 1 and not identical and groups.mean_cos(ri, rj) < GROUP_GUARD:
        return False
    groups.union(ri, rj)
    return True


def best_links(
    scored: Sequence[tuple[float, int, int]],
    ms: Sequence[Mention],
    cluster_of: Mapping[MentionKey, int],
    threshold: float = SUGGEST_THRESHOLD,
    best: dict[tuple[int, int], float] | None = None,
) -> dict[tuple[int, int], float]:
    """The best pair score between each two clusters at or above ``threshold`` (added to ``best``)."""
    best = {} if best is None else best
    for s, i, j in scored:
        if s < threshold:
            continue
        ci, cj = cluster_of[ms[i].key], cluster_of[ms[j].key]
        if ci != cj:
            p = _pair(ci, cj)
            best[p] = max(best.get(p, 0.0), s)
    return best


def suggestions_of(best: Mapping[tuple[int, int], float]) -> list[tuple[int, int, float]]:
    return sorted(((a, b, round(s, 4)) for (a, b), s in best.items()), key=lambda t: (-t[2], t[0], t[1]))


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
