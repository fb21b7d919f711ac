"""Outlets as sources (issue 14.2): an outlet's names are one source, and "told X" makes X the channel."""

from claims.pipeline.attribution import extract_attributions, normalise_outlet
from claims.pipeline.sources import independent_sources
from tests.pipeline.helpers import story

FACT = "The city council approved a budget of 4.2 million euros for the new tram line on Monday."


def _cluster_of_all(res, n):
    (cl,) = [c for c in res.clusters if len(c.mentions) == n]
    return cl


def test_an_outlets_spellings_are_one_name():
    assert {normalise_outlet(n) for n in ("fox", "Fox News", "FOX NEWS", "foxnews.com", "Fox News Channel")} == {
        "Fox News"
    }
    assert {normalise_outlet(n) for n in ("AP", "The Associated Press", "Associated Press", "the ap")} == {
        "Associated Press"
    }
    assert normalise_outlet("The Valley Times") == "The Valley Times"
    assert normalise_outlet("agencies") is None and normalise_outlet("Staff and agencies") is None


def test_articles_of_one_outlet_under_different_names_count_once():
    _, res = story(FACT, FACT.replace("Monday", "Monday evening"), FACT, outlets=("AP", "The Associated Press", "fox"))
    cl = _cluster_of_all(res, 3)
    assert cl.independent_sources == 2
    assert cl.sources == ("Associated Press", "Fox News")


def test_an_article_naming_its_own_outlet_is_not_a_second_source():
    # Two articles whose outlet metadata says "fox"; one credits "Fox News" in its text: one source, not two.
    _, res = story(
        "The city council approved a budget of 4.2 million euros for the new tram line, Fox News reported.",
        FACT,
        outlets=("fox", "fox"),
    )
    cl = _cluster_of_all(res, 2)
    assert (cl.independent_sources, cl.sources) == (1, ("Fox News",))


def test_told_an_outlet_makes_it_the_channel_not_the_source():
    [told] = extract_attributions("The plant will close in May, a company spokesman told The New York Times.")
    assert (told.normalized, told.kind) == ("The New York Times", "channel")
    [lower] = extract_attributions("The plant will close in May, a spokesman told the Washington Post on Friday.")
    assert (lower.normalized, lower.kind) == ("The Washington Post", "channel")
    # an audience that is no outlet is no attribution ("told the Senate"), as before
    assert extract_attributions("The minister told the Senate that the plant will close.") == []
    # a report by an outlet is still its source
    [reported] = extract_attributions("The plant will close in May, The New York Times reported.")
    assert (reported.normalized, reported.kind) == ("The New York Times", "outlet")


def test_what_someone_told_an_outlet_counts_for_the_article_that_reports_it():
    text = "The plant will close in May and 300 jobs will go, a company spokesman told The New York Times."
    _, res = story(text, text.replace("told The New York Times", "told Reuters"), outlets=("HuffPost", "USA Today"))
    cl = _cluster_of_all(res, 2)
    # Before: the channels were the sources ("The New York Times", "Reuters").
    assert cl.sources == ("HuffPost", "USA Today") and cl.independent_sources == 2
    # Two channels are no attribution conflict: each is where the spokesman's words went.
    assert not [c for c in res.conflicts if c.kind == "attribution"]


def test_a_mention_we_were_not_given_again_counts_its_articles_one_outlet():
    arts, res = story(FACT, FACT, outlets=("AP", "Associated Press"))
    cl = _cluster_of_all(res, 2)
    by_id = {a.id: a for a in arts}
    count, labels = independent_sources(cl.mentions, {}, by_id)
    assert (count, labels) == (1, ("Associated Press",))
