"""Quotation speakers: titles, both orders, descriptions and pronouns resolved, never a fragment."""

from __future__ import annotations

import pytest

from claims.pipeline.codec import from_jsonable
from claims.pipeline.quotes import SpeakerContext, classify, extract_quotes
from claims.pipeline.slots import extract_slots
from claims.pipeline.types import Quote, Slots, to_jsonable


def read(*sentences: str) -> list[Quote]:
    """Quotations of the last sentence, after the earlier ones were read as one article."""
    ctx = SpeakerContext()
    offset = 0
    quotes: list[Quote] = []
    for s in sentences:
        quotes = list(extract_slots(s, offset, None, ctx).quotes)
        offset += len(s) + 1
    return quotes


def test_house_style_title_after_gives_the_person_named_earlier():
    q = read(
        "Michael Fox, the city's transport chief, spoke on Monday.",
        "“The bridge will reopen in May,” Mr. Fox said.",
    )[0]
    assert (q.speaker, q.speaker_key, q.how) == ("Michael Fox", "fox", "after")
    assert q.evidence == "Mr. Fox"


def test_evidence_offsets_point_at_the_naming_words():
    first = "Michael Fox spoke on Monday."
    second = "“The bridge will reopen in May,” Mr. Fox said."
    q = read(first, second)[0]
    body = first + " " + second
    assert body[q.evidence_start : q.evidence_end] == "Mr. Fox"


def test_inverted_order_with_title_is_the_name_not_the_title():
    q = extract_quotes("“We are ready for the storm,” said Mr. Fox.", 0, SpeakerContext())[0]
    assert q.speaker == "Fox" and q.speaker_key == "fox"


def test_inverted_order_with_appositive():
    q = extract_quotes(
        "“Prices will keep rising,” said Dana Whitfield, the chief economist at a regional bank.", 0, SpeakerContext()
    )[0]
    assert q.speaker == "Dana Whitfield"


def test_description_before_a_name_gives_the_name():
    q = extract_quotes(
        "“The port is closed,” the harbour master, Ilse Brandt, told reporters on Friday.", 0, SpeakerContext()
    )[0]
    assert q.speaker == "Ilse Brandt"


def test_name_followed_by_a_description_in_commas():
    q = extract_quotes(
        "“Nobody was hurt,” Omar Haddad, a spokesman for the fire service, said on Sunday.", 0, SpeakerContext()
    )[0]
    assert q.speaker == "Omar Haddad"


@pytest.mark.parametrize(
    "clause, key",
    [
        ("Sen. Ruth Calder said", "calder"),
        ("said Rep. Tom Abara", "abara"),
        ("Gov. Lena Marsh told reporters", "marsh"),
        ("said Gen. Piet Volker", "volker"),
        ("Dr. Ana Ruiz said", "ruiz"),
        ("Justice Carl Weeks wrote", "weeks"),
        ("President Ilka Norden said", "norden"),
        ("Mrs. Dunmore said", "dunmore"),
        ("Ms. Okafor added", "okafor"),
        ("said Mr. Lindqvist", "lindqvist"),
    ],
)
def test_titles_and_honorifics(clause, key):
    q = extract_quotes(f"“The plan was never approved,” {clause}.", 0, SpeakerContext())[0]
    assert q.speaker_key == key and q.speaker
    assert not q.speaker.startswith(("Mr", "Ms", "Mrs", "Dr", "Sen", "Rep", "Gov", "Gen", "Justice", "President"))


def test_speaker_before_the_quotation_with_colon_and_that():
    assert extract_quotes("Mayor Jo Lind said: “We will rebuild.”", 0, SpeakerContext())[0].speaker == "Jo Lind"
    q = extract_quotes("Jo Lind told the council that “the money is gone.”", 0, SpeakerContext())[0]
    assert q.speaker == "Jo Lind"


def test_according_to_names_the_speaker():
    q = extract_quotes("The rail line will “reopen within weeks,” according to Mr. Haas.", 0, SpeakerContext())[0]
    assert q.speaker_key == "haas"


def test_participle_takes_the_clause_subject():
    q = read(
        "Paula Stein chairs the budget committee.",
        "Ms. Stein returned to the deficit again and again at the hearing, saying at one point: “We cannot afford it.”",
    )[0]
    assert q.speaker == "Paula Stein"


def test_organisation_is_a_speaker():
    q = extract_quotes(
        "“Services will resume on Monday,” the Transport Ministry said in a statement.", 0, SpeakerContext()
    )[0]
    assert q.speaker == "the Transport Ministry"


def test_description_resolves_to_the_person_named_with_it():
    q = read("Gov. Jane Roe signed the bill on Tuesday.", "“This is a good day for the state,” the governor said.")[0]
    assert (q.speaker, q.how, q.evidence) == ("Jane Roe", "description", "the governor")


def test_description_stays_a_description_when_two_people_fit():
    q = read(
        "Gov. Jane Roe met Gov. Ben Ochs on Tuesday.",
        "“We agreed on nothing,” the governor said.",
    )[0]
    assert q.speaker == "the governor"


def test_presumptive_nominee_resolves_from_an_appositive():
    q = read(
        "Carla Vance, the presumptive nominee, toured the plant.",
        "“Jobs come first,” the presumptive nominee said.",
    )[0]
    assert q.speaker == "Carla Vance"


def test_pronoun_resolves_to_the_subject_of_the_right_sex():
    q = read(
        "Mr. Fox opened the meeting.",
        "Ms. Roe answered the questions.",
        "“We will not close the school,” he said.",
    )[0]
    assert q.speaker == "Fox" and q.how == "pronoun" and q.evidence == "he"


def test_pronoun_with_nobody_to_point_to_is_left_empty():
    q = extract_quotes("“We will win this,” she said.", 0, SpeakerContext())[0]
    assert q.speaker is None and q.speaker_key is None


def test_pronoun_skips_things_that_are_not_people():
    q = read(
        "Families from the caravan waited for a meal.",
        "“This is a spiritual moment,” she said.",
    )[0]
    assert q.speaker is None


@pytest.mark.parametrize(
    "sentence",
    [
        "“We will not pay,” He bluntly told the council.",
        "“We will not pay,” he bluntly told the council.",
        "“We will not pay,” when he spoke to the council.",
        "“We will not pay.” Was it ever realistic?",
        "Another asks if there were any efforts to reach out to the mayor “about a pardon.”",
    ],
)
def test_fragments_never_become_speakers(sentence):
    for q in extract_quotes(sentence, 0, SpeakerContext()):
        assert q.speaker is None or q.speaker_key not in ("bluntly", "he", "was", "another", "when")


def test_fragment_words_are_not_names():
    for np in ("He then", "He bluntly", "Was", "Another", "when he", "Trump held Kim's hands"):
        assert classify(np) in (None, "pronoun"), np
    assert classify("Mr. Fox") == "name"
    assert classify("the presumptive nominee") == "description"
    assert classify("he") == "pronoun"


def test_bare_quotation_continues_the_previous_speaker_with_its_evidence():
    qs = read("“We are safe,” Mr. Fox said.", "“Nobody should worry.”")
    assert qs[0].speaker == "Fox" and qs[0].how == "continued" and qs[0].evidence == "Mr. Fox"


def test_short_quotation_with_its_own_clause_can_be_continued():
    qs = read("“It's overkill,” Ruth Calder told a radio station.", "“The threat was never real.”")
    assert qs[0].speaker == "Ruth Calder"


def test_lower_cased_text_names_the_speaker():
    q = extract_quotes("“the line was dead for hours,” meehan said.", 0, SpeakerContext())[0]
    assert q.speaker_key == "meehan"


def test_surname_first_names_match_after_a_title():
    q = read(
        "North Korea's leader, Kim Jong-un, spoke on Saturday.", "“The test site has done its job,” Mr. Kim said."
    )[0]
    assert q.speaker_key == "un"


def test_slots_stored_before_evidence_still_load():
    stored = to_jsonable(extract_slots("“We are ready,” said Mr. Fox.", 0))
    for q in stored["quotes"]:
        for f in ("evidence", "evidence_start", "evidence_end"):
            del q[f]
    slots = from_jsonable(Slots, stored)
    assert slots.quotes[0].speaker == "Fox" and slots.quotes[0].evidence is None


def test_title_of_the_other_sex_does_not_take_a_relatives_full_name():
    q = read("Melania Trump greeted the guests.", "“Your visit comes at a critical time,” Mr. Trump said.")[0]
    assert q.speaker == "Trump" and q.speaker_key == "trump"
