from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from claims.selectors import article_segments, story_claim_summary
from factdesk.roles import can_import

from . import selectors, services
from .forms import StoryForm, UploadForm
from .models import Article, ImportBatch, Story


def story_list(request: HttpRequest) -> HttpResponse:
    form = StoryForm()
    return render(
        request,
        "articles/story_list.html",
        {"stories": selectors.story_list(), "form": form, "can_import": can_import(request.user)},
    )


@require_http_methods(["POST"])
def story_create(request: HttpRequest) -> HttpResponse:
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            story, created = services.story_get_or_create(name=form.cleaned_data["name"], user=request.user)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("articles:story_list")
        if not created:
            messages.info(request, f"The story “{story.name}” already exists.")
        return redirect(story)
    messages.error(request, "A story needs a name.")
    return redirect("articles:story_list")


def story_detail(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    # ?possible=1 lists the conflicts below FACTDESK_CONFLICT_MIN_CONFIDENCE instead of the others.
    possible = request.GET.get("possible") in ("1", "true")
    return render(
        request,
        "articles/story_detail.html",
        {
            **story_claim_summary(story, possible=possible),
            "story": story,
            "articles": selectors.story_articles(story),
            "batches": selectors.story_import_batches(story),
            "upload_form": UploadForm(),
            "can_import": can_import(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def story_upload(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    if not can_import(request.user):
        raise PermissionDenied("Only editors can import articles.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["files"]]
        batch = services.articles_import(story=story, files=files, user=request.user, source=ImportBatch.Source.UPLOAD)
        return redirect("articles:batch_detail", pk=batch.pk)
    return render(request, "articles/upload.html", {"story": story, "form": form})


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("story", "created_by"), pk=pk)
    return render(request, "articles/batch_detail.html", {"batch": batch, "story": batch.story})


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.select_related("story", "outlet", "duplicate_of__outlet"), pk=pk)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "story": article.story,
            "paragraphs": article_segments(article),
            "copies": article.near_duplicates.select_related("outlet"),
        },
    )
