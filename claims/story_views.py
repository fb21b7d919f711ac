"""The story pages, which show what the pipeline found: the stories dashboard, a story, an article.

They live in claims/ because they read claims, conflicts and runs (articles/ never imports claims/),
and keep their URLs and names (`articles:story_list`, `articles:story_detail` for
Story.get_absolute_url, `articles:article_detail`): factdesk/urls.py routes them (claims.urls.STORY_PAGES).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from articles import selectors as article_selectors
from articles.forms import ArticleEditForm, StoryForm, UploadForm
from articles.models import Article, Story
from factdesk.roles import can_edit_articles, can_import

from . import selectors

STORY_LIST_KEYS = [("j / k", "next / previous story"), ("Enter or o", "open it")]
STORY_KEYS = [("q", "review the claim queue"), ("c", "work through the open conflicts, surest first")]
ARTICLE_KEYS = [("b", "back to the story")]


def story_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "claims/story_list.html",
        {
            "stories": selectors.story_list(),
            "form": StoryForm(),
            "can_import": can_import(request.user),
            "story_list_keys": STORY_LIST_KEYS,
        },
    )


def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    # ?possible=1 lists the conflicts below FACTDESK_CONFLICT_MIN_CONFIDENCE instead of the others.
    possible = request.GET.get("possible") in ("1", "true")
    return render(
        request,
        "claims/story_detail.html",
        {
            **selectors.story_claim_summary(story, possible=possible),
            "story": story,
            "articles": article_selectors.story_articles(story),
            "batches": article_selectors.story_import_batches(story),
            "upload_form": UploadForm(),
            "can_import": can_import(request.user),
            "story_keys": STORY_KEYS,
        },
    )


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("story", "outlet", "duplicate_of__outlet"), pk=pk)
    return render(
        request,
        # claims/article_detail.html with articles' outlet and headline form and their history
        "articles/article_detail.html",
        {
            "article": article,
            "story": article.story,
            "paragraphs": selectors.article_segments(article),
            "copies": article.near_duplicates.select_related("outlet"),
            "article_keys": ARTICLE_KEYS,
            "can_edit_article": can_edit_articles(request.user),
            "edit_form": ArticleEditForm(
                initial={"outlet": article.outlet.name if article.outlet else "", "title": article.title}
            ),
            "article_events": article_selectors.article_events(article),
        },
    )
