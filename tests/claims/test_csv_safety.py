"""The claims CSV stays inert in a spreadsheet, whatever the locale's separator (OWASP, CSV injection)."""

from __future__ import annotations

import csv

import pytest
from django.contrib.auth.models import User

from articles.models import Story
from claims import review
from claims.exports import claims_csv, safe_cell
from claims.models import Claim

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "|")


@pytest.mark.parametrize("value", ["Iran, Iraq; Syria", "up 5%, down -3", "a - b", "x;y=1"])
def test_text_without_a_trigger_after_a_separator_is_left_alone(value: str) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", ["\u200b=1+1", "\ufeff@SUM(A1)", "|calc", "\u200b\u200c|calc", "\n=1+1"])
def test_a_formula_behind_invisible_characters_or_a_dde_pipe_gets_an_apostrophe(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_cell_starts_a_formula_whatever_separator_the_spreadsheet_splits_on(
    processed_story: Story, reviewer: User, separator: str
) -> None:
    claim = Claim.objects.filter(story=processed_story).order_by("pk").first()
    assert claim is not None
    text = "Three soldiers died;=1+1,=2+2 and\u200b;@SUM(A1)"
    review.claim_edit(claim_id=claim.pk, user=reviewer, version=claim.version, text=text)

    raw = "".join(claims_csv(processed_story))
    cells = [cell for row in csv.reader(raw.splitlines(), delimiter=separator) for cell in row]
    assert not [cell for cell in cells if cell.lstrip("\u200b\ufeff").startswith(TRIGGERS)]
    # Read with the file's own separator, the text is all there, defused where a cell could start.
    rows = list(csv.reader(raw.splitlines()))
    assert "Three soldiers died;'=1+1,'=2+2 and\u200b;'@SUM(A1)" in {cell for row in rows for cell in row}
