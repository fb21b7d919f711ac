"""Read paths for articles: querysets with their joins done, so no page does N+1 queries."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Count, OuterRef, QuerySet, Subquery

from .models import Article, ImportBatch, Story


def story_list() -> Sequence[Story]:
    """Stories with their article count, claims by status, open conflicts and latest run.

    A fixed number of queries whatever the number of stories: counts are grouped in the
    database and attached in Python.
    """
    from claims.models import Claim, Conflict, PipelineRun

    latest_run = PipelineRun.objects.filter(story=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    stories = list(
        Story.objects.annotate(
            article_count=Count("articles", distinct=True), latest_run_id=Subquery(latest_run)
        ).order_by("-created_at", "name")
    )
    ids = [s.pk for s in stories]
    by_status: dict[int, dict[str, int]] = {}
    for story_id, status, n in (
        Claim.objects.filter(story_id__in=ids).values_list("story_id", "status").annotate(n=Count("id")).order_by()
    ):
        by_status.setdefault(story_id, {})[status] = n
    open_conflicts = dict(  # the ones shown by default: possible discrepancies are not counted
        Conflict.objects.filter(
            story_id__in=ids,
            status=Conflict.Status.OPEN,
            confidence__gte=settings.FACTDESK_CONFLICT_MIN_CONFIDENCE,
        )
        .values_list("story_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    latest_ids = [s.latest_run_id for s in stories if s.latest_run_id]
    latest = {run.story_id: run for run in PipelineRun.objects.filter(pk__in=latest_ids)}
    for story in stories:
        story.claim_counts = by_status.get(story.pk, {})  # type: ignore[attr-defined]
        story.open_conflict_count = open_conflicts.get(story.pk, 0)  # type: ignore[attr-defined]
        story.latest_run = latest.get(story.pk)  # type: ignore[attr-defined]
    return stories


def story_articles(story: Story) -> QuerySet[Article]:
    return (
        story.articles.select_related("outlet", "duplicate_of__outlet")
        .defer("original_text", "minhash")
        .order_by("published_on", "id")
    )


def story_import_batches(story: Story, limit: int = 10) -> QuerySet[ImportBatch]:
    return story.import_batches.select_related("created_by").order_by("-created_at")[:limit]
