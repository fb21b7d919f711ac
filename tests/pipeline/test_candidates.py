from claims.pipeline.candidates import score_sentence
from claims.pipeline.slots import extract_slots


def score(text: str):
    return score_sentence(text, extract_slots(text))


def test_numbers_and_named_actors_are_checkworthy_with_named_features():
    ok, s, features, reason = score("Police in Lyon arrested 14 people after the match on Sunday.")
    assert ok and reason is None
    assert {"quantity", "named_actor", "event_verb", "date"} <= set(features)
    assert 0 <= s <= 1


def test_attributed_statement_is_checkworthy():
    ok, _, features, _ = score("The minister resigned on Tuesday, Reuters reported.")
    assert ok and "attribution" in features


def test_question_opinion_boilerplate_caption_and_fragments_are_not_claims():
    assert score("Will the ceasefire hold?")[3] == "question"
    assert score("We believe the government should act now to help these families.")[3] == "opinion"
    assert score("Advertisement")[3] == "boilerplate"
    assert score("Visit Business Insider's homepage for more stories.")[3] == "boilerplate"
    assert score("Protesters burn representations of a US flag (Ali Abdul Hassan/AP)")[3] == "caption"
    assert score("AP, BAGHDAD")[3] == "too short"


def test_opinion_inside_a_quotation_is_the_speakers_claim():
    ok, _, features, _ = score("“This is a disgrace and we must act,” Senator Jane Roe said on Monday.")
    assert ok and "opinion" not in features
