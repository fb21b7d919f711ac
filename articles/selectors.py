"""Read paths for articles: querysets with their joins done, so no page does N+1 queries."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Article, ArticleEvent, ImportBatch, Story


def story_articles(story: Story) -> QuerySet[Article]:
    return (
        story.articles.select_related("outlet", "duplicate_of__outlet")
        .defer("original_text", "minhash")
        .order_by("published_on", "id")
    )


def story_import_batches(story: Story, limit: int = 10) -> QuerySet[ImportBatch]:
    return story.import_batches.select_related("created_by").order_by("-created_at")[:limit]


def article_events(article: Article) -> QuerySet[ArticleEvent]:
    """What editors changed on the article, newest first."""
    return article.events.select_related("actor").order_by("-created_at", "-id")
