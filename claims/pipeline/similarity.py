"""Similarity backends: texts -> L2-normalised row vectors, cosine = dot product.

The default is TF-IDF over stemmed content words (uni+bigrams) blended with
character n-grams (robust to spelling variants: Shia/Shiite, Kataeb/Kataib,
neighbourhood/neighborhood).  An embedding model could implement the same
protocol and be passed to ``align``; nothing else needs to change.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from .quantities import word_value
from .text import STOPWORDS, TOKEN_RE, stem

Matrix = "sp.csr_matrix | np.ndarray"

_NUMWORD = re.compile(
    r"^(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-\w+)?$",
    re.IGNORECASE,
)


class SimilarityBackend(Protocol):
    """Anything that maps texts to L2-normalised rows (sparse CSR or dense ndarray)."""

    name: str

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix | np.ndarray: ...


def content_terms(text: str) -> list[str]:
    """Stemmed content words; number words become digits so '25' meets 'Twenty-five'."""
    return list(_content_terms(text))


@lru_cache(maxsize=50_000)
def _content_terms(text: str) -> tuple[str, ...]:
    return tuple([t for t in map(_term, TOKEN_RE.findall(text)) if t is not None])


@lru_cache(maxsize=100_000)  # a token's term depends on the token alone, and tokens repeat
def _term(w: str) -> str | None:
    """The content term of one token, or None for a stop word or a stray letter."""
    lw = w.lower()
    if lw in STOPWORDS and not (len(w) >= 2 and w.isupper()):
        return None
    if _NUMWORD.match(lw):
        v = word_value(lw)
        if v is not None:
            return str(int(v))
    if len(lw) < 2 and not lw.isdigit():
        return None
    return stem(w.replace(",", "")) if not w[0].isdigit() else w.replace(",", "")


def _word_analyzer(text: str) -> list[str]:
    terms = content_terms(text)
    return terms + [a + " " + b for a, b in itertools.pairwise(terms)]


CHAR_N = 4


def _token_grams(token: str) -> tuple[str, ...]:
    """A token's character 4-grams, nothing for a stop word: what scikit-learn's
    analyzer="char_wb" with ngram_range (4, 4) reads from the words lower-cased and joined by
    spaces (split at white space, each word padded with a space on each side)."""
    word = token.lower()
    if word in STOPWORDS:
        return ()
    w = f" {word.lower()} "  # lower-cased again, as the vectoriser's own preprocessing would
    if len(w) <= CHAR_N:  # a short word counts once, whole
        return (w,)
    return tuple(w[i : i + CHAR_N] for i in range(len(w) - CHAR_N + 1))


def _tfidf(
    docs: Sequence[str],
    units: Callable[[str], list[str]],
    features: Callable[[str], tuple[str, ...]] | None = None,
    max_df: float = 1.0,
) -> sp.csr_matrix:
    """The vectors ``TfidfVectorizer(analyzer=..., sublinear_tf=True, dtype=np.float32,
    max_df=max_df).fit_transform(docs)`` gives, bit for bit, computed faster.

    A document is a list of units (``units``), each standing for ``features(unit)`` (or for
    itself when ``features`` is None): documents x units counts times units x features counts
    are the documents' feature counts, each distinct unit expanded once (a word, for its
    character n-grams). Then the vectoriser's own steps, in its order: features numbered as
    they first occur (in the first unit that has one), those in more than ``max_df`` of the
    documents dropped, columns in the features' sorted order, and scikit-learn's
    TfidfTransformer. tests/pipeline/test_story_scale.py checks the vectors are the same.
    """
    unit_ids: dict[str, int] = {}
    cols: list[int] = []
    indptr = [0]
    for doc in docs:
        cols.extend([unit_ids.setdefault(u, len(unit_ids)) for u in units(doc)])
        indptr.append(len(cols))
    n_docs = len(indptr) - 1
    counts = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.int64), np.asarray(cols, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(n_docs, len(unit_ids)),
    )
    if features is None:
        names = list(unit_ids)
    else:
        vocabulary: dict[str, int] = {}
        f_rows: list[int] = []
        f_cols: list[int] = []
        for uid, unit in enumerate(unit_ids):  # in the order the units first occur
            for f in features(unit):
                f_rows.append(uid)
                f_cols.append(vocabulary.setdefault(f, len(vocabulary)))
        expand = sp.csr_matrix(
            (np.ones(len(f_rows), dtype=np.int64), (f_rows, f_cols)), shape=(len(unit_ids), len(vocabulary))
        )
        counts = counts @ expand
        names = list(vocabulary)
    if not names:
        raise ValueError("empty vocabulary")
    counts.sum_duplicates()
    x = sp.csr_matrix(
        (counts.data.astype(np.float32), counts.indices.astype(np.int32), counts.indptr.astype(np.int32)),
        shape=(n_docs, len(names)),
    )
    x.sort_indices()
    # CountVectorizer._limit_features: features in more than max_df of the documents go
    document_frequency = np.bincount(x.indices, minlength=x.shape[1])
    kept = np.flatnonzero((document_frequency <= max_df * n_docs) & (document_frequency >= 1))
    if not len(kept):
        raise ValueError("no features left")
    x = x[:, kept]
    # CountVectorizer._sort_features: columns in the sorted order of the features' names
    kept_names = [names[i] for i in kept.tolist()]
    rank = np.empty(len(kept_names), dtype=x.indices.dtype)
    rank[sorted(range(len(kept_names)), key=kept_names.__getitem__)] = np.arange(len(kept_names))
    x.indices = rank.take(x.indices, mode="clip")
    return TfidfTransformer(sublinear_tf=True).fit(x).transform(x, copy=False)


class TfidfBackend:
    """Blend of word and character TF-IDF; cosine = w*cos_word + (1-w)*cos_char."""

    name = "tfidf"

    def __init__(self, word_weight: float = 0.6) -> None:
        self.word_weight = word_weight

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.vectors_and_blocking(texts)[0]

    def vectors_and_blocking(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(blended vectors, word-only vectors).  The word part has far fewer non-zeros, so the
        k-NN blocking product runs on it; the blend is then computed for candidate pairs only."""
        if not texts:
            empty = sp.csr_matrix((0, 1), dtype=np.float32)
            return empty, empty
        parts = []
        try:
            wx = _tfidf(texts, _word_analyzer)
        except ValueError:  # empty vocabulary
            wx = sp.csr_matrix((len(texts), 1), dtype=np.float32)
        parts.append(wx * math.sqrt(self.word_weight))
        try:
            chars = _tfidf(texts, TOKEN_RE.findall, _token_grams, max_df=0.5 if len(texts) > 50 else 1.0)
            parts.append(chars * math.sqrt(1 - self.word_weight))
        except ValueError:
            parts.append(sp.csr_matrix((len(texts), 1), dtype=np.float32))
        x = sp.hstack(parts, format="csr", dtype=np.float32)
        return _l2(x), _l2(sp.csr_matrix(wx, dtype=np.float32))


def _l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(x), dtype=np.float32)


# A term shared by more rows than this is compared through its ANCHORS (the rows where it
# weighs most) instead of all pairs of its rows. A fact stated by 300 outlets is still one
# connected cluster (each mention reaches the anchors, and clustering is transitive), but the
# work grows linearly with the story instead of with its square. Stories whose terms all stay
# under the cap get exactly the all-pairs neighbours.
ANCHORS_PER_TERM = 48
# Rows multiplied at a time in ``top_k_pairs``: bounds the product's memory (each row meets at
# most its terms times ANCHORS_PER_TERM others: about 10 MB a slice) whatever the story's size.
ROWS_PER_SLICE = 256


def _anchor_matrix(x: sp.csr_matrix, cap: int) -> sp.csr_matrix:
    """`x` with each column cut to its `cap` heaviest rows (ties by row number, deterministic)."""
    xc = sp.csc_matrix(x, copy=True)
    counts = np.diff(xc.indptr)
    busy = np.flatnonzero(counts > cap)
    if not len(busy):
        return x
    keep = np.ones(len(xc.data), dtype=bool)
    for col in busy.tolist():
        start, end = xc.indptr[col], xc.indptr[col + 1]
        order = np.lexsort((xc.indices[start:end], -xc.data[start:end]))
        keep[start + order[cap:]] = False
    xc.data[~keep] = 0
    xc.eliminate_zeros()
    return xc.tocsr()


def top_k_pairs(
    x: sp.csr_matrix | np.ndarray, k: int, min_sim: float, cap: int = ANCHORS_PER_TERM
) -> list[tuple[int, int, float]]:
    """(i, j, sim) with i < j for each row's k nearest rows above ``min_sim``.

    One sparse product against the anchor matrix, then a vectorised per-row top-k: no dense
    n x n block and no Python loop over pairs.
    """
    n = x.shape[0]
    if n < 2:
        return []
    x = sp.csr_matrix(x, dtype=np.float32)
    anchors_t = sp.csr_matrix(_anchor_matrix(x, cap).T)
    found_rows, found_cols, found_sims = [], [], []
    # The product in slices of rows, each cut at once to what can be kept: a product entry below
    # min_sim ranks after every entry above it and is never kept, so dropping it early changes
    # nothing, and the full product (millions of entries on a large story) never exists at once.
    for lo in range(0, n, ROWS_PER_SLICE):
        block = (x[lo : lo + ROWS_PER_SLICE] @ anchors_t).tocoo()
        keep = (block.data >= min_sim) & (block.row + lo != block.col)
        found_rows.append(block.row[keep].astype(np.int64) + lo)
        found_cols.append(block.col[keep].astype(np.int64))
        found_sims.append(block.data[keep])
    rows, cols, sims = np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_sims)
    # Each side may find the other: take both directions, then each row's k best.
    rows, cols, sims = np.concatenate([rows, cols]), np.concatenate([cols, rows]), np.concatenate([sims, sims])
    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    if not len(rows):
        return []
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    keep = (rank < k) & (sims >= min_sim)
    lo, hi, val = np.minimum(rows, cols)[keep], np.maximum(rows, cols)[keep], sims[keep]
    if not len(val):
        return []
    pair_ids = lo.astype(np.int64) * n + hi
    order = np.lexsort((-val, pair_ids))
    pair_ids, lo, hi, val = pair_ids[order], lo[order], hi[order], val[order]
    first = np.r_[True, pair_ids[1:] != pair_ids[:-1]]
    return [(int(i), int(j), float(v)) for i, j, v in zip(lo[first], hi[first], val[first], strict=True)]


def pair_cosine(x: sp.csr_matrix | np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row-wise cosine of rows i[t] and j[t] (vectorised)."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.float32)
    if sp.issparse(x):
        return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", x[i], x[j])
