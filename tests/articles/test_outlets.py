"""Outlets from credits in every form, and one name per outlet (issue 14.2). Made-up sentences; no database."""

from __future__ import annotations

import pytest

from articles.importers import clean_text, parse_file
from articles.importers.outlets import canonical_outlet, credit_outlet, known_outlet, parse_dateline

# --- datelines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outlet", "dateline", "body"),
    [
        (  # spaces inside the parentheses, lower case: the Multi-News form
            "Lisbon ( ap ) — the old bridge will close for repairs next month, the city said on monday.",
            "Associated Press",
            "Lisbon ( ap )",
            "the old bridge will close",
        ),
        (
            "OSLO (Reuters) - The central bank kept its main rate at 4.5 percent on Thursday.",
            "Reuters",
            "OSLO (Reuters)",
            "The central bank kept",
        ),
        ("TURIN (Reuters)-Two trams collided on Friday, injuring nine people.", "Reuters", "TURIN (Reuters)", "Two"),
        (
            "DENVER, March 4 (UPI) -- A late snowstorm closed the airport for six hours.",
            "UPI",
            "DENVER, March 4 (UPI)",
            "A late snowstorm",
        ),
        (
            "santa fe, n.m. ( ap ) — a wildfire forced 300 families from their homes.",
            "Associated Press",
            "santa fe, n.m. ( ap )",
            "a wildfire forced",
        ),
        ("boise ( cnn ) -- the governor vetoed the budget on tuesday.", "CNN", "boise ( cnn )", "the governor"),
        ("(CNN)Three climbers were rescued from the glacier on Sunday.", "CNN", "(CNN)", "Three climbers"),
        (
            "HAMBURG (dpa) - The port handled fewer containers in May.",
            "Deutsche Presse-Agentur",
            "HAMBURG (dpa)",
            "The",
        ),
        ("NAIROBI, Kenya (AFP) – Floods displaced 2,000 families this week.", "Agence France-Presse", None, "Floods"),
        ("KYIV (AP) _ The ferry resumed service after a week.", "Associated Press", "KYIV (AP)", "The ferry"),
        ("( reuters health ) - one in five adults sleeps less than six hours, a survey found.", "Reuters", None, "one"),
        ("tulsa ( wxyz ) – a water main broke under the main street on monday.", "WXYZ", "tulsa ( wxyz )", "a water"),
        ("reno ( cbs las vegas ) — the casino reopened on friday.", "CBS Las Vegas", None, "the casino"),
        ("dallas ( cbsdfw.com ) – a storm knocked out power to 40,000 homes.", "CBS DFW", None, "a storm"),
        ("San Diego (CNS) - A bus driver was hurt in a crash on Sunday.", "CNS", "San Diego (CNS)", "A bus"),
    ],
)
def test_a_dateline_credit_gives_the_outlet_and_leaves_the_body(
    text: str, outlet: str, dateline: str | None, body: str
) -> None:
    cleaned = clean_text(text)
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == (outlet, "dateline")
    if dateline is not None:
        assert cleaned.dateline == dateline
    assert cleaned.body.startswith(body)
    assert {"kind": "dateline", "text": cleaned.dateline} in cleaned.removed


def test_a_dateline_after_photo_captions_is_read_and_the_words_stay() -> None:
    text = (
        "rescuers search the river bank near the mill, tuesday, may 3. The search went on overnight... "
        "( associated press ) ( jane roe/ap photo ) hartford, conn. ( ap ) — divers found the missing kayak "
        "on wednesday, police said."
    )
    cleaned = clean_text(text)
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == ("Associated Press", "dateline")
    assert cleaned.dateline == "hartford, conn. ( ap )"
    assert cleaned.body == text  # read, not cut: the captions and the dateline run together


def test_a_dateline_in_the_second_paragraph_after_a_headline_is_read() -> None:
    cleaned = clean_text("Tram fares rise in May\n\nVIENNA (Reuters) - Fares rise by 5 percent from May 1.")
    assert (cleaned.outlet, cleaned.dateline) == ("Reuters", "VIENNA (Reuters)")
    assert cleaned.body.endswith("VIENNA (Reuters) - Fares rise by 5 percent from May 1.")


@pytest.mark.parametrize(
    "text",
    [
        "The Environmental Protection Agency (EPA) — which sets the limits — said the water was safe.",
        "the national weather office ( nwo ) — which issues the warnings — said the storm had passed.",
        "The team's new striker (pictured) — signed in June — scored twice on Sunday.",
        "The results (all times local): 9:10 a.m. The polls opened in the capital.",
        "The winners are listed below (in no particular order): the mayor, the fire chief.",
        "Senator Jane Roe (D) — who chairs the panel — asked for a vote.",
        "The two sides met in Geneva (Switzerland) — a neutral venue — on Monday.",
    ],
)
def test_brackets_that_are_no_credit_give_no_outlet(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned.outlet is None and cleaned.dateline == ""
    assert cleaned.body == text


# --- credit lines and closing credits ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outlet", "body"),
    [
        ("The dam held through the night, engineers said. — Reuters", "Reuters", "engineers said."),
        ("The dam held through the night, engineers said. -- The Associated Press", "Associated Press", "said."),
        ("The dam held through the night.\n\n— Reuters", "Reuters", "the night."),
        ("The dam held through the night.\n\nThe Associated Press", "Associated Press", "the night."),
        ("The dam held through the night, engineers said. — City News Service", "City News Service", "said."),
    ],
)
def test_a_closing_credit_gives_the_outlet_and_is_removed(text: str, outlet: str, body: str) -> None:
    cleaned = clean_text(text)
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == (outlet, "credit line")
    assert cleaned.body.endswith(body)
    assert cleaned.removed[-1]["kind"] == "credit line"


def test_a_signature_that_names_no_outlet_is_no_credit() -> None:
    text = "We owe our children a country that keeps its word. — Jane Roe"
    cleaned = clean_text(text)
    assert cleaned.outlet is None and cleaned.body == text


def test_a_lone_word_that_is_an_outlet_only_by_name_is_kept_as_text() -> None:
    cleaned = clean_text("The clock tower was restored.\n\nTime")
    assert cleaned.outlet is None and cleaned.body.endswith("Time")


# --- bylines -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "outlet"),
    [
        ("By Jane Roe, Associated Press", "Associated Press"),
        ("By JANE ROE, The Associated Press", "Associated Press"),
        ("By Jane Roe Associated Press Writer", "Associated Press"),
        ("By Jane Roe and John Poe | Reuters", "Reuters"),
        ("By Jane Roe, Defence correspondent, BBC News", "BBC"),
        ("By Jane Roe", None),
    ],
)
def test_a_byline_paragraph_names_its_outlet_and_is_removed(byline: str, outlet: str | None) -> None:
    cleaned = clean_text(f"{byline}\n\nThe harbour reopened on Monday after a week of storms.")
    assert cleaned.outlet == outlet
    assert cleaned.outlet_inferred_from == ("byline" if outlet else "")
    assert cleaned.body == "The harbour reopened on Monday after a week of storms."
    assert {"kind": "byline", "text": byline} in cleaned.removed


def test_a_byline_run_into_lower_cased_text_is_read() -> None:
    cleaned = clean_text("harbour reopens share by jane roe, the associated press the harbour reopened on monday.")
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == ("Associated Press", "byline")


@pytest.mark.parametrize(
    "text",
    [
        "the skyline at dusk, seen from the bridge. ( photo: by john poe, ap ) the tower opened in 1931.",
        "allergies are grouped by the kind of trigger, time of year or where symptoms appear.",
    ],
)
def test_a_photo_credit_or_ordinary_by_is_no_byline(text: str) -> None:
    assert clean_text(text).outlet is None


def test_the_seeds_header_reads_a_byline_and_a_lower_cased_dateline() -> None:
    [by] = parse_file("a.txt", b" date 2021-05-04 By Jane Roe, Reuters\n\nThe harbour reopened on Monday.")
    [dated] = parse_file("b.txt", b" date 2021-05-04 lisbon ( ap )\n\nThe harbour reopened on Monday.")
    assert (by.outlet, by.outlet_inferred_from) == ("Reuters", "dateline")  # type: ignore[union-attr]
    assert (dated.outlet, dated.dateline) == ("Associated Press", "lisbon ( ap )")  # type: ignore[union-attr]
    assert parse_dateline("The harbour reopened on Monday after a week.") is None


def test_given_metadata_still_wins_over_a_credit_in_the_text() -> None:
    cleaned = clean_text("OSLO (Reuters) - The central bank kept its rate.", outlet="huffington post")
    assert (cleaned.outlet, cleaned.outlet_inferred_from) == ("HuffPost", "given")


# --- one name per outlet -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "one"),
    [
        (
            ["AP", "the AP", "The Associated Press", "Associated Press", "associated press", "apnews.com"],
            "Associated Press",
        ),
        (["fox", "Fox News", "FOX NEWS", "Fox News Channel", "foxnews.com"], "Fox News"),
        (["NYT", "New York Times", "The New York Times", "nytimes.com"], "The New York Times"),
        (["Huffington Post", "The Huffington Post", "HuffPost"], "HuffPost"),
        (["USA TODAY", "usatoday.com", "USA Today"], "USA Today"),
        (["Breitbart", "Breitbart News"], "Breitbart News"),
        (["Reuters", "Thomson Reuters", "reuters health"], "Reuters"),
    ],
)
def test_every_spelling_of_an_outlet_is_one_name(names: list[str], one: str) -> None:
    assert {canonical_outlet(n) for n in names} == {one}


def test_an_unknown_outlet_keeps_its_name_and_a_lower_cased_credit_is_tidied() -> None:
    assert canonical_outlet("  The Valley   Times ") == "The Valley Times"
    assert known_outlet("The Valley Times") is None
    assert credit_outlet("healthday news") == "HealthDay News"  # in the table
    assert credit_outlet("the harbour report") == "The Harbour Report"
    assert credit_outlet("wxyz") == "WXYZ"
    assert credit_outlet("wspa and ap") == "WSPA"
    assert credit_outlet("jane roe") is None
    assert credit_outlet("jta", strict=True) is None and credit_outlet("jta") == "JTA"
