import math

import pytest

from claims.pipeline.quantities import describe_interval, extract_quantities
from claims.pipeline.text import stem


def one(text: str):
    qs = extract_quantities(text)
    assert len(qs) == 1, qs
    return qs[0]


def test_at_least_is_open_above():
    q = one("At least three US soldiers were on the roof.")
    assert (q.value, q.low, q.high) == (3, 3, None)
    assert q.head == "soldier" and q.modifiers == ("us",)


def test_more_than_is_exclusive_for_counts():
    q = one("More than 10 people were hurt.")
    assert q.low == 11 and q.high is None


def test_fewer_than_and_up_to():
    assert one("fewer than 20 cars").high == 19
    assert one("up to 40 percent of the forest").high == 40


def test_about_gives_a_range_and_is_approximate():
    q = one("about 30 Iraqi soldiers arrived")
    assert q.approximate and q.low < 30 < q.high
    assert describe_interval(q) == "≈30"


@pytest.mark.parametrize(
    "text,value",
    [
        ("Twenty-five people died", 25),
        ("25 people died", 25),
        ("a hundred and five people", 105),
        ("1.5 million people", 1.5e6),
        ("2,500 homes", 2500),
        ("half a dozen guards", 6),
        ("a dozen guards", 12),
    ],
)
def test_number_words_and_digits(text, value):
    assert one(text).value == value


def test_vague_amounts_are_ranges():
    q = one("Dozens of protesters pushed in")
    assert q.value is None and q.low == 24 and q.head == stem("protesters")
    assert one("Hundreds of people gathered").low == 200


def test_units_are_normalised():
    assert one("stopped after about 5m, near the gate").unit == "m"
    q = one("stopped after about 5 meters (16 feet), near the gate")
    assert q.unit == "m" and q.value == 5 and q.conversion == "(16 feet)"
    assert math.isclose(one("a 3 mile queue").value, 4828.032)
    assert one("the river rose 2 km").value == 2000


def test_currency_with_scale():
    q = one("The deal is worth £5m to the club")
    assert (q.unit, q.value) == ("GBP", 5e6)
    assert one("a $2.5bn loan").value == 2.5e9
    assert one("It cost 30 million euros").unit == "EUR"


def test_years_times_dates_and_ordinals_are_not_counts():
    assert extract_quantities("In 2019, at 3 p.m. on December 31 the 2nd convoy left at 10:30.") == []
    assert extract_quantities("It was one of the worst attacks; no one was hurt.") == []
    assert extract_quantities("COVID-19 hit the G7 summit.") == []


def test_partitive_counts_the_noun_after_of():
    q = one("at least three of the protesters had difficulty breathing")
    assert q.head == stem("protesters")


def test_range_between_and():
    q = one("between 10 and 20 km of road")
    assert (q.low, q.high) == (10_000, 20_000)
