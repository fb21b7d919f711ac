"""Conflict confidence in the API: fields, filters, ordering, validation, the claim detail, the export,
and the pipeline's events."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from articles.models import Story
from claims import review
from claims.models import Claim, Conflict, ReviewEvent
from claims.selectors import story_export
from tests.api.test_api import api, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(processed_story: Story) -> dict[str, Conflict]:
    """The seed story's conflicts with confidences: one weak (a possible discrepancy), the others not."""
    conflicts = list(Conflict.objects.filter(story=processed_story).order_by("id"))
    assert len(conflicts) >= 3
    for conflict, value in zip(conflicts, [0.3, 0.9, 0.6, *[0.75] * len(conflicts)], strict=False):
        Conflict.objects.filter(pk=conflict.pk).update(
            confidence=value, factors={"base": 0.5, "approximate amount": round(value - 0.5, 2)}
        )
    review.refresh_open_conflicts(list(Claim.objects.filter(story=processed_story).values_list("pk", flat=True)))
    return {"weak": conflicts[0], "strong": conflicts[1], "middle": conflicts[2]}


def listed(client: APIClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(api("conflicts/"), {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(rows: list[dict[str, Any]]) -> set[int]:
    return {row["id"] for row in rows}


def claims_of(conflicts: Any) -> set[int]:
    return set(Claim.objects.filter(mentions__conflict_sides__conflict__in=conflicts).values_list("pk", flat=True))


def test_the_conflict_list_leaves_out_possible_discrepancies_unless_asked(
    reviewer_api: APIClient, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    story = processed_story.pk
    every = set(Conflict.objects.filter(story=processed_story).values_list("pk", flat=True))
    weak = graded["weak"].pk
    default = listed(reviewer_api, story=story)
    assert ids(default) == every - {weak}
    assert all({"confidence", "factors", "follows"} <= set(row) for row in default)
    assert ids(listed(reviewer_api, story=story, possible="true")) == {weak}
    assert ids(listed(reviewer_api, story=story, possible="false")) == every - {weak}
    assert ids(listed(reviewer_api, story=story, min_confidence=0)) == every
    assert ids(listed(reviewer_api, story=story, min_confidence="0.65")) == set(
        Conflict.objects.filter(story=processed_story, confidence__gte=0.65).values_list("pk", flat=True)
    )
    assert ids(listed(reviewer_api, story=story, possible="true", min_confidence="0.35")) == set()
    row = next(r for r in listed(reviewer_api, story=story, possible="true"))
    assert (row["confidence"], row["factors"], row["follows"]) == (0.3, {"base": 0.5, "approximate amount": -0.2}, None)


def test_the_conflict_list_orders_by_confidence_across_pages(
    reviewer_api: APIClient, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    page = reviewer_api.get(
        api("conflicts/"), {"story": processed_story.pk, "order": "confidence", "min_confidence": 0, "page_size": 1}
    ).json()
    seen = list(page["results"])
    while page["next"]:
        page = reviewer_api.get(page["next"]).json()
        seen += page["results"]
    assert [r["id"] for r in seen] == list(
        Conflict.objects.filter(story=processed_story).order_by("-confidence", "-id").values_list("pk", flat=True)
    )
    assert seen[0]["id"] == graded["strong"].pk and seen[-1]["id"] == graded["weak"].pk


@pytest.mark.parametrize(
    "params",
    [
        {"min_confidence": "high"},
        {"min_confidence": "1.5"},
        {"min_confidence": "-0.1"},
        {"min_confidence": "nan"},
        {"possible": "maybe"},
        {"order": "random"},
    ],
)
def test_the_conflict_list_refuses_bad_confidence_filters(reviewer_api: APIClient, params: dict[str, str]) -> None:
    error = assert_error(reviewer_api.get(api("conflicts/"), params), 400, "invalid")
    assert next(iter(params)) in error["message"]


def test_a_possible_discrepancy_is_still_reachable_and_can_be_resolved(
    reviewer_api: APIClient, graded: dict[str, Conflict]
) -> None:
    weak = graded["weak"]
    got = reviewer_api.get(api(f"conflicts/{weak.pk}/"))
    assert got.status_code == 200 and got.json()["confidence"] == 0.3
    resolved = reviewer_api.post(
        api(f"conflicts/{weak.pk}/resolve/"), {"resolution": "not_a_conflict"}, format="json", HTTP_IF_MATCH=got["ETag"]
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"


def test_the_claim_queue_filters_by_conflict_confidence(
    reviewer_api: APIClient, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    def queue(**params: Any) -> set[int]:
        response = reviewer_api.get(api("claims/"), {"story": processed_story.pk, "page_size": 200, **params})
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    open_ = Conflict.objects.filter(story=processed_story, status="open")
    assert queue(conflict="open") == claims_of(open_.filter(confidence__gte=0.5)) != set()
    assert queue(conflict="possible") == claims_of(open_.filter(confidence__lt=0.5)) != set()
    assert queue(min_confidence="0.65") == claims_of(open_.filter(confidence__gte=0.65))
    assert queue(conflict="open", min_confidence="0.2") == claims_of(open_)
    kind = graded["weak"].kind
    assert queue(kind=kind, min_confidence=0) == claims_of(open_.filter(kind=kind))
    assert queue(kind=kind) == claims_of(open_.filter(kind=kind, confidence__gte=0.5))
    assert_error(reviewer_api.get(api("claims/"), {"min_confidence": "2"}), 400, "invalid")
    assert_error(reviewer_api.get(api("claims/"), {"conflict": "sometimes"}), 400, "invalid")


def test_the_claim_detail_carries_each_conflicts_confidence_and_what_it_follows(
    reviewer_api: APIClient, reviewer: User, graded: dict[str, Conflict]
) -> None:
    middle, strong = graded["middle"], graded["strong"]
    review.conflict_resolve(conflict_id=middle.pk, user=reviewer, version=middle.version, resolution="both")
    Conflict.objects.filter(pk=strong.pk).update(follows=middle)
    claim = Claim.objects.filter(mentions__conflict_sides__conflict=strong).first()
    body = reviewer_api.get(api(f"claims/{claim.pk}/")).json()
    row = next(k for k in body["conflicts"] if k["id"] == strong.pk)
    assert (row["confidence"], row["factors"], row["follows"]) == (
        0.9,
        {"base": 0.5, "approximate amount": 0.4},
        middle.pk,
    )
    weak_claim = Claim.objects.filter(mentions__conflict_sides__conflict=graded["weak"]).first()
    weak_rows = reviewer_api.get(api(f"claims/{weak_claim.pk}/")).json()["conflicts"]
    assert any(k["id"] == graded["weak"].pk and k["confidence"] == 0.3 for k in weak_rows)  # all of a claim's
    assert reviewer_api.get(api(f"conflicts/{strong.pk}/")).json()["follows"] == middle.pk


def test_the_story_export_carries_each_conflicts_confidence(
    reviewer_api: APIClient, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    document = reviewer_api.get(api(f"stories/{processed_story.pk}/export/")).json()
    assert document == json.loads(json.dumps(story_export(processed_story)))
    exported = {k["id"]: (k["confidence"], k["factors"], k["follows"]) for k in document["conflicts"]}
    assert exported == {
        k.pk: (k.confidence, k.factors, k.follows_id) for k in Conflict.objects.filter(story=processed_story)
    }
    assert exported[graded["weak"].pk][0] == 0.3  # every conflict, the weak ones with their confidence


def test_the_pipelines_events_name_the_pipeline(
    reviewer_api: APIClient, reviewer: User, processed_story: Story
) -> None:
    conflict = Conflict.objects.filter(story=processed_story).first()
    ReviewEvent.objects.create(
        story=processed_story, actor=None, action=ReviewEvent.Action.CONFLICT_EXTEND, conflict=conflict
    )
    review.conflict_resolve(conflict_id=conflict.pk, user=reviewer, version=conflict.version, resolution="both")
    events = reviewer_api.get(api("events/"), {"conflict": conflict.pk}).json()["results"]
    assert [(e["actor"], e["by_pipeline"], e["action"]) for e in events] == [
        ("rita", False, "resolve"),
        ("pipeline", True, "conflict_extend"),
    ]


def test_the_conflict_list_takes_the_same_queries_for_any_page_size(
    reviewer_api: APIClient, processed_story: Story, graded: dict[str, Conflict]
) -> None:
    reviewer_api.get(api("me/"))  # the token's last-used stamp is written at most once a minute
    counts = []
    for size in (1, 200):
        with CaptureQueriesContext(connection) as ctx:
            rows = listed(reviewer_api, story=processed_story.pk, min_confidence=0, page_size=size)
        assert len(rows) == min(size, Conflict.objects.filter(story=processed_story).count())
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 6
