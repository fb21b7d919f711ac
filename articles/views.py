"""Importing: creating a story, uploading files, an import's report; an editor's outlet and headline.

The pages that show what the pipeline found (the stories dashboard, a story, an article with its
mentions) are in claims/story_views.py, at the same URLs.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods

from factdesk.roles import can_import

from . import services
from .forms import ArticleEditForm, StoryForm, UploadForm
from .models import Article, ImportBatch, Story


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


@require_http_methods(["GET", "POST"])
def story_upload(request: HttpRequest, slug: str) -> HttpResponse:
    story = get_object_or_404(Story, slug=slug)
    if not can_import(request.user):
        raise PermissionDenied("Only editors can import articles.")
    if request.method == "POST" and services.upload_too_large(request.META.get("CONTENT_LENGTH")):
        form = UploadForm(data={}, files=MultiValueDict())  # the body is not read: it is over the limit
        form.full_clean()
        form.errors["files"] = form.error_class([services.UPLOAD_TOO_LARGE.format(limit=services.upload_limit_label())])
        return render(request, "articles/upload.html", {"story": story, "form": form}, status=413)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(f.name, f.read()) for f in form.cleaned_data["files"]]
        batch = services.articles_upload(story=story, files=files, user=request.user, source=ImportBatch.Source.UPLOAD)
        return redirect("articles:batch_detail", pk=batch.pk)
    return render(request, "articles/upload.html", {"story": story, "form": form})


def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("story", "created_by"), pk=pk)
    return render(request, "articles/batch_detail.html", {"batch": batch, "story": batch.story})


@require_http_methods(["POST"])
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The article page's form: set the outlet and headline (editors), then back to the article."""
    article = get_object_or_404(Article.objects.select_related("outlet"), pk=pk)
    form = ArticleEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(article)
    before = (article.outlet.name if article.outlet else None, article.title)
    try:
        saved = services.article_update(
            article_id=article.pk,
            user=request.user,
            outlet=form.cleaned_data["outlet"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(article)
    after = (saved.outlet.name if saved.outlet else None, saved.title)
    if after == before:
        messages.info(request, "Nothing changed.")
    elif after[0] != before[0]:
        messages.success(request, "Saved. The story is being analysed again with the new outlet.")
    else:
        messages.success(request, "Saved.")
    return redirect(article)
