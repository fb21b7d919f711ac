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
import zlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
import scipy.sparse as sp

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


def l2_rows(x: sp.csr_matrix) -> sp.csr_matrix:
    """Each row of ``x`` scaled to unit length, in place, exactly as scikit-learn's
    ``normalize(x, norm="l2")`` does it (its ``_inplace_csr_row_normalize_l2``: squares in the
    data's precision summed in double, in order; each value divided in double, stored in the
    data's precision; empty rows left alone), without importing scikit-learn, which costs every
    process that loads the pipeline 68 MB."""
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    norms = np.sqrt(np.bincount(rows, weights=np.square(x.data), minlength=x.shape[0]))
    norms[norms == 0.0] = 1.0
    x.data[:] = x.data / norms[rows]
    return x


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


def _counts(
    docs: Sequence[str], units: Callable[[str], list[str]], features: Callable[[str], tuple[str, ...]] | None = None
) -> tuple[sp.csr_matrix, list[str]]:
    """The documents' feature counts, columns numbered as the features first occur (in the first
    unit that has one), and the features' names.

    A document is a list of units (``units``), each standing for ``features(unit)`` (or for
    itself when ``features`` is None): documents x units counts times units x features counts
    are the documents' feature counts, each distinct unit expanded once (a word, for its
    character n-grams).
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
    counts.sum_duplicates()
    x = sp.csr_matrix(
        (counts.data.astype(np.float32), counts.indices.astype(np.int32), counts.indptr.astype(np.int32)),
        shape=(n_docs, len(names)),
    )
    x.sort_indices()
    return x, names


# Features a story's statistics have not seen (in articles added since they were taken) are
# hashed into this many extra columns, each weighted as a feature in no document: a column's
# number depends on the feature alone, so a text's vector is the same whichever run makes it.
UNSEEN_BUCKETS = 1 << 16


class Vocabulary:
    """Features and their columns (a feature's column is its place in the features' sorted
    order), kept compact: a story's word features (its terms and their pairs) number some
    220,000 at 5,000 documents, 26 MB as a dict of strings and a memo entry each when the story's
    index is pickled. Here the features of up to ``WIDTH`` bytes (99% of them) are one sorted
    array of fixed-width UTF-8 bytes (UTF-8 sorts as the strings do), searched all at once
    (``columns``); the longer ones stay in a dict."""

    WIDTH = 24

    def __init__(self, names: Sequence[str]) -> None:
        """``names``: the features in their sorted order."""
        encoded = [name.encode() for name in names]
        width = min(self.WIDTH, max((len(b) for b in encoded), default=1)) or 1
        short = [c for c, b in enumerate(encoded) if len(b) <= width]
        self.short = np.array([encoded[c] for c in short], dtype=f"S{width}")
        self.short_columns = np.array(short, dtype=np.int32)
        self.long = {names[c]: c for c, b in enumerate(encoded) if len(b) > width}
        self.size = len(names)

    def __len__(self) -> int:
        return self.size

    def columns(self, features: Sequence[str]) -> np.ndarray:
        """Each feature's column, -1 for a feature not in the vocabulary."""
        found = np.full(len(features), -1, dtype=np.int64)
        width = self.short.dtype.itemsize
        encoded = [f.encode() for f in features]
        fits = [k for k, b in enumerate(encoded) if len(b) <= width]
        if fits and len(self.short):
            wanted = np.array([encoded[k] for k in fits], dtype=self.short.dtype)
            at = np.minimum(np.searchsorted(self.short, wanted), len(self.short) - 1)
            hit = self.short[at] == wanted
            found[np.array(fits, dtype=np.int64)[hit]] = self.short_columns[at[hit]]
        if len(fits) < len(features):
            for k, b in enumerate(encoded):
                if len(b) > width:
                    found[k] = self.long.get(features[k], -1)
        return found


class TfidfTable:
    """One TF-IDF part's statistics, as scikit-learn's vectoriser fits them on a story's texts:
    the kept features' columns (in the features' sorted order: ``Vocabulary``) and their IDF, the
    features dropped as too common, and the number of documents.

    ``transform`` gives any text its vector under these statistics, so that vectors made in
    different runs of one story compare; on the texts it was fitted on it gives, bit for bit,
    ``TfidfVectorizer(analyzer=..., sublinear_tf=True, dtype=np.float32, max_df=max_df)
    .fit_transform(docs)`` (tests/pipeline/test_story_scale.py checks it).
    """

    def __init__(self, vocabulary: Vocabulary, idf: np.ndarray, dropped: frozenset[str], n_docs: int) -> None:
        self.vocabulary = vocabulary
        self.dropped = dropped
        self.n_docs = n_docs
        unseen = np.log(np.float32(n_docs + 1)) + np.float32(1.0)  # the smoothed IDF of a feature in no document
        self.idf = np.concatenate([idf, np.full(UNSEEN_BUCKETS, unseen, dtype=np.float32)])

    @property
    def width(self) -> int:
        return len(self.vocabulary) + UNSEEN_BUCKETS

    @classmethod
    def fit(cls, x: sp.csr_matrix, names: list[str], max_df: float = 1.0) -> tuple[TfidfTable, sp.csr_matrix]:
        """The table of counts ``x`` (from ``_counts``), and their vectors."""
        n_docs = x.shape[0]
        if not names:
            raise ValueError("empty vocabulary")
        # CountVectorizer._limit_features: features in more than max_df of the documents go
        document_frequency = np.bincount(x.indices, minlength=x.shape[1])
        keep = (document_frequency <= max_df * n_docs) & (document_frequency >= 1)
        kept = np.flatnonzero(keep)
        if not len(kept):
            raise ValueError("no features left")
        dropped = frozenset(names[i] for i in np.flatnonzero(~keep).tolist())
        # CountVectorizer._sort_features: columns in the sorted order of the features' names
        kept_names = [names[i] for i in kept.tolist()]
        order = sorted(range(len(kept_names)), key=kept_names.__getitem__)
        # TfidfTransformer.fit, in float32 as it computes it for float32 counts
        df = document_frequency[kept][order].astype(np.float32)
        df += np.float32(1.0)
        idf = np.full_like(df, fill_value=n_docs + 1, dtype=np.float32)
        idf /= df
        np.log(idf, out=idf)
        idf += np.float32(1.0)
        table = cls(Vocabulary([kept_names[i] for i in order]), idf, dropped, n_docs)
        lookup = np.full(len(names), -1, dtype=np.int64)  # each fitted feature's column: known here
        lookup[kept[np.array(order, dtype=np.int64)]] = np.arange(len(order))
        return table, table._vectors(x, lookup)

    def transform(self, x: sp.csr_matrix, names: list[str]) -> sp.csr_matrix:
        """Vectors of counts ``x`` (from ``_counts``) under this table: TfidfTransformer.transform."""
        lookup = self.vocabulary.columns(names)
        unseen = np.flatnonzero(lookup < 0).tolist()
        for k in unseen:
            if names[k] not in self.dropped:
                lookup[k] = len(self.vocabulary) + zlib.crc32(names[k].encode()) % UNSEEN_BUCKETS
        return self._vectors(x, lookup)

    def _vectors(self, x: sp.csr_matrix, lookup: np.ndarray) -> sp.csr_matrix:
        """Vectors of counts ``x`` whose column k is ``lookup[k]`` here (-1: dropped)."""
        cols = (lookup if len(lookup) else np.zeros(1, dtype=np.int64))[x.indices]
        keep = cols >= 0
        rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[keep]
        y = sp.csr_matrix((x.data[keep], (rows, cols[keep])), shape=(x.shape[0], self.width), dtype=np.float32)
        y.sum_duplicates()  # two unseen features in one column
        y.sort_indices()
        np.log(y.data, y.data)
        y.data += np.float32(1.0)
        y.data *= self.idf[y.indices]
        return l2_rows(y)


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
        return self.fit(texts)[1:]

    def fit(self, texts: Sequence[str]) -> tuple[TfidfStats, sp.csr_matrix, sp.csr_matrix]:
        """The texts' statistics, and their vectors as ``vectors_and_blocking`` gives them."""
        stats = TfidfStats(None, None, self.word_weight)
        if not texts:
            return stats, *stats.vectors_and_blocking(texts)
        try:
            word, wx = TfidfTable.fit(*_counts(texts, _word_analyzer))
        except ValueError:  # empty vocabulary
            word, wx = None, None
        try:
            max_df = 0.5 if len(texts) > 50 else 1.0
            chars, cx = TfidfTable.fit(*_counts(texts, TOKEN_RE.findall, _token_grams), max_df=max_df)
        except ValueError:
            chars, cx = None, None
        stats = TfidfStats(word, chars, self.word_weight)
        return stats, *stats.blend(len(texts), wx, cx)


class TfidfStats:
    """A story's TF-IDF statistics: texts vectorised under them compare with each other, in
    whichever run they were vectorised (``TfidfBackend.fit`` takes them)."""

    name = "tfidf"

    def __init__(self, word: TfidfTable | None, chars: TfidfTable | None, word_weight: float) -> None:
        self.word, self.chars, self.word_weight = word, chars, word_weight

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.vectors_and_blocking(texts)[0]

    def vectors_and_blocking(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        wx = self.word.transform(*_counts(texts, _word_analyzer)) if self.word and texts else None
        cx = self.chars.transform(*_counts(texts, TOKEN_RE.findall, _token_grams)) if self.chars and texts else None
        return self.blend(len(texts), wx, cx)

    def blend(self, n: int, wx: sp.csr_matrix | None, cx: sp.csr_matrix | None) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if wx is None:
            wx = sp.csr_matrix((n, 1), dtype=np.float32)
        if cx is None:
            cx = sp.csr_matrix((n, 1), dtype=np.float32)
        if not n:
            empty = sp.csr_matrix((0, 1), dtype=np.float32)
            return empty, empty
        x = sp.hstack(
            [wx * math.sqrt(self.word_weight), cx * math.sqrt(1 - self.word_weight)], format="csr", dtype=np.float32
        )
        return _l2(x), _l2(sp.csr_matrix(wx, dtype=np.float32))


def _l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(x), dtype=np.float32)


# A term shared by more rows than this is compared through its ANCHORS, the first rows that
# have it, instead of all pairs of its rows. A fact stated by 300 outlets is still one
# connected cluster (each mention reaches the anchors, and clustering is transitive), but the
# work grows linearly with the story instead of with its square. The first rows stay the first
# as a story grows, so adding rows never changes an earlier row's anchors.
ANCHORS_PER_TERM = 48
# Rows multiplied at a time in ``earlier_neighbours``: bounds the product's memory (each row meets
# at most its terms times ANCHORS_PER_TERM others: about 10 MB a slice) whatever the story's size.
ROWS_PER_SLICE = 256


def first_anchors(
    x: sp.csr_matrix, cap: int = ANCHORS_PER_TERM, seen: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray]:
    """``x`` with each column cut to its first ``cap`` rows, and how many rows each column has now.

    ``seen`` counts each column's rows in earlier blocks: the anchors of rows added to a story
    are the rows a run over the whole story would make anchors, since earlier rows never change.
    """
    x = sp.csr_matrix(x, dtype=np.float32)
    seen = np.zeros(x.shape[1], dtype=np.int64) if seen is None else seen
    cols = x.indices.astype(np.int64)
    order = np.argsort(cols, kind="stable")  # within a column, in row order
    sorted_cols = cols[order]
    starts = np.flatnonzero(np.r_[True, sorted_cols[1:] != sorted_cols[:-1]]) if len(cols) else np.zeros(0, int)
    rank = np.empty(len(cols), dtype=np.int64)
    rank[order] = np.arange(len(cols)) - np.repeat(starts, np.diff(np.r_[starts, len(cols)]))
    keep = rank + seen[cols] < cap
    anchors = sp.csr_matrix(x, copy=True)
    anchors.data[~keep] = 0
    anchors.eliminate_zeros()
    return anchors, seen + np.bincount(cols, minlength=x.shape[1])


def earlier_neighbours(
    x: sp.csr_matrix, anchors: sp.csr_matrix, k: int, min_sim: float, start: int = 0
) -> list[tuple[int, int, float]]:
    """(i, j, sim) with i < j: each row j from ``start`` on, with its ``k`` nearest earlier rows
    above ``min_sim`` among the anchors (``first_anchors`` of all rows up to the last).

    Rows are a story's distinct texts in the order they were written, so a row's neighbours are
    in the story when it arrives and never change later: adding rows adds pairs and changes none
    (``incremental.py``). Everything a run compares is a pair a row found; a sparse product in
    slices of rows, cut at once to what can be kept, and a vectorised per-row top-k.
    """
    n = x.shape[0]
    if n < 2 or start >= n:
        return []
    x = sp.csr_matrix(x, dtype=np.float32)
    anchors_t = sp.csr_matrix(sp.csr_matrix(anchors, dtype=np.float32)[:n].T)
    found_rows, found_cols, found_sims = [], [], []
    for lo in range(start, n, ROWS_PER_SLICE):
        block = (x[lo : lo + ROWS_PER_SLICE] @ anchors_t).tocoo()
        keep = (block.data >= min_sim) & (block.col < block.row + lo)
        found_rows.append(block.row[keep].astype(np.int64) + lo)
        found_cols.append(block.col[keep].astype(np.int64))
        found_sims.append(block.data[keep])
    rows, cols, sims = np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_sims)
    if not len(rows):
        return []
    order = np.lexsort((cols, -sims, rows))
    rows, cols, sims = rows[order], cols[order], sims[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    rank = np.arange(len(rows)) - np.repeat(starts, np.diff(np.r_[starts, len(rows)]))
    keep = rank < k
    out = sorted(zip(cols[keep].tolist(), rows[keep].tolist(), sims[keep].tolist(), strict=True))
    return [(i, j, float(v)) for i, j, v in out]


def pair_cosine(x: sp.csr_matrix | np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row-wise cosine of rows i[t] and j[t] (vectorised)."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.float32)
    if sp.issparse(x):
        return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", x[i], x[j])
