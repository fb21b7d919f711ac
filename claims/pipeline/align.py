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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .polarity import polarity
from .quantities import head_group
from .similarity import SimilarityBackend, TfidfBackend, content_terms, pair_cosine, top_k_pairs
from .text import normalise_for_compare
from .types import ClaimId, Mention, MentionKey
from .unionfind import UnionFind

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
    idf: dict[str, float] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)  # in how many mentions each term occurs

    def informative(self, term: str) -> bool:
        """A term rare enough in this story that sharing it means something (not 'embassy' in an embassy story)."""
        return self.df.get(term, 0) <= max(2, 0.25 * len(self.mentions))


def _idf(term_sets: list[set[str]]) -> dict[str, float]:
    df = Counter(t for s in term_sets for t in s)
    n = len(term_sets)
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
    """Vectorised ``overlap`` for many pairs: IDF-weighted binary term matrix, row-wise products."""
    if len(ii) == 0:
        return np.zeros(0)
    vocab = {t: k for k, t in enumerate(sorted(idf))}
    rows, cols = [], []
    for r, ts in enumerate(terms):
        for t in ts:
            rows.append(r)
            cols.append(vocab[t])
    b = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(terms), len(vocab)))
    weights = np.array([idf[t] for t in sorted(idf)], dtype=np.float64)
    w = sp.csr_matrix(b.multiply(weights[None, :]))
    total = np.asarray(w.sum(axis=1)).ravel()
    shared = np.asarray(b[ii].multiply(w[jj]).sum(axis=1)).ravel()
    denom = np.maximum(np.minimum(total[ii], total[jj]), 1e-9)
    return np.where((total[ii] > 0) & (total[jj] > 0), shared / denom, 0.0)


class _Groups:
    """Union-find over mention indices carrying article sets, fixed ids and members.

    Group vector sums (for the average-link guard) are built lazily and cached per root:
    most merges involve a singleton and never need them.
    """

    def __init__(self, n: int, articles: list, vectors) -> None:
        self.sets: UnionFind[int] = UnionFind(range(n))
        self.articles = [{a} for a in articles]
        self.fixed: list[ClaimId | None] = [None] * n
        self.members: list[list[int]] = [[i] for i in range(n)]
        self.x = vectors
        self._sums: dict[int, object] = {}

    @property
    def size(self) -> list[int]:
        return [len(m) for m in self.members]

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
            self._sums[r] = sp.csr_matrix(rows.sum(axis=0)) if sp.issparse(rows) else rows.sum(axis=0)
        return self._sums[r]

    def mean_cos(self, ra: int, rb: int) -> float:
        """Mean pairwise cosine between two groups = dot of their vector sums / (|A| |B|)."""
        if self.x is None:
            return 1.0
        a, b = self._sum(ra), self._sum(rb)
        dot = a.multiply(b).sum() if sp.issparse(a) else float(np.dot(a, b))
        return float(dot) / (self.count(ra) * self.count(rb))


def align(
    mentions: Sequence[Mention],
    fixed: Mapping[ClaimId, Sequence[MentionKey]] | None = None,
    backend: SimilarityBackend | None = None,
    merge_threshold: float = MERGE_THRESHOLD,
    suggest_threshold: float = SUGGEST_THRESHOLD,
) -> Alignment:
    """Cluster mentions into claims; ``fixed`` clusters keep their mentions and may only grow."""
    fixed = fixed or {}
    backend = backend or TfidfBackend()
    ms = sorted({m.key: m for m in mentions}.values(), key=lambda m: key_order(m.key))  # input order irrelevant
    n = len(ms)
    index = {m.key: i for i, m in enumerate(ms)}
    # Wire copy repeats sentences word for word across outlets: identical texts are one claim
    # at once, and only one representative of each text is vectorised and searched, so the
    # work grows with the distinct texts rather than with the mentions.
    norm_text = [normalise_for_compare(m.text) for m in ms]
    first_of: dict[str, int] = {}
    rep = [first_of.setdefault(t, i) for i, t in enumerate(norm_text)]
    uniq = sorted(first_of.values())
    position = {r: u for u, r in enumerate(uniq)}
    texts = [ms[r].text for r in uniq]
    if not n:
        x = xb = x_u = None
    else:
        if hasattr(backend, "vectors_and_blocking"):
            x_u, xb = backend.vectors_and_blocking(texts)
        else:
            x_u = xb = backend.vectors(texts)
        x = x_u[[position[rep[i]] for i in range(n)]]
    terms = [set(content_terms(m.text)) for m in ms]
    idf = _idf(terms)

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

    raw = top_k_pairs(xb, NEIGHBOURS, MIN_COSINE) if len(uniq) > 1 else []
    ui = np.array([p[0] for p in raw], dtype=np.int64)
    uj = np.array([p[1] for p in raw], dtype=np.int64)
    cos = pair_cosine(x_u, ui, uj) if len(raw) else np.zeros(0)
    ii = np.array([uniq[u] for u in ui.tolist()], dtype=np.int64)
    jj = np.array([uniq[u] for u in uj.tolist()], dtype=np.int64)
    ov = _overlaps(terms, idf, ii, jj)
    feats = [_SlotFeatures(m) for m in ms]
    scored: list[tuple[float, int, int]] = []
    pair_scores: dict[tuple[int, int], float] = {}
    for i, j, c, o in zip(ii.tolist(), jj.tolist(), cos.tolist(), ov.tolist(), strict=True):
        s = _score(c, o, feats[i], feats[j])
        pair_scores[(i, j)] = s
        scored.append((s, i, j))
    for i, r in enumerate(rep):
        if r != i:
            s = _score(1.0, 1.0, feats[r], feats[i])
            pair_scores[(r, i)] = s
            scored.append((s, r, i))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))

    blocked: dict[tuple[int, int], float] = {}
    for s, i, j in scored:
        if s < merge_threshold:
            break
        ri, rj = groups.find(i), groups.find(j)
        if ri == rj:
            continue
        identical = norm_text[i] == norm_text[j]
        if groups.fixed[ri] is not None and groups.fixed[rj] is not None:
            blocked[_pair(ri, rj)] = max(blocked.get(_pair(ri, rj), 0.0), s)
            continue
        if groups.articles[ri] & groups.articles[rj] and not identical:
            continue
        if groups.count(ri) > 1 and groups.count(rj) > 1 and not identical and groups.mean_cos(ri, rj) < GROUP_GUARD:
            blocked[_pair(ri, rj)] = max(blocked.get(_pair(ri, rj), 0.0), s)
            continue
        groups.union(ri, rj)

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

    best: dict[tuple[int, int], float] = {}
    for s, i, j in scored:
        if s < suggest_threshold:
            break
        ci, cj = cluster_of[ms[i].key], cluster_of[ms[j].key]
        if ci != cj:
            p = _pair(ci, cj)
            best[p] = max(best.get(p, 0.0), s)
    suggestions = sorted(((a, b, round(s, 4)) for (a, b), s in best.items()), key=lambda t: (-t[2], t[0], t[1]))
    return Alignment(
        mentions=ms,
        clusters=[keys for keys, _ in raw_clusters],
        extends=[fid for _, fid in raw_clusters],
        suggestions=suggestions,
        cluster_of=cluster_of,
        vectors=x,
        pair_scores=pair_scores,
        idf=idf,
        df=dict(Counter(t for s in terms for t in s)),
    )


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
