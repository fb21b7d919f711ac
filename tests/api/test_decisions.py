"""The API's decisions: confirm takes a verdict in the same call; a colleague's note does not stale it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from articles.models import Story
from claims.models import Claim, Mention, ReviewEvent

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


def test_confirm_takes_a_verdict_in_the_same_call_and_the_claimreview_export_has_it(
    reviewer_api: APIClient, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    etag = reviewer_api.get(api(f"claims/{claim.pk}/"))["ETag"]
    confirmed = reviewer_api.post(
        api(f"claims/{claim.pk}/confirm/"), {"verdict": "accurate"}, format="json", HTTP_IF_MATCH=etag
    )
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert (body["status"], body["verdict"], body["reviewed_by"]) == ("confirmed", "accurate", "rita")
    assert ReviewEvent.objects.get(action="confirm").after["verdict"] == "accurate"
    [item] = reviewer_api.get(api(f"stories/{processed_story.pk}/claimreview/")).json()
    assert item["url"].endswith(f"/claims/{claim.pk}/")
    assert item["reviewRating"] == {
        "@type": "Rating", "ratingValue": 4, "bestRating": 4, "worstRating": 1, "alternateName": "Accurate",
    }  # fmt: skip


def test_confirm_without_a_verdict_is_left_out_of_the_claimreview_export(
    reviewer_api: APIClient, processed_story: Story
) -> None:
    claim = vehicles(processed_story)
    confirmed = reviewer_api.post(api(f"claims/{claim.pk}/confirm/"), {"version": claim.version}, format="json")
    assert (confirmed.json()["status"], confirmed.json()["verdict"]) == ("confirmed", "")
    assert reviewer_api.get(api(f"stories/{processed_story.pk}/claimreview/")).json() == []


@pytest.mark.parametrize("verdict", ["true-ish", "", None, 4, ["accurate"]])
def test_an_unknown_verdict_is_the_apis_400_and_changes_nothing(
    reviewer_api: APIClient, processed_story: Story, verdict: Any
) -> None:
    claim = vehicles(processed_story)
    response = reviewer_api.post(
        api(f"claims/{claim.pk}/confirm/"), {"version": claim.version, "verdict": verdict}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"verdict"}
    assert Claim.objects.get(pk=claim.pk).status == "proposed" and not ReviewEvent.objects.exists()


def test_the_schema_documents_the_confirm_verdict_and_the_claims_decision() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]

    def resolved(item: dict[str, Any]) -> dict[str, Any]:
        ref = item.get("$ref") or next((s["$ref"] for s in item.get("allOf", []) if "$ref" in s), None)
        return components[ref.rsplit("/", 1)[1]] if ref else item

    content = schema["paths"]["/api/v1/claims/{id}/confirm/"]["post"]["requestBody"]["content"]
    body = resolved(content["application/json"]["schema"])
    verdict = body["properties"]["verdict"]
    assert "verdict" not in body.get("required", [])
    assert resolved(verdict)["enum"] == ["accurate", "inaccurate", "misleading", "unverifiable"]
    assert "ClaimReview" in verdict["description"]
    claim = components["Claim"]["properties"]
    assert {"verdict", "reviewed_by", "reviewed_at"} <= set(claim)
