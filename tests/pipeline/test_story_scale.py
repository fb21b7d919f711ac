"""The story stage at scale: candidate generation is bounded and the shortcuts change no result."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from claims.pipeline import similarity


def _random_rows(n: int, terms: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for r in range(n):
        # a few shared common terms and a few rare ones, as sentences have
        for c in set(rng.integers(0, 8, 2).tolist()) | set(rng.integers(8, terms, 5).tolist()):
            rows.append(r)
            cols.append(c)
    x = sp.csr_matrix((rng.random(len(rows)).astype(np.float32) + 0.1, (rows, cols)), shape=(n, terms))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x, dtype=np.float32)


def test_top_k_pairs_in_slices_equals_one_product(monkeypatch):
    x = _random_rows(300, 60, seed=1)
    whole = similarity.top_k_pairs(x, 12, 0.12, cap=10)
    for rows in (1, 7, 64):
        monkeypatch.setattr(similarity, "ROWS_PER_SLICE", rows)
        assert similarity.top_k_pairs(x, 12, 0.12, cap=10) == whole
    assert whole  # the matrix does have neighbours
