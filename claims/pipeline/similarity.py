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
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .quantities import _word_value
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
    out = []
    for m in TOKEN_RE.finditer(text):
        w = m.group()
        lw = w.lower()
        if lw in STOPWORDS and not (len(w) >= 2 and w.isupper()):
            continue
        if _NUMWORD.match(lw):
            v = _word_value(lw)
            if v is not None:
                out.append(str(int(v)))
                continue
        if len(lw) < 2 and not lw.isdigit():
            continue
        out.append(stem(w.replace(",", "")) if not w[0].isdigit() else w.replace(",", ""))
    return tuple(out)


def _word_analyzer(text: str) -> list[str]:
    terms = content_terms(text)
    return terms + [a + " " + b for a, b in itertools.pairwise(terms)]


def _char_text(text: str) -> str:
    return " ".join(
        w.lower() for w, _, _ in ((m.group(), 0, 0) for m in TOKEN_RE.finditer(text)) if w.lower() not in STOPWORDS
    )


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
        word = TfidfVectorizer(analyzer=_word_analyzer, sublinear_tf=True, dtype=np.float32)
        try:
            wx = word.fit_transform(texts)
        except ValueError:  # empty vocabulary
            wx = sp.csr_matrix((len(texts), 1), dtype=np.float32)
        parts.append(wx * math.sqrt(self.word_weight))
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(4, 4),
            sublinear_tf=True,
            dtype=np.float32,
            max_df=0.5 if len(texts) > 50 else 1.0,
        )
        try:
            parts.append(char.fit_transform([_char_text(t) for t in texts]) * math.sqrt(1 - self.word_weight))
        except ValueError:
            parts.append(sp.csr_matrix((len(texts), 1), dtype=np.float32))
        x = sp.hstack(parts, format="csr", dtype=np.float32)
        return _l2(x), _l2(sp.csr_matrix(wx, dtype=np.float32))


def _l2(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(x), dtype=np.float32)


def top_k_pairs(
    x: sp.csr_matrix | np.ndarray, k: int, min_sim: float, chunk: int = 512
) -> list[tuple[int, int, float]]:
    """(i, j, cos) with i < j for each row's k nearest rows above ``min_sim``.

    Chunked sparse/dense product + argpartition: O(n * nnz-overlap) work in C, memory
    bounded by chunk * n, never a Python loop over all pairs.
    """
    n = x.shape[0]
    if n < 2:
        return []
    k = min(k, n - 1)
    xt = x.T.tocsc() if sp.issparse(x) else x.T
    found: dict[tuple[int, int], float] = {}
    for s in range(0, n, chunk):
        block = x[s : s + chunk] @ xt
        block = block.toarray() if sp.issparse(block) else np.asarray(block)
        rows = np.arange(block.shape[0])
        block[rows, rows + s] = -1.0  # not its own neighbour
        idx = np.argpartition(-block, k - 1, axis=1)[:, :k] if k < n else np.argsort(-block, axis=1)[:, :k]
        vals = block[rows[:, None], idx]
        for r, (cols, sims) in enumerate(zip(idx, vals, strict=False)):
            i = r + s
            for j, v in zip(cols.tolist(), sims.tolist(), strict=False):
                if v < min_sim:
                    continue
                key = (i, j) if i < j else (j, i)
                if key not in found:
                    found[key] = v
    return sorted(((i, j, v) for (i, j), v in found.items()), key=lambda t: (t[0], t[1]))


def pair_cosine(x: sp.csr_matrix | np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row-wise cosine of rows i[t] and j[t] (vectorised)."""
    if len(i) == 0:
        return np.zeros(0, dtype=np.float32)
    if sp.issparse(x):
        return np.asarray(x[i].multiply(x[j]).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", x[i], x[j])
