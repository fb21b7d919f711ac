"""REST API for stories, articles and imports.

claims/api.py extends these viewsets (the import batches' processing runs, the story exports);
factdesk/api_urls.py registers the extended ones.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from factdesk.api import ERRORS, IdViewSet, StrictSerializer, int_param
from factdesk.errors import ApplicationError

from . import services
from .importers import RECORD_FIELDS
from .models import Article, ArticleEvent, ImportBatch, Story


class StorySerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Story
        fields = ["id", "name", "slug", "description", "article_count", "created_at"]
        read_only_fields = ["id", "slug", "article_count", "created_at"]


class StoryCreateInput(StrictSerializer):
    name = serializers.CharField(max_length=200)


class ArticleSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="outlet.name", default=None, read_only=True, allow_null=True)
    url = serializers.CharField(read_only=True, help_text="The article's address, or empty.")

    class Meta:
        model = Article
        fields = [
            "id", "story", "outlet", "outlet_inferred_from", "external_id", "source_name", "title", "dateline",
            "url", "published_on", "duplicate_of", "duplicate_similarity", "processed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class ArticleEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)
    before = serializers.DictField(read_only=True, help_text="The fields that changed, as they were.")
    after = serializers.DictField(read_only=True, help_text="The same fields, as they were set.")

    class Meta:
        model = ArticleEvent
        fields = ["id", "actor", "action", "before", "after", "created_at"]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    history = ArticleEventSerializer(
        source="events", many=True, read_only=True, help_text="What editors changed on it, newest first."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [
            *ArticleSerializer.Meta.fields, "body", "original_text", "embeds", "removed", "content_hash", "history",
        ]  # fmt: skip
        read_only_fields = fields


class ArticleUpdateInput(StrictSerializer):
    """An editor's change to an article: each field given is set, the others stay."""

    outlet = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text='The outlet ("fox" is saved as "Fox News"); empty for none. The story is re-analysed.',
    )
    title = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="The headline; empty to use the first sentence."
    )


class ImportBatchSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id", "story", "source", "status", "imported_count", "skipped_count", "error_count", "report",
            "created_by", "created_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


class ArticleInput(StrictSerializer):
    """One article as JSON, read by the .json importer: each field is one of its
    `RECORD_FIELDS` names (tests/articles check that it stays so)."""

    text = serializers.CharField(max_length=2_000_000, required=False, help_text="The article's text (or `body`).")
    body = serializers.CharField(max_length=2_000_000, required=False)
    title = serializers.CharField(max_length=500, required=False, allow_blank=True)
    date = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text="ISO date or datetime.")
    published = serializers.CharField(max_length=40, required=False, allow_blank=True)
    source = serializers.CharField(  # type: ignore[assignment]  # the field "source", not Field.source
        max_length=200, required=False, allow_blank=True, help_text="The outlet."
    )
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=255, required=False, allow_blank=True)
    dateline = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not any((data.get(name) or "").strip() for name in RECORD_FIELDS["text"]):
            raise serializers.ValidationError({"text": ["The article needs its text, as `text` or `body`."]})
        return data


class UploadTooLargeError(ApplicationError):
    code = "too_large"
    status = 413


def refuse_large_upload(request: Request) -> None:
    """Refuse an upload over FACTDESK_MAX_UPLOAD_BYTES by its Content-Length, before it is read."""
    if services.upload_too_large(request.META.get("CONTENT_LENGTH")):
        raise UploadTooLargeError(services.UPLOAD_TOO_LARGE.format(limit=services.upload_limit_label()))


class UploadInput(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=500)


@extend_schema_view(
    list=extend_schema(tags=["stories"]),
    retrieve=extend_schema(responses={200: StorySerializer, 404: ERRORS[404]}, tags=["stories"]),
)
class StoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = StorySerializer
    queryset = Story.objects.annotate(article_count=Count("articles")).order_by("-id")
    # How the import actions answer with their batch (claims/ adds the batch's processing runs).
    batch_serializer_class: type[serializers.Serializer] = ImportBatchSerializer
    batch_queryset: QuerySet[ImportBatch] = ImportBatch.objects.select_related("created_by")

    @extend_schema(
        request=StoryCreateInput, responses={201: StorySerializer, 200: StorySerializer, **ERRORS}, tags=["stories"]
    )
    def create(self, request: Request) -> Response:
        """Create a story (editors); an existing story of that name is returned as it is."""
        data = StoryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        story, created = services.story_get_or_create(name=data.validated_data["name"], user=request.user)
        story = self.get_queryset().get(pk=story.pk)
        return Response(StorySerializer(story).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=ArticleInput, responses={202: ImportBatchSerializer, **ERRORS}, tags=["imports"])
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def articles(self, request: Request, pk: str | None = None) -> Response:
        """Import one article given as JSON. Answers 202 with the import batch; processing follows."""
        story = self.get_object()
        if not isinstance(request.data, dict):
            raise ApplicationError("The body must be a JSON object.", code="invalid")
        data = ArticleInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = {k: v for k, v in data.validated_data.items() if v not in ("", None)}
        name = f"{record.get('external_id') or 'api-article'}.json"
        batch = services.articles_import(
            story=story,
            files=[(name, json.dumps(record).encode("utf-8"))],
            user=request.user,
            source=ImportBatch.Source.API,
        )
        return self._batch_response(batch)

    @extend_schema(
        request={"multipart/form-data": UploadInput},
        responses={202: ImportBatchSerializer, 413: ERRORS[400], **ERRORS},
        tags=["imports"],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def imports(self, request: Request, pk: str | None = None) -> Response:
        """Upload files (.txt, .json, .jsonl, .html, .zip) as `files`. Answers 202 with the import batch:
        done, or `queued` for a large upload that a worker imports (its report fills as it goes)."""
        story = self.get_object()
        refuse_large_upload(request)
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise ApplicationError("Send one or more files as multipart field `files`.", code="invalid")
        files = [(f.name, f.read()) for f in uploads]
        batch = services.articles_upload(story=story, files=files, user=request.user, source=ImportBatch.Source.API)
        return self._batch_response(batch)

    def _batch_response(self, batch: ImportBatch) -> Response:
        batch = self.batch_queryset.get(pk=batch.pk)
        return Response(self.batch_serializer_class(batch).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("story", int)], tags=["articles"]),
    retrieve=extend_schema(responses={200: ArticleDetailSerializer, 404: ERRORS[404]}, tags=["articles"]),
)
class ArticleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    queryset = Article.objects.select_related("outlet").defer("minhash").order_by("-id")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ArticleDetailSerializer if self.action in ("retrieve", "partial_update") else ArticleSerializer

    def get_queryset(self) -> QuerySet[Article]:
        # A list leaves the texts out; a detail carries the history.
        qs = (
            self.queryset.defer("original_text", "body")
            if self.action == "list"
            else self.queryset.prefetch_related("events__actor")
        )
        story = int_param(self.request, "story")
        return qs if story is None else qs.filter(story_id=story)

    @extend_schema(request=ArticleUpdateInput, responses={200: ArticleDetailSerializer, **ERRORS}, tags=["articles"])
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Set an article's outlet or headline (editors). Audited in its `history`; a new outlet queues
        a re-analysis of the story (see /pipeline-runs/?story=), which keeps reviewers' decisions."""
        article = self.get_object()
        if not isinstance(request.data, dict):
            raise ApplicationError("The body must be a JSON object.", code="invalid")
        data = ArticleUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.article_update(article_id=article.pk, user=request.user, **data.validated_data)
        return Response(ArticleDetailSerializer(self.get_queryset().get(pk=article.pk)).data)


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("story", int)], tags=["imports"]),
    retrieve=extend_schema(tags=["imports"]),
)
class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    """Import batches: the per-file report and the processing progress of what they imported."""

    serializer_class = ImportBatchSerializer
    queryset = ImportBatch.objects.select_related("created_by").order_by("-id")

    def get_queryset(self) -> QuerySet[ImportBatch]:
        story = int_param(self.request, "story")
        return self.queryset if story is None else self.queryset.filter(story_id=story)
