"""The claim documents the API builds by hand (for speed, claims/documents.py) equal what DRF's
generic serializers render.

The queue and the detail skip DRF's field-by-field path; these tests render the same claims through
the per-resource serializers (the ones the list endpoints use) and compare, over a reviewed story
with leases, notes with links, resolved conflicts and open suggestions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Count, Q
from rest_framework import serializers
from rest_framework.test import APIClient

from articles.models import Story
from claims import review, sources_explained
from claims.api import (
    AnnotationSerializer,
    ClaimSerializer,
    ConflictSerializer,
    MentionSerializer,
    SuggestionSerializer,
)
from claims.models import Claim, Conflict, MergeSuggestion
from claims.selectors import conflicts_with_sides

pytestmark = pytest.mark.django_db


def reviewed(story: Story, reviewer: User) -> None:
    """Give the story's claims everything a document can show."""
    conflict = Conflict.objects.filter(story=story).order_by("id").first()
    review.conflict_resolve(
        conflict_id=conflict.pk,
        user=reviewer,
        version=conflict.version,
        resolution="side_a",
        note="The ministry confirmed side a",
    )
    claims = list(Claim.objects.filter(story=story).order_by("id")[:3])
    review.claim_take(claim_id=claims[0].pk, user=reviewer)
    review.claim_annotate(
        claim_id=claims[1].pk, user=reviewer, note="See the ministry", label="accurate", links=["https://example.org/a"]
    )
    review.claim_annotate(claim_id=claims[1].pk, user=reviewer, note="Second note")
    review.claim_confirm(claim_id=claims[2].pk, user=reviewer, version=claims[2].version)
    assert MergeSuggestion.objects.filter(story=story, status="open").exists()


def generic(serializer: serializers.Serializer, instance: Any) -> dict[str, Any]:
    """DRF's own field-by-field rendering of the serializer's declared fields."""
    return dict(serializers.ModelSerializer.to_representation(serializer, instance))


def expected_detail(claim: Claim) -> dict[str, Any]:
    claim.mention_count = claim.mentions.count()  # type: ignore[attr-defined]
    mentions = claim.mentions.select_related("article__outlet").order_by("article__published_on", "article_id", "start")
    conflicts = conflicts_with_sides().filter(sides__mention__claim=claim).distinct().order_by("id")
    suggestions = MergeSuggestion.objects.filter(Q(claim_a=claim) | Q(claim_b=claim), status="open").order_by(
        "-score", "id"
    )
    return {
        **generic(ClaimSerializer(), claim),
        "features": claim.features,
        "slots": claim.slots,
        "mentions": MentionSerializer(mentions, many=True).data,
        "annotations": AnnotationSerializer(claim.annotations.select_related("author"), many=True).data,
        "conflicts": ConflictSerializer(conflicts, many=True).data,
        "merge_suggestions": SuggestionSerializer(suggestions, many=True).data,
        "sources_explained": sources_explained.documents(sources_explained.claim_sources(claim)),
    }


def plain(data: Any) -> Any:
    """ReturnList/ReturnDict and OrderedDicts as plain lists and dicts."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def test_claim_detail_equals_the_generic_rendering(
    reviewer_api: APIClient, processed_story: Story, reviewer: User
) -> None:
    reviewed(processed_story, reviewer)
    claims = Claim.objects.filter(story=processed_story).order_by("id")
    shown = {"conflicts": 0, "annotations": 0, "merge_suggestions": 0, "held": 0}
    for claim in claims:
        body = reviewer_api.get(f"/api/v1/claims/{claim.pk}/").json()
        assert body == plain(expected_detail(claim)), claim.pk
        shown["held"] += body["held_by"] is not None
        for key in ("conflicts", "annotations", "merge_suggestions"):
            shown[key] += bool(body[key])
    assert all(shown.values()), shown  # the comparison covered every kind of nested item


def test_claim_queue_rows_equal_the_generic_rendering(
    reviewer_api: APIClient, processed_story: Story, reviewer: User
) -> None:
    reviewed(processed_story, reviewer)
    rows = reviewer_api.get("/api/v1/claims/", {"story": processed_story.pk, "page_size": 200}).json()["results"]
    claims = Claim.objects.filter(story=processed_story).annotate(mention_count=Count("mentions")).in_bulk()
    assert len(rows) == len(claims)
    for row in rows:
        assert row == plain(generic(ClaimSerializer(), claims[row["id"]])), row["id"]


def test_sources_explained_from_the_detail_s_rows_read_only_the_articles_copied(
    processed_story: Story, django_assert_num_queries: Any
) -> None:
    """claim_for_api's mention rows carry their articles' columns: explaining the sources reads no
    article again, only the originals of copies; the groups are those read from the database."""
    from articles.models import Article
    from claims.selectors import claim_for_api

    # one article made a copy of another that states none of the same claims, so that its original is read
    everything = set(Article.objects.filter(story=processed_story).values_list("pk", flat=True))
    stated = next(
        articles
        for claim in Claim.objects.filter(story=processed_story).annotate(n=Count("mentions")).order_by("-n", "id")
        if 1 < len(articles := set(claim.mentions.values_list("article_id", flat=True))) < len(everything)
    )
    original = min(everything - stated)
    Article.objects.filter(pk=min(stated)).update(duplicate_of_id=original, duplicate_similarity=0.9)
    copies = 0
    for each in Claim.objects.filter(story=processed_story).order_by("id"):
        rows = claim_for_api(each.pk)
        articles = {m["article_id"] for m in rows.mentions}
        copied = {m["article__duplicate_of_id"] for m in rows.mentions} - {None, *articles}
        copies += bool(copied)
        with django_assert_num_queries(1 if copied else 0):
            groups = sources_explained.explain_rows(processed_story.pk, rows.mentions)
        bare = [{k: v for k, v in m.items() if not k.startswith("article__")} for m in rows.mentions]
        assert groups == sources_explained.explain_rows(processed_story.pk, bare)
    assert copies
