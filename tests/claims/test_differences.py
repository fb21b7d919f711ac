"""The words in which mentions of one fact differ (claims/differences.py): no database."""

from __future__ import annotations

from claims.differences import group_alike, mark_against, mark_among


def marked_words(marked: object) -> list[str]:
    return list(marked.differences)  # type: ignore[attr-defined]


def test_the_odd_mention_out_is_marked_and_the_others_are_not() -> None:
    texts = [
        "Seven armored vehicles were seen, a local reporter said.",
        "Seven armored vehicles were seen, an Associated Press reporter said.",
        "Seven armoured vehicles were seen, an Associated Press reporter said.",
    ]
    local, ap, ap_british = mark_among(texts)
    assert marked_words(local) == ["a local"]
    assert marked_words(ap) == []
    assert marked_words(ap_british) == ["armoured"]
    # The segments give back the text, the marked runs flagged.
    assert "".join(s.text for s in local.segments) == texts[0]
    assert [s.text for s in local.segments if s.differs] == ["a local"]


def test_two_mentions_mark_each_others_differences() -> None:
    one, other = mark_among(["A local reporter said so.", "An Associated Press reporter said so."])
    assert marked_words(one) == ["A local"] and marked_words(other) == ["An Associated Press"]


def test_case_quotes_punctuation_and_thousands_are_no_difference() -> None:
    texts = ["“We will respond,” he said of the 1,000 troops.", '"we will RESPOND" he said of the 1000 troops']
    assert all(not m.differences and not m.reworded for m in mark_among(texts))
    assert [len(m.segments) for m in mark_among(texts)] == [1, 1]


def test_a_single_mention_and_a_reworded_one_are_not_marked_all_over() -> None:
    assert marked_words(mark_among(["Only one outlet says this."])[0]) == []
    reworded = mark_among(["The embassy was stormed by protesters.", "Crowds broke into the compound on Tuesday."])
    assert all(m.reworded and not m.differences for m in reworded)


def test_a_conflicts_sides_mark_the_values_that_differ() -> None:
    side_a = ["At least three people were killed in the attack.", "At least three people were killed in the attack."]
    side_b = ["Half a dozen people were killed in the attack."]
    a_marked = mark_against(side_a, side_b)
    b_marked = mark_against(side_b, side_a)
    assert [marked_words(m) for m in a_marked] == [["At least three"], ["At least three"]]
    assert marked_words(b_marked[0]) == ["Half a dozen"]


def test_cards_that_say_the_same_thing_are_grouped() -> None:
    texts = [
        "Protesters set fire to a reception area, AP said.",
        "Protesters set fire to a reception area, AP said",
        "It is not clear what caused the fire.",
        "protesters set fire to a reception area , AP said.",
        "Protesters set fire to the reception area, officials said.",
    ]
    assert group_alike(texts) == [[0, 1, 3], [2], [4]]


def test_function_words_alone_are_no_difference_but_a_negation_is() -> None:
    texts = ["Supporters of the militia broke into the embassy.", "Supporters of militia broke into their embassy."]
    assert all(not m.differences for m in mark_among(texts))
    said, denied = mark_among(["The embassy was stormed.", "The embassy was not stormed."])
    assert (said.differences, denied.differences) == ((), ("not",))


def test_a_word_moved_is_no_difference() -> None:
    texts = ["Dozens of supporters of the Iraqi militia broke in.", "Dozens of Iraqi militia supporters broke in."]
    assert all(not m.differences for m in mark_among(texts))
