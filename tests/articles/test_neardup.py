"""Near-duplicate detection. No database."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

from articles import neardup
from articles.importers import clean_text

SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def seed_docs() -> list[neardup.Doc]:
    docs = []
    for path in sorted(SEEDS.glob("*.txt")):
        body = clean_text(path.read_text()).body
        docs.append(neardup.Doc(int(path.name[:3]), body, neardup.signature(body)))
    return docs


def test_finds_the_reworded_pair_in_the_seeds_and_no_other() -> None:
    matches = neardup.find_matches(seed_docs(), [])
    assert [(m.id, m.other_id) for m in matches] == [(0, 4)]


def test_threshold_separates_the_pair_from_same_event_coverage() -> None:
    docs = {d.id: d for d in seed_docs()}
    scores = {(a, b): neardup.similarity(docs[a].body, docs[b].body) for a, b in itertools.combinations(docs, 2)}
    pair = scores.pop((0, 4))
    assert pair >= neardup.DEFAULT_THRESHOLD
    assert max(scores.values()) < neardup.DEFAULT_THRESHOLD


def test_verbatim_republication_scores_one() -> None:
    body = next(d for d in seed_docs() if d.id == 1).body
    assert neardup.similarity(body, body) == 1.0


def test_incremental_matching_against_existing_articles() -> None:
    docs = seed_docs()
    existing = [d for d in docs if d.id != 4]
    [match] = neardup.find_matches([d for d in docs if d.id == 4], existing)
    assert (match.id, match.other_id) == (0, 4)


def test_unrelated_texts_do_not_match() -> None:
    a = "The council voted to close the old bridge on Tuesday. Engineers found cracks in two pillars."
    b = "The football club signed a new striker for a record fee. Fans gathered outside the stadium."
    assert neardup.similarity(a, b) == 0.0
    assert (
        neardup.find_matches([neardup.Doc(1, a, neardup.signature(a)), neardup.Doc(2, b, neardup.signature(b))], [])
        == []
    )


def varied(body: str, rng: random.Random) -> str:
    """A seed-like variation: paragraphs dropped and shuffled, words swapped."""
    paragraphs = [p for p in body.split("\n\n") if p.strip() and rng.random() > 0.2] or [body]
    rng.shuffle(paragraphs)
    swaps = [("protesters", "demonstrators"), ("embassy", "mission"), ("soldiers", "troops")]
    text = "\n\n".join(paragraphs)
    for a, b in swaps:
        if rng.random() < 0.3:
            text = text.replace(a, b)
    return text


def test_early_exit_never_changes_which_pairs_reach_the_threshold_or_their_score() -> None:
    rng = random.Random(11)
    seeds = [d.body for d in seed_docs()]
    bodies = seeds + [varied(seeds[i % len(seeds)], rng) for i in range(40)]
    checked = reached = 0
    for a, b in itertools.combinations(bodies, 2):
        exact = neardup.similarity(a, b)
        for threshold in (0.3, neardup.DEFAULT_THRESHOLD, 0.9):
            fast = neardup.similarity(a, b, at_least=threshold)
            if exact >= threshold:
                assert fast == exact
                reached += 1
            else:
                assert fast < threshold
            checked += 1
    assert checked > 2000 and reached > 20  # both branches were exercised


def test_coverage_finds_what_comparing_every_pair_of_sentences_finds() -> None:
    """A sentence of one body given word for word in the other is taken at once; the share
    covered is what comparing it with each sentence in turn gives."""

    def by_every_pair(a, b) -> float:
        total = sum(length for _, length in a)
        covered = sum(
            length
            for words, length in a
            if words
            and any(2 * len(words & other) >= neardup.SENTENCE_MATCH * (len(words) + len(other)) for other, _ in b)
        )
        return covered / total if total else 0.0

    rng = random.Random(3)
    seeds = [d.body for d in seed_docs()]
    bodies = seeds + [varied(seeds[i % len(seeds)], rng) for i in range(15)]
    same = 0
    for a, b in itertools.permutations(bodies, 2):
        sa, sb = neardup._sentence_sets(a), neardup._sentence_sets(b)
        assert neardup._coverage(sa, sb) == by_every_pair(sa, sb)
        same += any(words in {w for w, _ in sb} for words, _ in sa)
    assert same > 50  # word-for-word sentences were there to take at once


def test_signatures_with_the_kept_permutations_are_a_fresh_minhash_s() -> None:
    from datasketch import MinHash

    for body in [*(d.body for d in seed_docs()), "", "one two three"]:
        fresh = MinHash(num_perm=neardup.NUM_PERM, seed=1, scheme=neardup.SCHEME)  # draws its permutations
        words = sorted(neardup.content_words(body))
        if words:
            fresh.update_batch([w.encode("utf-8") for w in words])
        assert neardup.signature(body) == fresh.hashvalues.astype("uint64").tobytes()
    assert not neardup._permutations().flags.writeable  # shared by every MinHash: nothing may change it
