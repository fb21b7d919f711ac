"""Generality: events, numbers, units, hedges and dates that are not in the seeds."""

from __future__ import annotations

from datetime import date

from tests.pipeline.helpers import conflicts_of, story


def test_disjoint_exact_counts_are_a_high_number_conflict():
    _arts, res = story(
        "A landslide in the mountain village of Kerala buried 12 homes on Thursday, officials said.",
        "A landslide in the mountain village of Kerala buried 40 homes on Thursday, officials said.",
    )
    (c,) = conflicts_of(res, "number")
    assert c.severity == "high" and "12 homes" in c.explanation and "40 homes" in c.explanation


def test_same_quantity_in_other_units_or_words_is_no_conflict():
    _, res = story(
        "The river rose by about 2 km along the levee in the town of Passau on Monday.",
        "The river rose by about 2,000 metres along the levee in the town of Passau on Monday.",
        "Twenty firefighters were sent to the levee in Passau.",
        "20 firefighters were sent to the levee in Passau.",
    )
    assert conflicts_of(res, "number") == []


def test_different_nouns_with_the_same_count_do_not_conflict():
    _, res = story(
        "Police said 25 fighters were killed in the strike near the border.",
        "Twenty-five people were killed in the strike near the border, police said.",
    )
    assert conflicts_of(res, "number") == []


def test_different_groups_of_the_same_noun_do_not_conflict():
    _, res = story(
        "About 30 French soldiers guarded the bridge at dawn near the river crossing.",
        "At least four British soldiers guarded the bridge at dawn near the river crossing.",
    )
    assert conflicts_of(res, "number") == []


def test_near_miss_with_approximation_is_medium():
    _, res = story(
        "The ferry carried about 300 passengers when it capsized off Lesbos, the coastguard said.",
        "The ferry carried 500 passengers when it capsized off Lesbos, the coastguard said.",
    )
    (c,) = conflicts_of(res, "number")
    assert c.severity == "medium"


def test_asserted_vs_unknown_rescue_is_a_certainty_conflict():
    _arts, res = story(
        "All 14 crew members of the cargo ship were rescued by the coastguard on Friday.",
        "It was not immediately known whether the crew members of the cargo ship had been rescued.",
        outlets=("Reuters", "BBC"),
    )
    (c,) = conflicts_of(res, "certainty")
    assert "Reuters" in c.explanation and "BBC" in c.explanation


def test_cause_unknown_vs_attributed_cause():
    _, res = story(
        "Militants detonated a car bomb outside the police headquarters in Quetta, killing six.",
        "There was a blast outside the police headquarters in Quetta, but it was not clear what caused it.",
    )
    (c,) = conflicts_of(res, "certainty")
    assert "cause" in c.explanation


def test_unknown_about_something_else_is_no_conflict():
    _, res = story(
        "The plane landed safely in Denver after an engine failure, the airline said.",
        "It was unclear whether passengers would be compensated by the airline.",
    )
    assert conflicts_of(res, "certainty") == []


def test_same_report_credited_to_different_agencies():
    _, res = story(
        "The president's plane landed in Hanoi on Sunday evening, Reuters reported.",
        "The president's plane landed in Hanoi on Sunday evening, according to AFP.",
    )
    (c,) = conflicts_of(res, "attribution")
    assert "Reuters" in c.explanation and "Agence France-Presse" in c.explanation


def test_dates_across_a_weekend_resolve_to_the_same_day():
    # Saturday article says "yesterday"; Monday article says "on Friday"; both mean Friday 3 March 2023.
    _, res = story(
        "The dockworkers walked out in Rotterdam yesterday over pay, the union said.",
        "The dockworkers walked out in Rotterdam on Friday over pay, the union said.",
        dates=(date(2023, 3, 4), date(2023, 3, 6)),
    )
    assert conflicts_of(res, "date") == []


def test_different_resolved_days_are_a_date_conflict():
    _, res = story(
        "The dockworkers walked out in Rotterdam on Thursday over pay, the union said.",
        "The dockworkers walked out in Rotterdam on Saturday over pay, the union said.",
        dates=(date(2023, 3, 6), date(2023, 3, 6)),
    )
    (c,) = conflicts_of(res, "date")
    assert "2023-03-02" in c.explanation and "2023-03-04" in c.explanation


def test_reworded_quotation_is_a_quote_conflict_and_identical_one_is_not():
    _, res = story(
        "“We will rebuild every house that was lost in this fire,” Governor Maria Lopez said on Tuesday.",
        "“We are going to rebuild every home lost in the fire,” Governor Maria Lopez said on Tuesday.",
        "“We will rebuild every house that was lost in this fire,” Lopez said.",
    )
    (c,) = conflicts_of(res, "quote")
    assert "Lopez" in c.explanation
    assert len(c.side_a) + len(c.side_b) == 3


def test_identical_or_trivially_reworded_sentences_never_conflict():
    _, res = story(
        "The museum reopened on Tuesday after a two-year renovation costing $40 million.",
        "The museum reopened on Tuesday after a two-year renovation costing $40 million.",
        "The museum re-opened Tuesday after a two-year renovation that cost $40m.",
        dates=(date(2022, 5, 4),) * 3,
    )
    assert res.conflicts == ()


WOUNDED = "{} US soldiers were wounded in the rocket attack on the base near Baghdad on Sunday, officials said."


def test_versions_that_agree_stand_together_against_another():
    """'Six' and 'half a dozen' are one version: against 'three' they make one conflict, not two,
    whose explanation gives both wordings."""
    _arts, an = story(*(WOUNDED.format(n) for n in ("Three", "Six", "Half a dozen")), outlets=("AP", "AFP", "BBC"))
    (c,) = conflicts_of(an, "number")
    sides = sorted([{k[0] for k in c.side_a}, {k[0] for k in c.side_b}], key=len)
    assert sides == [{1}, {2, 3}]
    assert "“Six US soldiers”" in c.explanation and "“Half a dozen US soldiers”" in c.explanation


def test_each_minority_version_stands_against_the_most_reported_one():
    counts = ("Three", "Six", "Half a dozen", "Four", "Nine")
    _arts, an = story(*(WOUNDED.format(n) for n in counts), outlets=("AP", "AFP", "BBC", "Reuters", "CNN"))
    pairs = {
        frozenset({frozenset(k[0] for k in c.side_a), frozenset(k[0] for k in c.side_b)})
        for c in conflicts_of(an, "number")
    }
    six = frozenset({2, 3})
    assert pairs == {
        frozenset({frozenset({1}), six}),
        frozenset({frozenset({4}), six}),
        frozenset({frozenset({5}), six}),
    }
