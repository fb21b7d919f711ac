"""Near-duplicate articles: a wire story re-published, trimmed or machine-reworded elsewhere.

Pure Python. Two stages, so that a story of thousands of articles is not compared all-pairs:
1. blocking: a MinHash signature of each body's content words; locality-sensitive hashing
   proposes the pairs that share enough vocabulary, and only each article's CANDIDATES best
   candidates by estimated Jaccard similarity go on (in a story about one event every article
   shares vocabulary with every other, so the LSH bucket alone would be all pairs);
2. verification: the share of each article's text (by length) whose sentences have a close
   counterpart (content-word Dice >= 0.5) in the other, taken in the weaker direction. A
   rewording keeps most sentences' content words, so it scores high both ways; two outlets
   that merely cover the same event share some sentences but not most of both articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .importers.words import STOPWORDS

if TYPE_CHECKING:  # imported where it is used: with the parts of SciPy it loads, 39 MB a process
    from datasketch import MinHash

NUM_PERM = 64
SCHEME = "affine32"  # fixed, so that stored signatures stay comparable across datasketch upgrades
# Blocking is deliberately loose; verification decides.
LSH_THRESHOLD = 0.2
SENTENCE_MATCH = 0.5
MIN_SENTENCE_WORDS = 5
DEFAULT_THRESHOLD = 0.6
CANDIDATES = 8

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…”\"’])\s+(?=[\"“‘(\[]?[A-Z0-9])")


def content_words(text: str) -> frozenset[str]:
    # A five-letter prefix is a crude but language-light stemmer: "storming"/"stormed" -> "storm".
    return frozenset(w[:5] for w in (m.lower() for m in _WORD.findall(text)) if w not in STOPWORDS)


def sentences(body: str) -> list[str]:
    return [
        s
        for paragraph in body.split("\n\n")
        for s in _SENTENCE_END.split(paragraph)
        if len(s.split()) >= MIN_SENTENCE_WORDS
    ]


def signature(body: str) -> bytes:
    """The MinHash signature of a body's content words, as bytes for storage."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME, permutations=_permutations())
    words = sorted(content_words(body))
    if words:
        minhash.update_batch([w.encode("utf-8") for w in words])
    return minhash.hashvalues.astype(np.uint64).tobytes()


def _minhash(sig: bytes) -> MinHash:
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM,
        seed=1,
        scheme=SCHEME,
        hashvalues=np.frombuffer(sig, dtype=np.uint64),
        permutations=_permutations(),
    )


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """The permutations a MinHash of NUM_PERM and seed 1 draws: the same for every signature, and
    drawing them (a NumPy RandomState each time) was a third of making one."""
    from datasketch import MinHash

    permutations: np.ndarray = MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations
    permutations.flags.writeable = False
    return permutations


@lru_cache(maxsize=4096)
def _sentence_sets(body: str) -> tuple[tuple[frozenset[str], int], ...]:
    return tuple((content_words(s), len(s)) for s in sentences(body))


def _coverage(
    a: Sequence[tuple[frozenset[str], int]], b: Sequence[tuple[frozenset[str], int]], at_least: float = 0.0
) -> float:
    """Share of `a`'s sentence text that has a close counterpart in `b`.

    Stops as soon as the share cannot reach `at_least`, and then returns a figure below it.
    """
    total = sum(length for _, length in a)
    if not total:
        return 0.0
    covered, left = 0, total
    same = {other for other, _ in b}  # a sentence given word for word (most of a copy's) is found at once
    for words, length in a:
        left -= length
        if words and words in same:
            covered += length
        else:
            for other, _ in b:
                if words and 2 * len(words & other) >= SENTENCE_MATCH * (len(words) + len(other)):
                    covered += length
                    break
        if covered + left < at_least * total:
            return (covered + left) / total
    return covered / total


def similarity(body_a: str, body_b: str, at_least: float = 0.0) -> float:
    """How far two bodies are the same article (0..1), in the weaker of the two directions.

    Exact when it is at least `at_least`; below that, some figure below `at_least` (a pair that
    cannot reach the threshold stops early: verification was most of an import's time).
    """
    a, b = _sentence_sets(body_a), _sentence_sets(body_b)
    first = _coverage(a, b, at_least)
    if first < at_least:
        return first
    return min(first, _coverage(b, a, at_least))


@dataclass(frozen=True)
class Doc:
    id: int
    body: str
    signature: bytes


@dataclass(frozen=True)
class Match:
    id: int
    other_id: int
    similarity: float


def find_matches(new: Iterable[Doc], existing: Iterable[Doc], threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
    """Every pair (a new doc, any doc) whose similarity reaches the threshold, best first."""
    from datasketch import MinHashLSH

    new = list(new)
    everything = {doc.id: doc for doc in [*existing, *new]}
    ids = sorted(everything)
    row = {doc_id: r for r, doc_id in enumerate(ids)}
    signatures = np.stack([np.frombuffer(everything[i].signature, dtype=np.uint64) for i in ids])
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for doc_id in ids:
        lsh.insert(doc_id, _minhash(everything[doc_id].signature))
    seen: set[tuple[int, int]] = set()
    matches: list[Match] = []
    for doc in new:
        candidates = sorted(other for other in lsh.query(_minhash(doc.signature)) if other != doc.id)
        if len(candidates) > CANDIDATES:
            # Estimated Jaccard = share of equal MinHash values; keep the best, ties by id.
            estimate = (signatures[[row[c] for c in candidates]] == signatures[row[doc.id]]).mean(axis=1)
            order = np.lexsort((np.array(candidates), -estimate))[:CANDIDATES]
            candidates = [candidates[k] for k in order.tolist()]
        for other_id in candidates:
            pair = (min(doc.id, other_id), max(doc.id, other_id))
            if pair in seen:
                continue
            seen.add(pair)
            score = similarity(doc.body, everything[other_id].body, at_least=threshold)
            if score >= threshold:
                matches.append(Match(pair[0], pair[1], round(score, 4)))
    return sorted(matches, key=lambda m: (-m.similarity, m.id, m.other_id))
