"""Read paths for claims."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Prefetch, Q

from articles.models import Story

from .models import Claim, Conflict, ConflictMention, Mention, MergeSuggestion


def story_lookup(value: str) -> Story:
    """A story by id, slug or exact name (for the command line)."""
    query = Q(slug=value) | Q(name=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    return Story.objects.get(query)


def story_export(story: Story) -> dict[str, Any]:
    """The story document: articles, claims with mentions and slots, conflicts, merge suggestions.

    Each mention's text is `body[start:end]` of its article, so a consumer can check it.
    """
    articles = list(story.articles.select_related("outlet").order_by("id"))
    bodies = {a.pk: a.body for a in articles}
    claims = (
        Claim.objects.filter(story=story)
        .order_by("id")
        .prefetch_related(Prefetch("mentions", queryset=Mention.objects.order_by("article_id", "start")))
    )
    sides: dict[int, dict[str, list[tuple[int, int | None]]]] = defaultdict(lambda: {"a": [], "b": []})
    for row in ConflictMention.objects.filter(conflict__story=story).select_related("mention").order_by("mention_id"):
        sides[row.conflict_id][row.side].append((row.mention_id, row.mention.claim_id))
    return {
        "story": {"id": story.pk, "name": story.name, "slug": story.slug, "created_at": story.created_at.isoformat()},
        "articles": [
            {
                "id": a.pk,
                "external_id": a.external_id,
                "outlet": a.outlet.name if a.outlet_id else None,
                "published_on": a.published_on.isoformat() if a.published_on else None,
                "title": a.title,
                "body": a.body,
            }
            for a in articles
        ],
        "claims": [
            {
                "id": c.pk,
                "text": c.text,
                "status": c.status,
                "merged_into": c.merged_into_id,
                "checkworthiness": round(c.checkworthiness, 4),
                "independent_sources": c.independent_sources,
                "sources": c.sources,
                "mentions": [
                    {
                        "id": m.pk,
                        "article_id": m.article_id,
                        "start": m.start,
                        "end": m.end,
                        "text": bodies[m.article_id][m.start : m.end],
                    }
                    for m in c.mentions.all()
                ],
                "slots": c.slots,
            }
            for c in claims
        ],
        "conflicts": [
            {
                "id": k.pk,
                "kind": k.kind,
                "severity": k.severity,
                "status": k.status,
                "explanation": k.explanation,
                "sides": [
                    {
                        "mention_ids": [m for m, _ in sides[k.pk][side]],
                        "claim_ids": sorted({c for _, c in sides[k.pk][side] if c is not None}),
                    }
                    for side in ("a", "b")
                ],
            }
            for k in Conflict.objects.filter(story=story).order_by("id")
        ],
        "merge_suggestions": [
            {
                "id": s.pk,
                "claim_ids": [s.claim_a_id, s.claim_b_id],
                "score": round(s.score, 4),
                "status": s.status,
                "reason": s.reason,
            }
            for s in MergeSuggestion.objects.filter(story=story).order_by("id")
        ],
    }


def story_claim_summary(story: Story, limit: int = 100) -> dict[str, Any]:
    """What the story page shows: the latest run, top claims, open conflicts."""
    from django.db.models import Count

    claims = (
        Claim.objects.filter(story=story)
        .exclude(status=Claim.Status.MERGED)
        .annotate(mention_count=Count("mentions"))
        .order_by("-independent_sources", "-checkworthiness", "id")[:limit]
    )
    conflicts = (
        Conflict.objects.filter(story=story)
        .prefetch_related(
            Prefetch("sides", queryset=ConflictMention.objects.select_related("mention__article__outlet"))
        )
        .order_by("status", "kind", "id")
    )
    counts = dict(Claim.objects.filter(story=story).values_list("status").annotate(n=Count("id")).order_by())
    return {
        "run": story.pipeline_runs.order_by("-created_at").first(),
        "claims": claims,
        "claim_counts": counts,
        "conflicts": conflicts,
    }
