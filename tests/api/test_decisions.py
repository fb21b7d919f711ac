"""The API's decisions: a colleague's note does not stale a confirm."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.models import Story
from claims.models import Claim, Mention

pytestmark = pytest.mark.django_db


def api(path: str) -> str:
    return f"/api/v1/{path}"


def vehicles(story: Story) -> Claim:
    return Mention.objects.filter(article__story=story, text__startswith="Seven armored").first().claim


def test_a_colleagues_note_between_get_and_confirm_is_no_412(
    reviewer_api: APIClient, editor_api: APIClient, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    etag = reviewer_api.get(api(f"claims/{claim.pk}/"))["ETag"]
    noted = editor_api.post(api(f"claims/{claim.pk}/annotate/"), {"note": "AP gives the same number"}, format="json")
    assert noted.status_code == 200 and noted["ETag"] == etag  # a note only adds: same version

    confirmed: Any = reviewer_api.post(api(f"claims/{claim.pk}/confirm/"), {}, format="json", HTTP_IF_MATCH=etag)
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert [a["note"] for a in confirmed.json()["annotations"]] == ["AP gives the same number"]
