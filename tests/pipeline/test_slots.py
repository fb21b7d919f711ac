from datetime import date

from claims.pipeline.attribution import extract_attributions, normalise_source
from claims.pipeline.certainty import assess_certainty
from claims.pipeline.dates import extract_dates
from claims.pipeline.quotes import SpeakerContext, extract_quotes, speaker_key
from claims.pipeline.types import Embed


def test_pronoun_speaker_resolves_to_previous_named_person():
    ctx = SpeakerContext()
    ctx.observe("Prime Minister Jacinda Ardern on Monday visited the site.")
    q = extract_quotes("“We will rebuild. We will not be broken,” she said.", 0, ctx)[0]
    assert q.speaker == "Jacinda Ardern" and q.how == "pronoun" and q.speaker_key == "ardern"


def test_speaker_after_and_inverted():
    ctx = SpeakerContext()
    assert extract_quotes("“The bridge is safe,” said Mayor Anne Hidalgo.", 0, ctx)[0].speaker_key == "hidalgo"
    q = extract_quotes("“Iran killed a contractor. ”Trump said in a Twitter post.", 0, ctx)[0]
    assert q.speaker == "Trump"


def test_colon_intro_uses_sentence_subject():
    q = extract_quotes("A man on a loudspeaker urged calm, saying: “The message was delivered.”", 0, SpeakerContext())[
        0
    ]
    assert q.speaker_key == "man" and q.how == "colon"


def test_scare_quote_is_a_fragment():
    q = extract_quotes('He accused the group of "orchestrating" the riot.', 0, SpeakerContext())[0]
    assert q.fragment


def test_embed_gives_author_handle_and_date():
    text = "Jane Roe (@janeroe) posted on May 2, 2021: “The dam has held overnight.”"
    s = text.index("The dam")
    e = Embed(s, s + len("The dam has held overnight."), "Jane Roe", "janeroe", date(2021, 5, 2))
    q = extract_quotes(text, 0, SpeakerContext(), (e,))[0]
    assert (q.speaker, q.handle, q.posted_on, q.how) == ("Jane Roe", "janeroe", date(2021, 5, 2), "embed")


def test_speaker_key_strips_titles():
    assert speaker_key("US President Donald Trump") == speaker_key("Donald J. Trump") == "trump"


def test_attribution_sources_are_normalised():
    assert normalise_source("an Associated Press reporter") == normalise_source("the AP") == "Associated Press"
    found = extract_attributions("The minister resigned, Reuters reported.")
    assert [a.normalized for a in found] == ["Reuters"]
    found = extract_attributions("Two people died, according to the Associated Press.")
    assert found[0].normalized == "Associated Press" and found[0].kind == "outlet"
    assert extract_attributions("He told the BBC that talks had failed.")[0].normalized == "BBC"
    assert extract_attributions("Crowds gathered, according to reports.")[0].kind == "reports"


def test_unknown_whether_keeps_the_proposition():
    c = assess_certainty("It was not immediately known whether the ferry crew had been rescued.")
    assert c.level == "unknown" and c.wh == "whether" and "crew had been rescued" in c.proposition


def test_unknown_cause_resolves_pronoun_to_the_earlier_clause():
    c = assess_certainty("There was an explosion at the depot, but it was unclear what had caused it.")
    assert c.level == "unknown" and c.focus == "cause" and c.proposition.startswith("an explosion at the depot")


def test_hedges():
    for s in [
        "The suspect reportedly fled abroad.",
        "The driver appeared to lose control.",
        "Three people may have been trapped.",
        "The rebels allegedly fired first.",
    ]:
        assert assess_certainty(s).level == "hedged", s
    assert assess_certainty("The bridge collapsed at noon.").level == "asserted"
    assert assess_certainty("The company did not immediately respond to a request for comment.").level == "unknown"


def test_weekday_resolves_to_most_recent_on_or_before_publication():
    pub = date(2023, 3, 6)  # a Monday
    (d,) = extract_dates("Fighting resumed on Saturday.", pub)
    assert d.low == date(2023, 3, 4) and d.relative
    (d,) = extract_dates("Monday’s vote was delayed.", pub)
    assert d.low == pub


def test_relative_words_and_spans():
    pub = date(2023, 3, 8)  # Wednesday
    assert extract_dates("He left yesterday.", pub)[0].low == date(2023, 3, 7)
    (d,) = extract_dates("Talks collapsed last week.", pub)
    assert (d.low, d.high) == (date(2023, 2, 27), date(2023, 3, 5))
    (d,) = extract_dates("The storm hit over the weekend.", pub)
    assert (d.low, d.high) == (date(2023, 3, 4), date(2023, 3, 5))
    assert extract_dates("The match will be played on Friday.", pub)[0].low == date(2023, 3, 10)


def test_month_day_without_year_in_january_article_means_last_december():
    (d,) = extract_dates("It began on December 30.", date(2024, 1, 2))
    assert d.low == date(2023, 12, 30) and not d.relative


def test_no_date_words_no_work():
    assert extract_dates("Nothing here to resolve.", date(2020, 1, 1)) == []
