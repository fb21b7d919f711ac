"""Certainty: reporting without asserting (questions, reports, sources, claims, rumours, bare modals)."""

from __future__ import annotations

import re

import pytest

from claims.pipeline.certainty import assess_certainty
from claims.pipeline.codec import from_jsonable
from claims.pipeline.types import Certainty, to_jsonable


@pytest.mark.parametrize(
    "sentence, holder",
    [
        ("Did the harbour authority hide the second leak?", None),
        ("Report: Mayor Lind quietly met the developers in March", "Report"),
        ("City hall to freeze hiring until June: report.", "report"),
        ("The mayor quietly met the developers, a report says.", None),
        ("A new report says the dam was inspected only once.", "A new report"),
        ("According to one report, the plant had been closed for a week.", "one report"),
        ("Sources close to the club say the coach will resign.", "Sources"),
        ("The coach will resign, according to two sources.", "two sources"),
        ("Harlow Mining claims its tailings dam is safe.", "Harlow Mining"),
        ("The union alleges the company falsified the logs.", "The union"),
        ("The fire was started by a faulty heater, the insurer claims.", "the insurer"),
        ("Rumours that the striker will leave have unsettled the fans.", "Rumours"),
        ("The minister is rumoured to be planning an early election.", None),
        ("Rovers could be eyeing a move for the winger.", None),
        ("The council may scrap the bus lane next year.", None),
        ("The vote is expected to pass easily.", None),
        ("An official who asked not to be named said the talks had failed.", None),
        ("The pair are accused of stealing the van.", None),
    ],
)
def test_reporting_without_asserting_is_hedged(sentence, holder):
    c = assess_certainty(sentence)
    assert c.level == "hedged", sentence
    if holder:
        assert c.holder == holder and c.voice == "attributed"


@pytest.mark.parametrize(
    "sentence",
    [
        "The bridge collapsed at noon.",
        "The mayor said the bridge would reopen in May.",
        "Harlow Mining claimed responsibility for the spill.",
        "The storm claimed the lives of four people.",
        "“Will it hold?” the engineer asked.",  # the question is the speaker's, not the outlet's
        "She could see the smoke from her window.",
        "The rumours started last week, and on Sunday the club sent an email to its members.",
        "The council said the route could be extended next year.",
        "The line could also be extended to the airport, officials said.",
        "The plan worked, as the report claimed.",
    ],
)
def test_assertions_stay_asserted(sentence):
    assert assess_certainty(sentence).level == "asserted", sentence


def test_named_outlet_credit_keeps_the_assertion_and_names_the_holder():
    c = assess_certainty("The ambassador and his staff were evacuated, Reuters reported.")
    assert (c.level, c.voice, c.holder) == ("asserted", "attributed", "Reuters")
    c = assess_certainty("Officials said on Monday that the dam was safe.")
    assert (c.level, c.voice, c.holder) == ("asserted", "attributed", "Officials")


def test_hedge_inside_a_quotation_is_the_speakers():
    c = assess_certainty("“The dam may have been weakened by the floods,” the engineer said.")
    assert c.level == "hedged" and c.voice == "quoted"
    c = assess_certainty("The dam may have been weakened by the floods.")
    assert c.level == "hedged" and c.voice == "outlet"


def test_old_hedges_and_unknowns_still_hold():
    assert assess_certainty("The suspect reportedly fled to Spain.").level == "hedged"
    assert assess_certainty("It was unclear whether the ferry crew had been rescued.").level == "unknown"


def test_certainty_stored_before_voice_still_loads():
    stored = to_jsonable(assess_certainty("Sources say the coach will resign."))
    del stored["voice"], stored["holder"]
    c = from_jsonable(Certainty, stored)
    assert c.level == "hedged" and c.voice is None and c.holder is None


# One sentence for each "unknown" pattern, in their order.
UNKNOWN_CUES = [
    "It remained unclear how many people were inside.",
    "It was not immediately known whether anyone was hurt.",
    "Police said it was not clear who fired first.",
    "The ministry did not respond to questions about whether troops had left.",
    "The spokesman would not say who ordered the strike.",
    "There was no word on whether the talks would resume.",
    "Whether the deal survives remains to be seen.",
    "The figures could not be independently verified.",
    "The death toll has not been confirmed.",
    "There was no immediate comment from the embassy.",
    "The company did not immediately reply to a request for comment.",
    "A spokeswoman declined to comment on the report.",
    "The cause of the fire is under investigation.",
]


def test_the_unknown_guard_lets_through_every_sentence_a_pattern_matches(seed_articles):
    """The one search that spares most sentences the unknown patterns never turns away one that a
    pattern matches: one sentence for each pattern, every seed sentence, and the development
    stories' sentences when they are beside the project."""
    from bench.corpus import full_length_articles, multinews_documents
    from claims.pipeline import certainty
    from claims.pipeline.sentences import split_sentences

    assert len(UNKNOWN_CUES) == len(certainty._UNKNOWN_RES)
    for rx, sentence in zip(certainty._UNKNOWN_RES, UNKNOWN_CUES, strict=True):
        assert rx.search(sentence), sentence
        assert assess_certainty(sentence).level == "unknown", sentence
    articles = [*seed_articles, *(full_length_articles() or []), *(multinews_documents(500) or [])]
    sentences = [*UNKNOWN_CUES, *(s.text for a in articles for s in split_sentences(a.body))]
    matched = [s for s in sentences if any(rx.search(s) for rx in certainty._UNKNOWN_RES)]
    assert len(matched) >= len(UNKNOWN_CUES)
    assert [s for s in matched if not certainty._UNKNOWN_GUARD.search(s.lower())] == []
    # and it does spare most sentences
    assert sum(1 for s in sentences if certainty._UNKNOWN_GUARD.search(s.lower())) < 0.5 * len(sentences)
    # The hedge cues and the trigger words, searched in lower-cased text, are found where ignoring
    # case finds them.
    trigger = re.compile(certainty._TRIGGER.pattern, re.IGNORECASE)
    hedged = 0
    for s in sentences:
        ignoring, lowered = certainty._HEDGE_RE.search(s), certainty._HEDGE_LOWER.search(s.lower())
        assert (ignoring and ignoring.span()) == (lowered and lowered.span()), s
        hedged += bool(ignoring)
        assert bool(trigger.search(s)) == bool(certainty._TRIGGER.search(s.lower())), s
    assert hedged
