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


# --- the classes of issue 14.3, in sentences of our own ---------------------------------------------


def test_a_form_of_address_is_not_a_named_actor():
    _, _, features, _ = score("I am very tired of hearing this, Senator.")
    assert "named_actor" not in features
    _, _, features, _ = score("Thank you so much for having me here tonight, Mr. President.")
    assert "named_actor" not in features
    assert "named_actor" in score("The plan was drafted by Senator Alvarez and two aides.")[2]


def test_words_in_ed_that_are_not_verbs_and_nouns_are_not_events():
    for text in [
        "Armed men were outside the gates for most of a hundred long days.",
        "They will succeed only if they need nothing from anyone else.",
        "The troops and their families are people like any other people.",
    ]:
        assert "event_verb" not in score(text)[2], text
    assert "event_verb" in score("Rebels seized the airport and blocked the main road.")[2]
    assert "event_verb" in score("The company sold its shipping arm to a rival.")[2]


def test_a_claim_without_digits_is_still_a_claim():
    for text in [
        "The region now has fewer jobs than before the plant closed.",
        "Under this governor we doubled the number of loans to small farms.",
        "The city cut crime by more than any other city in the state.",
        "It was the deadliest attack on the capital in a decade.",
    ]:
        ok, _, features, _ = score(text)
        assert ok and "comparison" in features, (text, features)


def test_a_sentence_dense_with_numbers_is_prose():
    ok, _, features, reason = score("9,000 people died, not 90,000.")
    assert reason != "mostly symbols" and "not_prose" not in features
    assert ok and "quantity" in features
    assert score("*** --- +++ /// ***")[3] == "mostly symbols"


def test_a_year_that_opens_a_sentence_says_when():
    _, _, features, _ = score("2019 was the wettest year the valley had recorded.")
    assert "date" in features


def test_a_quotation_that_is_the_whole_line_is_read():
    ok, _, features, _ = score("“The army withdrew every unit from the northern border last week.”")
    assert ok and "event_verb" in features
    assert score("“Did the army withdraw from the border at all?”")[3] == "question"


def test_the_contributions_shown_add_up_to_the_score():
    for text in [
        "Police in Lyon arrested 14 people after the match on Sunday, the prefect told Reuters.",
        "“We arrested 14 people on Sunday,” Prefect Marie Dubois said, according to Reuters.",
        "Will the ceasefire hold?",
        "Hi.",
    ]:
        _, s, features, _ = score(text)
        assert abs(sum(features.values()) - s) < 0.002, (text, features, s)


def test_every_contribution_has_a_label_for_reviewers():
    from claims.pipeline.candidates import FEATURE_LABELS

    seen: set[str] = set()
    for text in [
        "Police in Lyon arrested 14 people after the match on Sunday, the prefect told Reuters.",
        "“We arrested 14 people on Sunday,” Prefect Marie Dubois said, according to Reuters.",
        "It is not known whether the staff were evacuated, he said.",
        "The minister could resign, which would be a disgrace we should all regret.",
        "Will the ceasefire hold?",
        "The region has fewer jobs than before, sources say.",
    ]:
        seen |= set(score(text)[2])
    assert seen <= set(FEATURE_LABELS), seen - set(FEATURE_LABELS)


def test_cues_searched_in_lower_case_are_found_as_ignoring_case_finds_them(seed_articles):
    """Three cue patterns are searched in the lower-cased sentence (faster than ignoring case):
    on the seeds' sentences (and the development stories', when they are beside the project) and
    on capitalised cues, each finds what the same pattern ignoring case finds in the sentence."""
    import re

    from bench.corpus import full_length_articles
    from claims.pipeline import candidates
    from claims.pipeline.sentences import split_sentences

    cues = [
        "HE SAID the plant would close.",
        "It Could Further Deepen the crisis.",
        "Prices ROSE by a third.",
        "The Deadliest attack in a decade.",
        "For The First Time, the river froze.",
    ]
    articles = [*seed_articles, *(full_length_articles() or [])]
    sentences = [*cues, *(s.text for a in articles for s in split_sentences(a.body))]
    for name in ("_SPECULATIVE", "_COMPARISON", "_REPORTED_SPEECH"):
        rx = getattr(candidates, name)
        ignoring = re.compile(rx.pattern, re.IGNORECASE)
        found = [bool(ignoring.search(s)) for s in sentences]
        assert [bool(rx.search(s.lower())) for s in sentences] == found, name
        assert any(found[: len(cues)]), name  # each has a capitalised cue to find
