"""The story stage at scale: candidate generation is bounded and the shortcuts change no result."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp

from claims.pipeline import similarity
from claims.pipeline.conflicts.quotes import _FILLER, compare_quotes, could_be_one_utterance, quote_tokens


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


def test_earlier_neighbours_in_slices_equal_one_product(monkeypatch):
    x = _random_rows(300, 60, seed=1)
    anchors, _ = similarity.first_anchors(x, cap=10)
    whole = similarity.earlier_neighbours(x, anchors, 12, 0.12)
    for rows in (1, 7, 64):
        monkeypatch.setattr(similarity, "ROWS_PER_SLICE", rows)
        assert similarity.earlier_neighbours(x, anchors, 12, 0.12) == whole
    assert whole  # the matrix does have neighbours
    assert all(i < j for i, j, _ in whole)
    assert max(Counter(j for _, j, _ in whole).values()) <= 12


def test_rows_added_later_add_pairs_and_change_none():
    """Anchors and neighbours of rows taken in two blocks are those of all rows at once: the
    first block's pairs stay, and the second block's rows find what one run would find."""
    x = _random_rows(400, 60, seed=2)
    whole_anchors, whole_counts = similarity.first_anchors(x, cap=10)
    whole = similarity.earlier_neighbours(x, whole_anchors, 12, 0.12)
    first, counts = similarity.first_anchors(x[:250], cap=10)
    second, counts = similarity.first_anchors(x[250:], cap=10, seen=counts)
    anchors = sp.vstack([first, second], format="csr")
    assert (anchors != whole_anchors).nnz == 0
    assert np.array_equal(counts, whole_counts)
    before = similarity.earlier_neighbours(x[:250], first, 12, 0.12)
    added = similarity.earlier_neighbours(x, anchors, 12, 0.12, start=250)
    assert sorted(before + added) == whole
    assert added and all(j >= 250 for _, j, _ in added)
    # a column's anchors are its first rows: a column with more than 10 rows keeps exactly 10
    per_column = np.diff(sp.csc_matrix(whole_anchors).indptr)
    assert per_column.max() == 10 and (np.diff(sp.csc_matrix(x).indptr) > 10).any()


QUOTES = [
    "We will rebuild every house that was destroyed, and we will do it quickly",
    "We are going to rebuild every home that was destroyed and we'll do it quickly",
    "We will not rebuild every house that was destroyed",
    "Iran will be held fully responsible for lives lost, or damage incurred",
    "Iran will be held fully responsible for lives lost, or damage incurred, at any of our facilities",
    "They will pay a very BIG PRICE! This is not a Warning, it is a Threat",
    "This is not a warning, it is a threat",
    "The ambassador was not evacuated and remains in the compound",
    "Happy New Year",
    "It was a very, very sad day for all of us",
    "It was a sad day for everybody",
    "the",
    "",
]


def test_the_word_count_filter_never_drops_one_utterance():
    def material(text: str) -> Counter[str]:
        return Counter(t.word for t in quote_tokens(text) if t.word not in _FILLER)

    kept = 0
    for a, b in itertools.combinations(QUOTES, 2):
        if compare_quotes(a, b).same_utterance:
            assert could_be_one_utterance(material(a), material(b)), (a, b)
            kept += 1
    assert kept >= 3
    # and it does drop pairs that share a word or two
    assert not could_be_one_utterance(material(QUOTES[0]), material(QUOTES[9]))


def _sentences() -> list[str]:
    from claims.pipeline.inputs import load_seeds
    from claims.pipeline.sentences import split_sentences

    return [
        *(s.text for a in load_seeds() for s in split_sentences(a.body)),
        "Hahaha, the U.S. and the E.U. said: “No.” Ça va? Twenty-five 25,000 3.5 a I x",
        "A an the of",  # stop words only
        "Naïve café résumé — l'État, O’Neill's co-op",
    ]


def test_vectors_are_scikit_learns_tfidf_vectors():
    """The backend counts words and character n-grams its own way, and keeps the statistics so
    that texts added later get comparable vectors; on the texts it was fitted on, the vectors
    are the ones TfidfVectorizer gives (to float32 rounding: the backend sums each row in
    column order, so that a text's vector is the same in whichever run it is made)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from claims.pipeline.text import STOPWORDS, TOKEN_RE

    texts = _sentences()
    assert len(texts) > 50  # so that max_df applies to the character n-grams
    word = TfidfVectorizer(analyzer=similarity._word_analyzer, sublinear_tf=True, dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 4), sublinear_tf=True, dtype=np.float32, max_df=0.5)
    char_texts = [
        " ".join(w for w in (m.group().lower() for m in TOKEN_RE.finditer(t)) if w not in STOPWORDS) for t in texts
    ]
    weight = similarity.TfidfBackend().word_weight
    parts = [word.fit_transform(texts) * math.sqrt(weight), char.fit_transform(char_texts) * math.sqrt(1 - weight)]
    expected = similarity._l2(sp.hstack(parts, format="csr", dtype=np.float32))
    stats, got, _blocking = similarity.TfidfBackend().fit(texts)
    # the columns kept for features the statistics have not seen are empty for the texts they were fitted on
    seen = np.r_[np.arange(len(stats.word.vocabulary)), stats.word.width + np.arange(len(stats.chars.vocabulary))]
    assert got.nnz == got[:, seen].nnz
    got = sp.csr_matrix(got[:, seen])
    got.sort_indices()
    expected.sort_indices()
    assert got.shape == expected.shape
    for name in ("indptr", "indices"):
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-6)
    # and a text vectorised later, under the same statistics, gets the very same vector
    again = stats.vectors(texts[:3] + texts[40:41])
    assert (again != stats.vectors(texts)[[0, 1, 2, 40]]).nnz == 0


def test_the_vocabulary_finds_each_features_column_as_a_dict_would():
    """The compact vocabulary (short features in one fixed-width array, long ones in a dict)
    gives each feature its place in the sorted order, -1 for any other: prefixes of a feature,
    features one byte longer, non-ASCII ones, ones longer than its width."""
    rng = np.random.default_rng(7)
    alphabet = [*list("abcdé’ "), "ß", "北"]
    width = similarity.Vocabulary.WIDTH
    words = {"".join(rng.choice(alphabet, size=int(n))) for n in rng.integers(1, width + 12, size=3000)}
    words |= {"a" * width, "a" * (width + 1), "a" * (width - 1), "b" * (width // 4) + "é" * (width // 2)}
    names = sorted(words)
    vocabulary = similarity.Vocabulary(names)
    assert vocabulary.long and len(vocabulary.short)  # both kinds are there
    expected = {name: c for c, name in enumerate(names)}
    asked = names + [n + "a" for n in names[::7]] + [n[:-1] for n in names[::5]] + ["", "zzz", "a" * (width + 2)]
    got = vocabulary.columns(asked)
    assert got.tolist() == [expected.get(f, -1) for f in asked]
    assert similarity.Vocabulary([]).columns(["a"]).tolist() == [-1]


def test_content_terms_read_token_by_token_are_the_same():
    def by_text(text: str) -> list[str]:  # the function as it was, a loop over one text's tokens
        from claims.pipeline.quantities import word_value
        from claims.pipeline.text import STOPWORDS, TOKEN_RE, stem

        out = []
        for m in TOKEN_RE.finditer(text):
            w = m.group()
            lw = w.lower()
            if lw in STOPWORDS and not (len(w) >= 2 and w.isupper()):
                continue
            if similarity._NUMWORD.match(lw):
                v = word_value(lw)
                if v is not None:
                    out.append(str(int(v)))
                    continue
            if len(lw) < 2 and not lw.isdigit():
                continue
            out.append(stem(w.replace(",", "")) if not w[0].isdigit() else w.replace(",", ""))
        return out

    for text in _sentences():
        assert similarity.content_terms(text) == by_text(text), text


def test_a_quantitys_clause_is_what_splitting_at_every_break_gives():
    from claims.pipeline import frames

    for text in _sentences():
        for start in range(0, len(text), 7):
            end = min(len(text), start + 5)
            split = (frames._CLAUSE_BREAK.split(text[:start])[-1], frames._CLAUSE_BREAK.split(text[end:])[0])
            assert frames._clause_whole(text, start, end) == split, (text, start)


def test_the_collector_is_paused_during_the_stage_and_back_after(seed_articles, seed_extractions):
    import gc

    from claims.pipeline import analyse_story

    during: list[bool] = []
    analyse_story(seed_extractions, seed_articles, observe=lambda _stage: during.append(gc.isenabled()))
    assert during and not any(during)
    assert gc.isenabled()

    def fail(stage: str) -> None:
        if stage == "conflicts":
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        analyse_story(seed_extractions, seed_articles, observe=fail)
    assert gc.isenabled()


def test_prefix_filtering_finds_every_pair_that_shares_enough_words():
    from claims.pipeline.conflicts.quotes import _pairs_sharing_enough

    rng = np.random.default_rng(7)
    vocabulary = [f"w{i}" for i in range(40)]
    material: dict[str, Counter[str]] = {}
    for i in range(400):
        size = int(rng.integers(0, 14))
        # skewed: low-numbered words are common, as in real quotations
        words = [vocabulary[min(int(rng.exponential(8)), 39)] for _ in range(size)]
        material[f"v{i:03d}"] = Counter(words)
    every = [
        (a, b)
        for a, b in itertools.combinations(sorted(material), 2)
        if could_be_one_utterance(material[a], material[b])
    ]
    found = _pairs_sharing_enough(material)
    assert set(every) <= set(found)
    assert found == sorted(found) and all(a < b for a, b in found)
    assert len(every) > 50  # the test has pairs to find
