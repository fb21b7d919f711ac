"""The false conflicts still shown on real news after the first round of fixes, each as a small
made-up story in the shape of the real ones (the real ones stay held out): two statements
spliced into one quotation, a number or a negation left out with the words around it, a word
spelt another way inside a change, a figure that is the sum of another outlet's parts or its
whole "but three", time elapsed until the day of writing, and a privative word ("the absence
of X from those nominated") that says what the negated side says.
"""

from __future__ import annotations

from datetime import date

from claims.pipeline.conflicts.quotes import compare_quotes
from claims.pipeline.frames import compare_frames, mention_frames
from claims.pipeline.polarity import polarity
from claims.pipeline.quantities import extract_quantities
from claims.pipeline.types import Mention, Slots
from tests.pipeline.helpers import conflicts_of, story


def _frame(text: str):
    m = Mention(1, 0, len(text), text, True, 0.5, {}, None, Slots(quantities=tuple(extract_quantities(text))))
    (frame,) = mention_frames(m)
    return frame


# --------------------------------------------------------------------------- quotations


def test_a_statement_spliced_into_the_middle_makes_two_utterances():
    long = (
        "The mayor has the power not to let these large crowds into the square. The police must stop them at the "
        "bridges, which they can do because the barriers work, and not allow them to reach the city hall"
    )
    short = "not to let these large crowds reach the city hall"
    c = compare_quotes(long, short)
    assert not c.same_utterance
    # the same two versions without the spliced sentence are one utterance, and differ
    assert compare_quotes("not to let these large crowds into the square", short).same_utterance


def test_a_short_phrase_left_out_in_the_middle_is_still_one_utterance():
    c = compare_quotes(
        "On this question we do not always agree as to the remedies, but in the end that is the case in any family",
        "On this question we do not always agree, but in the end that is the case in any family",
    )
    assert c.same_utterance and c.differences


def test_a_number_left_out_with_the_phrase_it_belongs_to_is_not_a_changed_number():
    c = compare_quotes(
        "Volunteers reported changes in all traits of the seven trait scale of temperament, but only one was seen",
        "Volunteers reported changes in all traits of temperament, but only one was seen",
    )
    assert c.same_utterance and not c.number
    changed = compare_quotes("We rebuilt 40 homes along the river", "We rebuilt 60 homes along the river")
    assert changed.number


def test_a_clause_with_a_negation_left_out_is_not_a_negation_flip():
    c = compare_quotes(
        "We will hold the line at the ridge, which the enemy cannot cross without losing the whole column, "
        "and we will win",
        "We will hold the line at the ridge and we will win",
    )
    assert not c.negation
    assert compare_quotes("We will hold the line at the ridge", "We will not hold the line at the ridge").negation


def test_a_word_spelt_another_way_inside_a_longer_change_is_the_same_word():
    c = compare_quotes(
        "The ministry concluded that the release of the memorandums to parliament would not harm any inquiry",
        "The ministry concluded that the release of the memoranda would not harm any inquiry",
    )
    assert c.same_utterance
    assert c.changed == 1  # "parliament" left out; "memorandums" / "memoranda" is one word


# --------------------------------------------------------------------------- numbers


def test_parts_that_add_up_to_the_other_total_are_not_a_conflict():
    _, res = story(
        "A cleaner in Leeds handed in a suitcase holding $1,200 in cash and $28,600 in bonds that she found on a bus.",
        "A cleaner in Leeds found a suitcase with cash and bonds worth more than $29,000 on a bus and handed it in.",
    )
    assert conflicts_of(res, "number") == []
    # the same story with a total that the parts do not reach is still a conflict
    _, res = story(
        "A cleaner in Leeds handed in a suitcase holding $1,200 in cash and $28,600 in bonds that she found on a bus.",
        "A cleaner in Leeds found a suitcase with cash and bonds worth more than $45,000 on a bus and handed it in.",
    )
    assert conflicts_of(res, "number")


def test_a_whole_all_but_some_is_not_a_conflict_with_the_rest():
    whole = "The observatory in the hills has 23 employees, and all but four were sent home on unpaid leave."
    _, res = story(whole, "The observatory in the hills has sent 19 employees home on unpaid leave.")
    assert conflicts_of(res, "number") == []
    _, res = story(whole, "The observatory in the hills has sent 15 employees home on unpaid leave.")
    assert conflicts_of(res, "number")


def test_time_elapsed_until_writing_is_compared_only_between_articles_of_one_day():
    a = _frame("Today marks 293 days since the hiker went missing near the ridge.")
    b = _frame("Today marks 598 days since the hiker went missing near the ridge.")
    assert a.elapsed and b.elapsed
    assert not compare_frames(a, b).same
    assert "day of writing" in compare_frames(a, b).reasons[0]
    assert compare_frames(a, b, same_day=True).same
    # a duration that is not counted to the day of writing is compared as before
    c = _frame("The hiker survived 12 days alone near the ridge.")
    d = _frame("The hiker survived 19 days alone near the ridge.")
    assert not c.elapsed and compare_frames(c, d).same


def test_elapsed_time_in_articles_of_one_day_still_conflicts():
    bodies = (
        "The hiker has been missing for 12 days near the ridge above the valley, rescuers said.",
        "The hiker has been missing for 19 days near the ridge above the valley, rescuers said.",
    )
    day = date(2024, 5, 2)
    _, res = story(*bodies, dates=(day, day))
    assert conflicts_of(res, "number")
    _, res = story(*bodies, dates=(day, date(2024, 5, 9)))
    assert conflicts_of(res, "number") == []


# --------------------------------------------------------------------------- negation


def test_a_privative_word_before_the_verb_does_not_affirm_it():
    assert "nomin" not in polarity("The absence of Ruiz from the five directors nominated was a shock.").affirmed
    assert "win" not in polarity("The team failed to win a single match in Spain.").affirmed
    assert "nomin" in polarity("Ruiz was nominated with four other directors.").affirmed


def test_two_ways_of_saying_it_did_not_happen_are_not_a_negation_conflict():
    _, res = story(
        "Despite the hype, director Ana Ruiz was not nominated for the best director award this year.",
        "The most glaring omission is the absence of director Ana Ruiz from the five nominated for best director.",
    )
    assert conflicts_of(res, "negation") == []
    _, res = story(
        "Despite the hype, director Ana Ruiz was not nominated for the best director award this year.",
        "Director Ana Ruiz was nominated for the best director award this year, among five.",
    )
    assert conflicts_of(res, "negation")


# --------------------------------------------------------------------------- a second sample of real news


def test_statements_spliced_between_the_shared_words_in_several_places_are_two_utterances():
    long = (
        "She told me she wanted me to end her pain. All I said was, Jay, all I have got is what the nurse "
        "gave you. She said no, I want you to stop my pain for good"
    )
    assert not compare_quotes(long, "She told me to end the pain, stop the pain").same_utterance


def test_an_editorial_bracket_stands_in_for_the_words_it_replaces():
    c = compare_quotes(
        "We hope people who love Mark will find comfort in the things others share to remember his life",
        "We hope people who love [the account holder] will find comfort in the things others share to remember "
        "[his or her] life",
    )
    assert c.same_utterance and not c.differences


def test_texting_spellings_are_the_same_words():
    c = compare_quotes(
        "Do you know what that coffee is? Black and weak", "do u know what that coffee is? black and weak"
    )
    assert c.same_utterance and not c.differences


def test_a_repeated_negation_is_not_a_negation_flip():
    c = compare_quotes(
        "That show is not about music, and I don't really -- I can't sing or anything like that",
        "That show is not about music, and I don't sing or anything like that",
    )
    assert not c.negation
    flip = compare_quotes(
        "That show is not about music, and I can sing or anything like that",
        "That show is not about music, and I can't sing or anything like that",
    )
    assert flip.negation


def test_a_phrase_in_quotation_marks_is_not_a_quoted_statement():
    _, res = story(
        'The new guidance suggesting use of the "best if used by" language builds on earlier work by the agency.',
        '"Research shows that this phrase tells shoppers that the product will be of best quality if used by the '
        'date shown," explains the guidance.',
    )
    assert conflicts_of(res, "quote") == []


def test_contracted_negations_are_negations():
    for text in ("The envoy wasn't evacuated from the compound.", "The envoy isn't evacuated yet."):
        assert "evacu" in polarity(text).negated
    _, res = story(
        "The envoy wasn't evacuated from the compound in the capital, officials said on Sunday.",
        "The envoy was evacuated from the compound in the capital, officials said on Sunday.",
    )
    assert conflicts_of(res, "negation")


def test_a_sentence_that_both_negates_and_states_a_verb_is_on_no_side():
    assert "allow" in polarity("She is only allowed to see her son, and isn't allowed to feed him.").both
    _, res = story(
        "The mother says she is not being allowed to feed her son and can only see him for an hour a day.",
        "The mother says she is only allowed to see her son an hour a day and isn't allowed to feed him.",
    )
    assert conflicts_of(res, "negation") == []


def test_a_parenthetical_conversion_with_spaces_restates_the_figure():
    (q,) = extract_quantities("The ship was about 60 miles ( 95km ) off the coast.")
    assert q.conversion == "( 95km )"
    _, res = story(
        "She fell from the deck of the ferry about 60 miles ( 95km ) off the coast late on Saturday night.",
        "She fell from the deck of the ferry about 60 miles ( 100km ) off the coast late on Saturday night.",
    )
    assert conflicts_of(res, "number") == []


def test_two_remarks_sharing_three_words_and_differing_in_more_are_two_utterances():
    assert not compare_quotes(
        "It is beyond money for me, I did not want to make something that was not the film",
        "All I want to do is keep making my film",
    ).same_utterance
    assert not compare_quotes(
        "I want a lasting, peaceful two-party deal", "I don't want a one-party deal"
    ).same_utterance
    # three words in common and one changed is one remark quoted two ways
    assert compare_quotes("We rebuilt 40 homes along the river", "We rebuilt 60 homes along the river").number


def test_each_side_of_a_number_conflict_quotes_its_own_figure():
    # two pairs of figures in one pair of sentences: the second pair was quoted from the wrong mention
    _, res = story(
        "The farm's owners demanded 200 million rand ( $ 13.7 million ) for the land, but are being offered "
        "just 20 million rand ( $ 1.37 million ).",
        "The farm's owners wanted 200 million rand ( $ 18.7 million ) for the land, but are being offered "
        "just 20 million rand ( $ 1.87 million ).",
    )
    (c,) = conflicts_of(res, "number")
    assert "says “$ 1.37 million”" in c.explanation and "says “$ 1.87 million”" in c.explanation


def test_spoken_contractions_are_the_words_they_contract():
    c = compare_quotes(
        "I think this is something that is gonna be bad for his health",
        "I think this is something that is going to be bad for his health",
    )
    assert c.same_utterance and not c.differences
