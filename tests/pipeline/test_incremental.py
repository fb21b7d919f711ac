"""The story stage run by run (``StoryIndex``) gives what one run over the whole story gives.

The reference is ``analyse_story`` on every article so far, with every claim of the earlier runs
fixed (as the persisted stage hands them over) and the same statistics: same claims, same
merge suggestions, same conflicts. On the seed story always, and on real news when the
development stories are beside the project.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from bench.corpus import full_length_articles, multinews_documents
from claims.pipeline import analyse_story, extract_article
from claims.pipeline.incremental import StoryIndex
from claims.pipeline.types import ArticleExtraction, ArticleText, StoryAnalysis


def _runs_agree(
    articles: list[ArticleText], extractions: list[ArticleExtraction], batches: list[int]
) -> list[tuple[StoryIndex, StoryAnalysis, StoryAnalysis]]:
    """Build on the first batch, add the others one by one; each run against the full run (with
    the statistics the run used: the index's own, or new ones when the run took them again).
    The first item is the first batch's."""
    index, analysis = StoryIndex.build(extractions[: batches[0]], articles[: batches[0]])
    assert analysis == analyse_story(extractions[: batches[0]], articles[: batches[0]])
    done = batches[0]
    runs: list[tuple[StoryIndex, StoryAnalysis, StoryAnalysis]] = [(index, analysis, analysis)]
    for size in batches[1:]:
        fixed, stats = index.fixed_claims(), index.stats
        added = index.add(extractions[done : done + size], articles[done : done + size])
        done += size
        same_stats = index.stats is stats
        full = analyse_story(extractions[:done], articles[:done], fixed=fixed, stats=stats if same_stats else None)
        assert added.clusters == full.clusters
        assert added.suggestions == full.suggestions
        assert added.conflicts == full.conflicts
        runs.append((index, added, full))
    return runs


def _grew(before: StoryAnalysis, after: StoryAnalysis) -> tuple[int, int]:
    """(earlier claims that gained a mention, claims made by the run)."""
    old = {c.extends or c.id: c for c in before.clusters}
    gained = sum(1 for c in after.clusters if c.extends in old and len(c.mentions) > len(old[c.extends].mentions))
    made = sum(1 for c in after.clusters if c.extends is None)
    return gained, made


def _no_refresh(monkeypatch) -> None:
    from claims.pipeline import incremental

    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 100.0)


def test_the_seed_story_article_by_article(seed_articles, seed_extractions, monkeypatch):
    _no_refresh(monkeypatch)
    runs = _runs_agree(seed_articles, seed_extractions, [2, 1, 1, 1])
    assert all(index.stats.mentions == len([m for e in seed_extractions[:2] for m in e.mentions]) for index, *_ in runs)
    first = analyse_story(seed_extractions[:2], seed_articles[:2])
    gained, made = _grew(first, runs[1][1])
    assert gained and made  # the third article joins claims of the first two and makes its own
    assert runs[-1][1].conflicts  # the seed story's disagreements, found run by run


def test_an_article_that_comes_before_the_story_makes_a_full_run(seed_articles, seed_extractions):
    """Mentions of an article whose id sorts before the story's last: the run is a full one
    (``refresh``), and still what a full run with every claim fixed gives."""
    order = [0, 1, 3, 4, 2]
    arts = [seed_articles[i] for i in order]
    exs = [seed_extractions[i] for i in order]
    index, _ = StoryIndex.build(exs[:4], arts[:4])
    fixed = index.fixed_claims()
    added = index.add(exs[4:], arts[4:])
    full = analyse_story(exs, arts, fixed=fixed)
    assert added == full
    assert index.stats.mentions == sum(len(e.mentions) for e in exs)  # statistics taken again


def test_statistics_are_taken_again_once_the_story_has_grown(seed_articles, seed_extractions, monkeypatch):
    from claims.pipeline import incremental

    index, _ = StoryIndex.build(seed_extractions[:4], seed_articles[:4])
    counted = index.stats.mentions
    monkeypatch.setattr(incremental, "REFRESH_GROWTH", 1.01)
    fixed = index.fixed_claims()
    added = index.add(seed_extractions[4:], seed_articles[4:])
    assert index.stats.mentions > counted
    assert added == analyse_story(seed_extractions, seed_articles, fixed=fixed)


def test_adding_nothing_changes_nothing(seed_articles, seed_extractions):
    index, analysis = StoryIndex.build(seed_extractions, seed_articles)
    again = index.add([], [])
    assert [c.mentions for c in again.clusters] == [c.mentions for c in analysis.clusters]
    assert [dataclasses.replace(c, id="", extends=None) for c in again.clusters] == [
        dataclasses.replace(c, id="", extends=None) for c in analysis.clusters
    ]
    assert [dataclasses.replace(c, cluster_a=None, cluster_b=None) for c in again.conflicts] == [
        dataclasses.replace(c, cluster_a=None, cluster_b=None) for c in analysis.conflicts
    ]


@pytest.mark.skipif(full_length_articles() is None, reason="development stories not beside the project")
def test_full_length_real_articles_outlet_by_outlet(monkeypatch):
    """NewsWCL50: ten events of five outlets each; three outlets first, then one at a time,
    under the first three's statistics and then with them taken again."""
    articles = full_length_articles() or []
    gained = 0
    for refresh in (False, True):
        if not refresh:
            _no_refresh(monkeypatch)
        else:
            monkeypatch.undo()
        for event in range(0, len(articles), 5):
            arts = articles[event : event + 5]
            exs = [extract_article(a) for a in arts]
            runs = _runs_agree(arts, exs, [3, 1, 1])
            first_three = len([m for e in exs[:3] for m in e.mentions])
            assert (runs[-1][0].stats.mentions > first_three) is refresh  # taken again, or not
            gained += _grew(runs[0][1], runs[1][1])[0]
    assert gained >= 10  # fourth outlets state facts the first three stated


@pytest.mark.skipif(multinews_documents(1) is None, reason="development stories not beside the project")
def test_a_heavy_news_day_in_batches(monkeypatch):
    """400 real documents, then 10, 1 and 25 more: new mentions join earlier claims, make new ones,
    and meet earlier mentions in conflicts, exactly as in a full run."""
    _no_refresh(monkeypatch)
    arts = multinews_documents(436) or []
    exs = [extract_article(a) for a in arts]
    runs = _runs_agree(arts, exs, [400, 10, 1, 25])
    grew = [_grew(a[1], b[1]) for a, b in itertools.pairwise(runs)]
    assert sum(g for g, _ in grew) and sum(m for _, m in grew)
    new_keys = {m.key for e in exs[400:] for m in e.mentions}
    assert any({*c.side_a, *c.side_b} & new_keys for c in runs[-1][1].conflicts)


def _articles(*bodies: str) -> tuple[list[ArticleText], list[ArticleExtraction]]:
    arts = [ArticleText(id=i + 1, body=b, outlet=f"Outlet {i + 1}") for i, b in enumerate(bodies)]
    return arts, [extract_article(a) for a in arts]


FIRST = "Three soldiers were killed when rockets hit the Ain al-Asad air base on Sunday, officials said."
SECOND = (
    "Half a dozen soldiers were killed when rockets hit the Ain al-Asad air base on Sunday, a spokesman said. "
    "The attack came after a week of rising tension."
)
THIRD = "Three soldiers were killed when rockets hit the Ain al-Asad air base on Sunday, according to the army."
FOURTH = "Nine soldiers were killed when rockets struck the Ain al-Asad air base on Sunday, local media reported."


def test_a_new_outlet_joins_the_side_it_takes_in_a_number_conflict(monkeypatch):
    """The third outlet says what the first said: the conflict the first two made now has it on the
    first one's side; the fourth says another figure: a conflict with an earlier claim, found in
    the run that adds it. Both as a full run finds them."""
    _no_refresh(monkeypatch)
    arts, exs = _articles(FIRST, SECOND, THIRD, FOURTH)
    runs = _runs_agree(arts, exs, [2, 1, 1])
    (before,) = [c for c in runs[0][1].conflicts if c.kind == "number"]
    (after,) = [c for c in runs[1][1].conflicts if c.kind == "number" and {k[0] for k in c.side_a} == {1, 3}]
    assert {k[0] for k in before.side_a} == {1} and {k[0] for k in after.side_b} == {2}
    assert any(c.kind == "number" and 4 in {k[0] for k in (*c.side_a, *c.side_b)} for c in runs[2][1].conflicts)


EVACUATED = "The ambassador was evacuated from the embassy in Baghdad on Tuesday, officials said."
NOT_EVACUATED = "The ambassador was not evacuated from the embassy in Baghdad on Tuesday, a spokesman said."
EVACUATED_AGAIN = "The ambassador was evacuated from the embassy in Baghdad on Tuesday, according to Reuters."


def test_a_new_outlet_joins_the_side_it_takes_in_a_negation_conflict(monkeypatch):
    _no_refresh(monkeypatch)
    arts, exs = _articles(EVACUATED, NOT_EVACUATED, EVACUATED_AGAIN)
    runs = _runs_agree(arts, exs, [2, 1])
    (before,) = [c for c in runs[0][1].conflicts if c.kind == "negation"]
    (after,) = [c for c in runs[1][1].conflicts if c.kind == "negation"]
    assert {k[0] for k in before.side_b} == {1} and {k[0] for k in after.side_b} == {1, 3}


CROSSWISE = [
    "The minister signed the agreement but did not meet the rebel leaders in Doha, his office said.",
    "The minister met the rebel leaders in Doha but did not sign the agreement, his office said.",
    "The minister did not meet the rebel leaders in Doha and did not sign the agreement, aides said.",
    "The minister met the rebel leaders in Doha and signed the agreement, aides said.",
    "The rebel leaders were not met by anyone in Doha, a spokesman said.",
    # alike in nothing but the two predicates: a pair alignment does not find, proposed by the scan
    "Despite weeks of pressure from Washington, the delegation from Kabul did not meet anyone and did not sign "
    "a single document during the visit.",
    "In Geneva, Swiss and Norwegian diplomats met privately on Friday evening and signed two humanitarian "
    "protocols covering prisoner exchanges.",
]


def test_negation_candidates_about_some_predicates_are_those_of_all_in_order():
    """A pair of mentions is proposed once, at its first place in the order of all candidates:
    restricted to some predicates, the candidates are all candidates about them, in that order,
    also for pairs that negate and affirm two predicates crosswise (and on real news, when the
    development stories are there)."""
    from claims.pipeline.conflicts import negation
    from claims.pipeline.conflicts.context import Ctx
    from claims.pipeline.polarity import polarity

    stories = [_articles(*CROSSWISE)]
    real = full_length_articles()
    if real:
        stories.append((real[:20], [extract_article(a) for a in real[:20]]))
    for story_arts, story_exs in stories:
        analysis_index, _ = StoryIndex.build(story_exs, story_arts)
        al = analysis_index._align([], {})
        ctx = Ctx(
            al,
            al.mentions,
            {m.key: m for m in al.mentions},
            {m.key: i for i, m in enumerate(al.mentions)},
            [str(c) for c in analysis_index.fixed],
            {},
            {m.article_id: f"outlet {m.article_id}" for m in al.mentions},
            al.idf,
        )
        pols = {m.key: polarity(m.text) for m in ctx.mentions}
        negating = {m.key for m in ctx.mentions if pols[m.key].negated}
        every = [(a.key, b.key, p) for a, b, p, *_ in negation._candidates(ctx, pols, negating)]
        predicates = sorted({p for _, _, p in every})
        assert len(predicates) >= 2
        index = negation.PredicateIndex()
        fewer = 0
        index.extend(ctx.mentions)
        whole = negation.negation_groups(ctx)
        assert whole  # conflicts to find again
        for chosen in [{p} for p in predicates] + [set(predicates[::2]), set(predicates)]:
            for p in chosen:
                assert [ctx.mentions[i] for i in index.negated[p]] == [
                    m for m in ctx.mentions if p in pols[m.key].negated
                ]
                assert [ctx.mentions[i] for i in index.affirmed[p]] == [
                    m for m in ctx.mentions if p in pols[m.key].affirmed
                ]
            # as a run about ``chosen`` reads them: the polarity of the mentions it compares only
            read = negation._Polarities(ctx)
            found = list(negation._candidates_about(ctx, read, chosen, index))
            assert [(a.key, b.key, p) for a, b, p, *_ in found] == [c for c in every if c[2] in chosen], chosen
            fewer += len(read) < len(ctx.mentions)
            assert negation.negation_groups(ctx, only=chosen, predicates=index) == [
                g for g in whole if g[1] in chosen
            ], chosen
            # only the pairs with a mention from ``since`` on, as a run that added those mentions judges them
            since = len(ctx.mentions) * 2 // 3
            later = [
                (a.key, b.key, p)
                for a, b, p, *_ in negation._candidates_about(ctx, negation._Polarities(ctx), chosen, index, since)
            ]
            assert later == [c for c in every if c[2] in chosen and max(ctx.index[c[0]], ctx.index[c[1]]) >= since]
        assert fewer  # some runs about a few predicates read fewer polarities than the story has


def test_earlier_articles_found_to_copy_a_new_one(seed_articles, seed_extractions, monkeypatch):
    """A new article turns out to be the original of two earlier ones (it was published first):
    sources and conflicts are counted again, the two earlier articles now one source."""
    _no_refresh(monkeypatch)
    index, _ = StoryIndex.build(seed_extractions[:4], seed_articles[:4])
    fixed, stats = index.fixed_claims(), index.stats
    copies = [dataclasses.replace(a, duplicate_of=seed_articles[4].id) for a in seed_articles[1:3]]
    added = index.add(seed_extractions[4:], [seed_articles[4], *copies])
    arts = [seed_articles[0], *copies, *seed_articles[3:]]
    full = analyse_story(seed_extractions, arts, fixed=fixed, stats=stats)
    assert added == full
    before = analyse_story(seed_extractions, seed_articles, fixed=fixed, stats=stats)
    assert added.clusters != before.clusters


def test_a_conflict_of_earlier_articles_when_they_turn_out_to_be_copies(monkeypatch):
    """Two outlets said "three", a third "half a dozen"; a new article turns out to be what the
    first two copied: their side is one source now, in a conflict no new mention is in."""
    _no_refresh(monkeypatch)
    arts, exs = _articles(FIRST, THIRD, SECOND, "Officials gave no figure for the wounded on Monday.")
    index, first = StoryIndex.build(exs[:3], arts[:3])
    (conflict,) = [c for c in first.conflicts if c.kind == "number"]
    assert {k[0] for k in conflict.side_a} == {1, 2}
    fixed, stats = index.fixed_claims(), index.stats
    copies = [dataclasses.replace(a, duplicate_of=4) for a in arts[:2]]
    added = index.add(exs[3:], [arts[3], *copies])
    full = analyse_story(exs, [*copies, *arts[2:]], fixed=fixed, stats=stats)
    assert added == full
    (now,) = [c for c in added.conflicts if c.kind == "number"]
    assert now.confidence < conflict.confidence  # several sources on a side no more


def test_a_new_outlet_joins_date_and_attribution_conflicts(monkeypatch):
    """Within a claim: a new outlet's date and the source it credits join the side they take; a
    run that changes other claims keeps them."""
    _no_refresh(monkeypatch)
    arts, exs = _articles(
        "The embassy staff left Baghdad on 3 March 2024 after the attack, Reuters reported.",
        "The embassy staff left Baghdad on 5 March 2024 after the attack, the Associated Press reported.",
        "The embassy staff left Baghdad on 3 March 2024 after the attack on the compound, Reuters reported.",
        "Heavy rain is forecast for the weekend in Basra, the weather service said.",
    )
    runs = _runs_agree(arts, exs, [2, 1, 1])  # the last run adds an unrelated claim: both are kept
    for kind in ("date", "attribution"):
        (before,) = [c for c in runs[0][1].conflicts if c.kind == kind]
        (after,) = [c for c in runs[1][1].conflicts if c.kind == kind]
        sides = [{k[0] for k in side} for side in (before.side_a, before.side_b, after.side_a, after.side_b)]
        assert {1} in sides[:2] and {1, 3} in sides[2:], kind
        assert after in runs[2][1].conflicts


def test_an_index_kept_on_disk_goes_on_as_the_one_in_memory(seed_articles, seed_extractions, monkeypatch):
    """``dump`` keeps what a run changes, ``dump_log`` what it adds (statistics, mentions,
    articles), which a caller keeps apart and adds to: the loaded index adds articles as the
    original does, run after run, and every reference to a mention is that mention."""
    import io
    import pickle

    _no_refresh(monkeypatch)
    index, _ = StoryIndex.build(seed_extractions[:3], seed_articles[:3])
    index.kept = {"written": {1: ("a",)}}
    log, records = io.BytesIO(), 0
    loaded = index
    for n in (3, 4):
        if loaded is not index:  # an entry the caller keeps changed, one removed, one added
            for ix in (index, loaded):
                ix.kept["written"] = {**{k: v for k, v in ix.kept["written"].items() if k != 1}, 2: ("b",), 3: ("c",)}
        loaded.dump_log(log, fresh=not records)  # only what was added since
        records += 1
        kept = io.BytesIO()
        loaded.dump(kept)
        # the log's parts are not in it: no article's text, no mention pickled whole
        assert seed_articles[0].body[:80].encode() not in kept.getvalue()
        assert len(kept.getvalue()) < len(pickle.dumps(loaded)) - len(pickle.dumps(loaded.rows.mentions))
        kept.seek(0)
        log.seek(0)
        loaded = StoryIndex.load(kept, StoryIndex.load_log(log, records))
        log.seek(0, io.SEEK_END)
        assert loaded.kept == index.kept and loaded is not index
        # what the log keeps by key (what each run set and removed), the lists that grow in place included
        assert loaded._keyed() == index._keyed() and loaded.memo.blocks.mentions == index.memo.blocks.mentions
        assert {len(ms) for ms in index.memo.blocks.values()} != {1}
        assert [m.key for m in loaded.rows.mentions] == [m.key for m in index.rows.mentions]
        assert loaded.articles == index.articles and loaded.stats.idf == index.stats.idf
        in_blocks = [m for block in loaded.memo.blocks.values() for m in block]
        assert in_blocks and all(m is loaded.mention(m.key) for m in in_blocks)
        step = slice(n, n + 1)
        assert loaded.add(seed_extractions[step], seed_articles[step]) == index.add(
            seed_extractions[step], seed_articles[step]
        )
    kept = io.BytesIO()
    loaded.dump(kept)
    kept.seek(0)
    log.seek(0)
    with pytest.raises((IndexError, ValueError)):  # the last run's mentions and article were not logged: not used
        StoryIndex.load(kept, StoryIndex.load_log(log, records))


def test_a_changed_article_is_logged_again_and_read_as_it_is_now(seed_articles, seed_extractions, monkeypatch):
    """An earlier article found to copy a new one is logged again: the log's last record of it counts."""
    import io

    _no_refresh(monkeypatch)
    index, _ = StoryIndex.build(seed_extractions[:4], seed_articles[:4])
    log = io.BytesIO()
    index.dump_log(log, fresh=True)
    copy = dataclasses.replace(seed_articles[1], duplicate_of=seed_articles[4].id)
    index.add(seed_extractions[4:], [seed_articles[4], copy])
    index.dump_log(log, fresh=False)
    log.seek(0)
    logged = StoryIndex.load_log(log, 2)
    assert logged.articles == index.articles and logged.articles[copy.id].duplicate_of == seed_articles[4].id
    assert [m.key for m in logged.mentions] == [m.key for m in index.rows.mentions]


def test_what_the_index_no_longer_describes(seed_articles, seed_extractions):
    index, _ = StoryIndex.build(seed_extractions[:3], seed_articles[:3], fixed=None)
    index.name_claims(list(range(100, 100 + len(index.clusters))))
    claims = index.fixed_claims()
    assert index.disagreement(claims, seed_articles) is None  # the articles added since are new work
    # Which article copies which may change: add counts the sources again.
    copied = [dataclasses.replace(seed_articles[1], duplicate_of=seed_articles[0].id), *seed_articles[2:]]
    assert index.disagreement(claims, [seed_articles[0], *copied]) is None

    merged = dict(claims)
    merged[100] = [*merged[100], *merged.pop(101)]
    assert index.disagreement(merged, seed_articles) == "claims changed since the last run: 100, 101"
    big = next(c for c, keys in claims.items() if len(keys) > 1 and c != 100)  # a split: one mention moves
    split = {**claims, big: claims[big][1:], 100: [*claims[100], claims[big][0]]}
    assert index.disagreement(split, seed_articles) == f"claims changed since the last run: 100, {big}"
    edited = [
        seed_articles[0],
        dataclasses.replace(seed_articles[1], body=seed_articles[1].body + " More."),
        *seed_articles[2:],
    ]
    assert index.disagreement(claims, edited) == f"article {seed_articles[1].id} changed"
    assert index.disagreement(claims, seed_articles[1:]) == f"article {seed_articles[0].id} is gone"


# Alike in nothing but their last clause: a pair alignment does not find, proposed by the scan
# for the first predicate one negates and the other affirms ("reach"), and for the next one
# ("unload") once the first is affirmed too often to propose pairs by itself.
NOT_REACHED = (
    "Despite weeks of pressure from Washington, repeated appeals from European capitals, furious protests outside "
    "parliament, a collapsing currency and warnings from the World Bank about famine in the north, the convoy did "
    "not reach Rafah and did not unload."
)
REACHED = (
    "Aid agencies in Cairo, citing satellite images, interviews with exhausted drivers, customs ledgers, fuel "
    "receipts and radio logs kept by volunteers from three different charities, confirmed overnight that the "
    "convoy reached Rafah and unloaded."
)
TRUCKS_REACHED = "Trucks reached the warehouse in Gaza City late on Monday, the agency said."


def test_a_predicate_affirmed_too_often_by_the_new_mentions(monkeypatch):
    """A new mention makes "reach" affirmed more often than MAX_AFFIRMING: the scan no longer
    proposes the pair for it, but for "unload", which no new mention is about. The run finds the
    conflicts a full run finds: about "unload" now, no longer about "reach"."""
    from claims.pipeline import conflicts
    from claims.pipeline.conflicts import negation

    _no_refresh(monkeypatch)
    monkeypatch.setattr(negation, "MAX_AFFIRMING", 1)
    monkeypatch.setattr(conflicts, "MAX_AFFIRMING", 1)
    arts, exs = _articles(NOT_REACHED, REACHED, TRUCKS_REACHED)
    runs = _runs_agree(arts, exs, [2, 1])
    assert not runs[0][0].pair_scores  # not alike: the scan proposed the pair
    surface = [[c.explanation.split("“")[-1].split("”")[0] for c in run[1].conflicts] for run in runs]
    assert surface == [["reach"], ["unload"]]
    # what the run keeps for the next one is what a full run keeps: no pair left for "reach"
    index = runs[-1][0]
    whole, _ = StoryIndex.build(exs, arts, fixed=runs[0][0].fixed_claims(), stats=index.stats)
    assert index.memo.negation_pairs == whole.memo.negation_pairs
    assert set(index.memo.negation_pairs) == {"unload"}


def _read_back(index: StoryIndex, log, records: int) -> tuple[StoryIndex, int]:
    """``index`` kept as a worker keeps it (a record added to its log, its pickle written) and
    read back; with the log's records now."""
    import io

    log.seek(0, io.SEEK_END)
    index.dump_log(log, fresh=not records)
    kept = io.BytesIO()
    index.dump(kept)
    kept.seek(0)
    log.seek(0)
    return StoryIndex.load(kept, StoryIndex.load_log(log, records + 1)), records + 1


def _same_parts(a: StoryIndex, b: StoryIndex) -> None:
    """The parts that only grow, which the log keeps, are the same in both."""
    import scipy.sparse as sp

    for name, part in a._grown().items():
        other = b._grown()[name]
        if sp.issparse(part):
            assert part.shape == other.shape and (part != other).nnz == 0, name
        else:  # in the same order too: the log keeps what was added after a part's first items
            assert (list(part.items()) if isinstance(part, dict) else part) == (
                list(other.items()) if isinstance(other, dict) else other
            ), name
    assert a.memo.asserting.index == b.memo.asserting.index
    assert a.memo.quotes.by_word == b.memo.quotes.by_word


@pytest.mark.skipif(multinews_documents(1) is None, reason="development stories not beside the project")
def test_an_index_read_back_after_every_run_goes_on_as_the_one_in_memory_on_real_news(monkeypatch):
    """100 real documents, then 10 at a time: read back from its log and pickle after every run,
    the index holds what the one kept in memory holds and finds what it finds."""
    import io

    _no_refresh(monkeypatch)
    arts = multinews_documents(140) or []
    exs = [extract_article(a) for a in arts]
    index, _ = StoryIndex.build(exs[:100], arts[:100])
    loaded, log, records = index, io.BytesIO(), 0
    for at in range(100, 140, 10):
        loaded, records = _read_back(loaded, log, records)
        _same_parts(loaded, index)
        assert index.memo.judged and not loaded.memo.judged  # held in memory only
        step = slice(at, at + 10)
        assert loaded.add(exs[step], arts[step]) == index.add(exs[step], arts[step])
    _same_parts(loaded, index)


def test_an_index_read_back_after_a_run_that_found_its_conflicts_again(seed_articles, seed_extractions, monkeypatch):
    """A new article turns out to be the original of two earlier ones: that run finds every
    conflict again (certainty's and quotations' indexes made afresh); read back after it, the
    index still holds what the one in memory holds."""
    import io

    _no_refresh(monkeypatch)
    index, _ = StoryIndex.build(seed_extractions[:4], seed_articles[:4])
    log = io.BytesIO()
    loaded, records = _read_back(index, log, 0)
    copies = [dataclasses.replace(a, duplicate_of=seed_articles[4].id) for a in seed_articles[1:3]]
    # with a quotation of its own, whose words come before the others' in the order they are read afresh
    original = dataclasses.replace(
        seed_articles[4],
        body=seed_articles[4].body
        + '\n\n"All of our people are safe and accounted for," the ambassador said on Tuesday.',
    )
    added = [original, *copies]
    extraction = [extract_article(original)]
    words = len(index.memo.quotes.words)
    assert loaded.add(extraction, added) == index.add(extraction, added)
    assert len(index.memo.quotes.words) > words
    loaded, records = _read_back(loaded, log, records)
    _same_parts(loaded, index)
    assert loaded.articles == index.articles


def test_evolve_is_replace_without_init(seed_analysis):
    """``types.evolve`` gives what ``dataclasses.replace`` gives, and leaves the original alone."""
    from claims.pipeline.types import evolve

    conflict, cluster = seed_analysis.conflicts[0], seed_analysis.clusters[0]
    assert evolve(conflict, cluster_a="claim:7", cluster_b=None) == dataclasses.replace(
        conflict, cluster_a="claim:7", cluster_b=None
    )
    assert evolve(cluster, id="claim:9", extends=9) == dataclasses.replace(cluster, id="claim:9", extends=9)
    assert evolve(conflict, cluster_a="claim:7").factors == conflict.factors
    assert (conflict, cluster) == (seed_analysis.conflicts[0], seed_analysis.clusters[0])
    assert evolve(cluster, id="x") is not cluster and cluster.id != "x"


def test_claims_named_again_are_extended_under_their_new_ids(seed_articles, seed_extractions, monkeypatch):
    """A run takes the last run's clusters as they were but for those it changed and those named
    since (``name_claims``): each one extends the claim it is named by now."""
    _no_refresh(monkeypatch)
    index, _ = StoryIndex.build(seed_extractions[:3], seed_articles[:3])
    index.name_claims([f"first-{at}" for at in range(len(index.clusters))])
    index.add(seed_extractions[3:4], seed_articles[3:4])
    names = [f"second-{at}" for at in range(len(index.clusters))]
    index.name_claims(names)
    analysis = index.add(seed_extractions[4:], seed_articles[4:])
    assert [c.extends for c in analysis.clusters[: len(names)]] == names
    assert [c.id for c in analysis.clusters[: len(names)]] == [f"claim:{name}" for name in names]
