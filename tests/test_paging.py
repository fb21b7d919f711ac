"""Cursor paging reaches every row once, in order, both ways, in every order the API offers (issue 11.6)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.models import Story
from claims.models import Claim
from claims.selectors import QUEUE_ORDERS
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded_story(db: Any) -> Story:
    """130 claims, most sharing every sort field but the id: more than a page per shared key."""
    story = Story.objects.create(name="Crowded", slug="crowded")
    Claim.objects.bulk_create(
        Claim(
            story=story,
            text=f"Claim {i}",
            checkworthiness=0.5 if i % 10 else 0.9,
            independent_sources=2 if i % 7 else 3,
            open_conflicts=1 if i < 60 else 0,
        )
        for i in range(130)
    )
    return story


def walk(api: APIClient, url: str, params: dict[str, Any], link: str) -> list[list[int]]:
    pages = []
    page = api.get(url, params).json()
    while True:
        pages.append([row["id"] for row in page["results"]])
        if not page[link]:
            return pages
        page = api.get(page[link]).json()
        assert len(pages) < 100, "paging does not end"


@pytest.mark.parametrize("order", list(QUEUE_ORDERS))
def test_every_queue_order_pages_through_every_claim_once(reviewer: Any, crowded_story: Story, order: str) -> None:
    api = token_client(reviewer)
    params = {"story": crowded_story.pk, "order": order, "page_size": 20}
    pages = walk(api, "/api/v1/claims/", params, "next")
    seen = [pk for page in pages for pk in page]
    whole = api.get("/api/v1/claims/", {**params, "page_size": 200}).json()["results"]
    assert len(seen) == 130 and seen == [row["id"] for row in whole]  # all of them, in the one order

    # And back from the last page: the same pages, in reverse.
    last = api.get("/api/v1/claims/", {**params, "page_size": 20})
    page = last.json()
    while page["next"]:
        page = api.get(page["next"]).json()
    back = [[row["id"] for row in page["results"]]]
    while page["previous"]:
        page = api.get(page["previous"]).json()
        back.append([row["id"] for row in page["results"]])
    assert back[::-1] == pages


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        base64.urlsafe_b64encode(b"[1, 2]").decode(),
        base64.urlsafe_b64encode(b'{"v": ["x", "y", "z", "w"], "b": false}').decode(),
        base64.urlsafe_b64encode(b'{"v": [1], "b": false}').decode(),
        base64.urlsafe_b64encode(b'{"v": [{"a": 1}, 1, 1, 1], "b": false}').decode(),
    ],
)
def test_a_forged_cursor_is_a_400_in_the_error_shape(reviewer: Any, crowded_story: Story, cursor: str) -> None:
    response = token_client(reviewer).get("/api/v1/claims/", {"story": crowded_story.pk, "cursor": cursor})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("size", ["null", "0", "000", "-5", "ten", "1.5", "", "²", "٣"])
def test_a_page_size_that_is_no_size_is_a_400(reviewer: Any, crowded_story: Story, size: str) -> None:
    response = token_client(reviewer).get("/api/v1/claims/", {"story": crowded_story.pk, "page_size": size})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("size", ["100000", "44056934885922701915979776", "0000000000007"])
def test_a_page_size_above_the_most_gives_the_most(reviewer: Any, crowded_story: Story, size: str) -> None:
    """Any whole number from 1 is a size, however long its digits (the schema says so)."""
    response = token_client(reviewer).get("/api/v1/claims/", {"story": crowded_story.pk, "page_size": size})
    expected = 7 if size.endswith("7") else 130  # all 130 are under the 200 most
    assert response.status_code == 200 and len(response.json()["results"]) == expected
