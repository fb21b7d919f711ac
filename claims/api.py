"""REST API for claims, mentions, conflicts, merge suggestions, annotations, events and runs,
and what claims adds to articles' endpoints: an import batch's runs and the story exports.

Thin views: filter serializers (claims/filters.py) validate a list's query parameters and
input serializers a write's body; the selectors (claims/selectors.py) read and the services in
claims/review.py write (the same functions the web pages call, with the same permission, version
and lease rules); output serializers render the result, except the claim documents, which
claims/documents.py builds from rows (the serializers here describe them for the schema).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from articles import api as articles_api
from factdesk.api import ERRORS, ErrorSerializer, IdViewSet, StrictSerializer, require_version, version_from
from factdesk.errors import ApplicationError

from . import documents, review, selectors, sources_explained
from .exports import claim_reviews, claims_csv
from .filters import (
    AnnotationFilter,
    ClaimFilter,
    ConflictFilter,
    EventFilter,
    MentionFilter,
    PipelineRunFilter,
    SuggestionFilter,
)
from .models import Annotation, Claim, Conflict, Mention, MergeSuggestion, PipelineRun, ReviewEvent, Verdict

MAX_ID = 10**18 - 1


# --- output serializers -----------------------------------------------------------------------------


class MentionSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="article.outlet.name", default=None, read_only=True, allow_null=True)
    published_on = serializers.DateField(source="article.published_on", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "claim",
            "article",
            "outlet",
            "published_on",
            "start",
            "end",
            "text",
            "certainty",
            "checkworthiness",
            "slots",
        ]
        read_only_fields = fields


class AnnotationSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    label = serializers.ChoiceField(  # type: ignore[assignment]  # the field "label", not Field.label
        choices=Annotation.Label.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Annotation
        fields = ["id", "claim", "author", "note", "label", "links", "created_at"]
        read_only_fields = fields


class ConflictSideSerializer(serializers.Serializer):
    side = serializers.CharField()
    mention_ids = serializers.ListField(child=serializers.IntegerField())
    claim_ids = serializers.ListField(child=serializers.IntegerField())


class ConflictSerializer(serializers.ModelSerializer):
    sides = serializers.SerializerMethodField()
    confidence = serializers.FloatField(
        read_only=True,
        min_value=0.0,
        max_value=1.0,
        help_text="How sure the pipeline is that this is a real disagreement, 0 to 1. Below the server's "
        "FACTDESK_CONFLICT_MIN_CONFIDENCE it is a possible discrepancy, left out of lists by default.",
    )
    factors = serializers.DictField(
        child=serializers.FloatField(),
        read_only=True,
        help_text="The named contributions that add up to the confidence; negative ones pushed it down.",
    )
    follows = serializers.PrimaryKeyRelatedField[Conflict](
        read_only=True, allow_null=True, help_text="The resolved conflict that this one re-raises with new evidence."
    )
    resolution = serializers.ChoiceField(choices=Conflict.Resolution.choices, allow_blank=True, read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Conflict
        fields = [
            "id", "story", "kind", "severity", "status", "confidence", "factors", "follows", "explanation", "sides",
            "resolution", "resolution_note", "resolved_by", "resolved_at", "version", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ConflictSideSerializer(many=True))
    def get_sides(self, conflict: Conflict) -> list[dict[str, Any]]:
        # prefetched with their mentions (selectors.conflicts_with_sides)
        return documents.sides((row.side, row.mention_id, row.mention.claim_id, None) for row in conflict.sides.all())


class SuggestionSerializer(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = MergeSuggestion
        fields = [
            "id",
            "story",
            "claim_a",
            "claim_b",
            "score",
            "reason",
            "status",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


# A claim in the queue: describes documents.claim's document for the schema; the list builds it there,
# from rows (tests/api/test_documents.py checks that both agree). No docstring: the schema's Claim
# component would take it as its description.
class ClaimSerializer(serializers.ModelSerializer):
    assignee = serializers.CharField(source="assignee.username", default=None, read_only=True, allow_null=True)
    mention_count = serializers.IntegerField(read_only=True)
    held_by = serializers.SerializerMethodField()
    reviewed_by = serializers.CharField(
        source="reviewed_by.username",
        default=None,
        read_only=True,
        allow_null=True,
        help_text="Who decided the claim (confirmed, rejected or merged it); null while it is undecided. "
        "A note, an edit or a merge into it is not a decision.",
    )
    verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        allow_blank=True,
        read_only=True,
        help_text="The verdict given when the claim was confirmed (the ClaimReview export rates it by "
        'this); "" when it was confirmed without one, and for a claim not confirmed.',
    )

    class Meta:
        model = Claim
        fields = [
            "id", "story", "text", "status", "merged_into", "checkworthiness", "independent_sources", "sources",
            "open_conflicts", "mention_count", "assignee", "held_by", "lease_expires_at", "rejection_reason",
            "version", "verdict", "reviewed_by", "reviewed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_held_by(self, claim: Claim) -> str | None:
        holder = claim.lease_holder()
        return holder.get_username() if holder else None


class SourceMentionSerializer(serializers.Serializer):
    mention = serializers.IntegerField()
    article = serializers.IntegerField()
    outlet = serializers.CharField()
    why = serializers.ChoiceField(
        choices=["credits", "copy", "own"],
        help_text="credits: the mention credits the source (`credited_as`); copy: its article is a copy of "
        "another (`copy_of`, the original article); own: its outlet's own report.",
    )
    credited_as = serializers.CharField(allow_null=True)
    copy_of = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(help_text="The same in words, as the claim page says it.")


class SourceGroupSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="One independent source (a name of `sources`).")
    mentions = SourceMentionSerializer(many=True, help_text="The mentions that count as it, and why.")


class ClaimDetailSerializer(ClaimSerializer):
    """The claim with all its evidence. The fields describe the document (and the schema); it is built
    directly from selectors.claim_for_api's rows, which equals DRF's rendering through the nested
    serializers (tests/api/test_documents.py) at a third of the cost."""

    mentions = MentionSerializer(many=True, read_only=True)
    annotations = AnnotationSerializer(many=True, read_only=True)
    conflicts = ConflictSerializer(many=True, read_only=True)
    merge_suggestions = SuggestionSerializer(many=True, read_only=True)
    sources_explained = SourceGroupSerializer(
        many=True,
        read_only=True,
        help_text="Why the mentions make `independent_sources`: each source with the mentions that count as it "
        "(claims/sources_explained.py).",
    )

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "features",
            "slots",
            "mentions",
            "annotations",
            "conflicts",
            "merge_suggestions",
            "sources_explained",
        ]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor_name", read_only=True, help_text='A username, or "pipeline" for the pipeline\'s own events.'
    )
    by_pipeline = serializers.SerializerMethodField()
    claims = serializers.PrimaryKeyRelatedField[Claim](many=True, read_only=True)

    class Meta:
        model = ReviewEvent
        fields = [
            "id",
            "story",
            "actor",
            "by_pipeline",
            "action",
            "claims",
            "conflict",
            "suggestion",
            "before",
            "after",
            "payload",
            "undone_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_by_pipeline(self, event: ReviewEvent) -> bool:
        """True for the pipeline's own events (it extends and re-raises conflicts); `actor` is then "pipeline"."""
        return event.actor_id is None


class PipelineRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = PipelineRun
        fields = [
            "id", "story", "import_batch", "state", "progress_done", "progress_total", "percent",
            "errors", "timings", "stats", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- input serializers --------------------------------------------------------------------------------


VERSION_HELP = "The version you loaded (required; or send If-Match with the ETag instead)."


class VersionInput(StrictSerializer):
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=VERSION_HELP)


class ConfirmInput(VersionInput):
    verdict = serializers.ChoiceField(
        choices=Verdict.choices,
        required=False,
        help_text="The desk's verdict, part of the decision: the story's ClaimReview export rates the claim by "
        "it. Leave it out to confirm only that the claim was made (it is then not in the ClaimReview export).",
    )


class RejectInput(VersionInput):
    reason = serializers.CharField(max_length=2000)


class EditInput(VersionInput):
    text = serializers.CharField(max_length=5000)


class AnnotateInput(StrictSerializer):
    # A note only adds: the version is optional, and checked when given (claims/review.claim_annotate).
    version = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Or send If-Match with the ETag."
    )
    note = serializers.CharField(max_length=10000)
    label = serializers.ChoiceField(  # type: ignore[assignment]  # the field "label", not Field.label
        choices=Annotation.Label.choices,
        required=False,
        allow_blank=True,
        help_text="The note's own label. Not the claim's verdict: that is given with confirm (`verdict`).",
    )
    links = serializers.ListField(child=serializers.URLField(max_length=2000), required=False, max_length=20)


class ClaimVersionInput(StrictSerializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MergeInput(VersionInput):
    claims = serializers.ListField(
        child=ClaimVersionInput(),
        min_length=1,
        max_length=100,
        help_text="The claims to merge into this one, each with the version you loaded: a merge changes them all.",
    )


class SplitInput(VersionInput):
    mention_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class EmptyInput(StrictSerializer):
    pass


class AcceptInput(StrictSerializer):
    claim_a_version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The version you loaded of the suggestion's claim_a."
    )
    claim_b_version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The version you loaded of the suggestion's claim_b."
    )


class ResolveInput(VersionInput):
    resolution = serializers.ChoiceField(choices=Conflict.Resolution.choices)
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ApplicationError("The body must be a JSON object.", code="invalid")
    data = request.data
    version = serializer_class().fields.get("version")
    if version is not None and version.required and "version" not in data:
        # Sent as If-Match instead; with neither, 428 (the write must say which version it changes).
        data = {**data, "version": require_version(request)}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- claims ---------------------------------------------------------------------------------------------

PAGE_SIZE = OpenApiParameter("page_size", int, description="1 to 200; default 50.")


def _claim_response(claim_id: int, status: int = 200) -> Response:
    rows = selectors.claim_for_api(claim_id)
    document = documents.claim_detail(rows)
    # Stage 6's grouping explained, from the mention rows already loaded (one query more: their articles).
    document["sources_explained"] = sources_explained.documents(
        sources_explained.explain_rows(rows.claim["story_id"], rows.mentions)
    )
    response = Response(document, status=status)
    response["ETag"] = f'"{rows.claim["version"]}"'
    return response


@extend_schema_view(
    list=extend_schema(
        parameters=[ClaimFilter, PAGE_SIZE],
        responses={200: ClaimSerializer(many=True), 400: ErrorSerializer},
        tags=["claims"],
    ),
    retrieve=extend_schema(responses={200: ClaimDetailSerializer, 404: ErrorSerializer}, tags=["claims"]),
)
class ClaimViewSet(IdViewSet):
    """Claims: the queue with its filters, a claim with all its evidence, and every review action."""

    serializer_class = ClaimSerializer
    queryset = Claim.objects.none()

    @cached_property
    def query_filters(self) -> dict[str, Any]:
        return ClaimFilter.parse(self.request)

    def get_queryset(self) -> QuerySet[Claim, dict[str, Any]]:  # rows of selectors.CLAIM_COLUMNS
        return selectors.claim_queue_rows(self.query_filters, user=self.request.user)

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return selectors.QUEUE_ORDERS[self.query_filters.get("order", "priority")]

    def list(self, request: Request) -> Response:
        rows = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response([documents.claim(row) for row in rows])

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        claim_id = int(pk) if pk and pk.isdigit() else 0
        return _claim_response(claim_id)

    def _act(self, pk: str | None, call: Any) -> Response:
        if not (pk and pk.isdigit()) or not selectors.claim_exists(int(pk)):
            raise Claim.DoesNotExist("No such claim.")
        call(int(pk))
        return _claim_response(int(pk))

    @extend_schema(request=ConfirmInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """Confirm the claim, with the desk's verdict (`verdict`) or without one."""
        data = _valid(ConfirmInput, request)
        version = require_version(request, data.get("version"))
        verdict = data.get("verdict", "")
        return self._act(
            pk, lambda cid: review.claim_confirm(claim_id=cid, user=request.user, version=version, verdict=verdict)
        )

    @extend_schema(request=RejectInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(RejectInput, request)
        version = require_version(request, data.get("version"))
        return self._act(
            pk, lambda cid: review.claim_reject(claim_id=cid, user=request.user, version=version, reason=data["reason"])
        )

    @extend_schema(request=EditInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(EditInput, request)
        version = require_version(request, data.get("version"))
        return self._act(
            pk, lambda cid: review.claim_edit(claim_id=cid, user=request.user, version=version, text=data["text"])
        )

    @extend_schema(request=AnnotateInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def annotate(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(AnnotateInput, request)
        version = version_from(request, data.get("version"))
        return self._act(
            pk,
            lambda cid: review.claim_annotate(
                claim_id=cid,
                user=request.user,
                version=version,
                note=data["note"],
                label=data.get("label", ""),
                links=data.get("links", []),
            ),
        )

    @extend_schema(request=MergeInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Merge the listed claims into this one (this one survives). Every claim's version is checked:
        this one's (`version` or If-Match) and each merged-in one's (`claims`)."""
        data = _valid(MergeInput, request)
        version = require_version(request, data.get("version"))
        others = {c["id"]: c["version"] for c in data["claims"]}

        def call(cid: int) -> None:
            versions = {**others, cid: version}
            review.claims_merge(survivor_id=cid, other_ids=list(others), user=request.user, versions=versions)

        return self._act(pk, call)

    @extend_schema(request=SplitInput, responses={201: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def split(self, request: Request, pk: str | None = None) -> Response:
        """Move one mention out of this claim into a new claim; answers with the new claim."""
        data = _valid(SplitInput, request)
        version = require_version(request, data.get("version"))
        claim_id = int(pk) if pk and pk.isdigit() else 0
        new = review.mention_split(claim_id=claim_id, mention_id=data["mention_id"], user=request.user, version=version)
        return _claim_response(new.pk, status=201)

    @extend_schema(request=EmptyInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str | None = None) -> Response:
        _valid(EmptyInput, request)
        return self._act(pk, lambda cid: review.claim_take(claim_id=cid, user=request.user))

    @extend_schema(request=EmptyInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        _valid(EmptyInput, request)
        return self._act(pk, lambda cid: review.claim_release(claim_id=cid, user=request.user))


# --- the rest -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(parameters=[MentionFilter], tags=["claims"]),
    retrieve=extend_schema(tags=["claims"]),
)
class MentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = MentionSerializer
    queryset = Mention.objects.none()

    def get_queryset(self) -> QuerySet[Mention]:
        # The filters apply to a mention's own URL too (?story= of another story: 404).
        return selectors.mention_list(MentionFilter.parse(self.request))


@extend_schema_view(
    list=extend_schema(
        parameters=[ConflictFilter],
        responses={200: ConflictSerializer(many=True), 400: ErrorSerializer},
        tags=["conflicts"],
    ),
    retrieve=extend_schema(tags=["conflicts"]),
)
class ConflictViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    """Conflicts between sources, with both sides and a confidence; resolve and reopen them.

    The list leaves out the possible discrepancies (confidence below FACTDESK_CONFLICT_MIN_CONFIDENCE)
    unless asked for them (`possible=true`) or for a lower bar (`min_confidence`); a conflict's own URL
    and its actions work whatever its confidence.
    """

    serializer_class = ConflictSerializer
    queryset = Conflict.objects.none()

    @cached_property
    def query_filters(self) -> dict[str, Any]:
        return ConflictFilter.parse(self.request) if self.action == "list" else {}

    def get_queryset(self) -> QuerySet[Conflict]:
        if self.action != "list":
            return selectors.conflicts_with_sides().order_by("-id")
        return selectors.conflict_list(self.query_filters)

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return selectors.CONFLICT_ORDERS[self.query_filters.get("order", "newest")]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(request=ResolveInput, responses={200: ConflictSerializer, **ERRORS}, tags=["conflicts"])
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(ResolveInput, request)
        version = require_version(request, data.get("version"))
        conflict = self.get_object()
        review.conflict_resolve(
            conflict_id=conflict.pk,
            user=request.user,
            version=version,
            resolution=data["resolution"],
            note=data.get("note", ""),
        )
        return self.retrieve(request, pk=pk)

    @extend_schema(request=VersionInput, responses={200: ConflictSerializer, **ERRORS}, tags=["conflicts"])
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(VersionInput, request)
        version = require_version(request, data.get("version"))
        conflict = self.get_object()
        review.conflict_reopen(conflict_id=conflict.pk, user=request.user, version=version)
        return self.retrieve(request, pk=pk)


@extend_schema_view(
    list=extend_schema(parameters=[SuggestionFilter], tags=["merge suggestions"]),
    retrieve=extend_schema(tags=["merge suggestions"]),
)
class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = SuggestionSerializer
    queryset = MergeSuggestion.objects.none()

    def get_queryset(self) -> QuerySet[MergeSuggestion]:
        return selectors.suggestion_list(SuggestionFilter.parse(self.request))

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return selectors.SUGGESTION_ORDER

    @extend_schema(request=AcceptInput, responses={200: SuggestionSerializer, **ERRORS}, tags=["merge suggestions"])
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """Merge the two claims. Both claims' versions are checked: a merge changes them both."""
        data = _valid(AcceptInput, request)
        suggestion = self.get_object()
        versions = {suggestion.claim_a_id: data["claim_a_version"], suggestion.claim_b_id: data["claim_b_version"]}
        review.suggestion_accept(suggestion_id=suggestion.pk, user=request.user, versions=versions)
        return self.retrieve(request, pk=pk)

    @extend_schema(request=EmptyInput, responses={200: SuggestionSerializer, **ERRORS}, tags=["merge suggestions"])
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        _valid(EmptyInput, request)
        suggestion = self.get_object()
        review.suggestion_reject(suggestion_id=suggestion.pk, user=request.user)
        return self.retrieve(request, pk=pk)


@extend_schema_view(
    list=extend_schema(parameters=[AnnotationFilter], tags=["claims"]),
    retrieve=extend_schema(tags=["claims"]),
)
class AnnotationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = AnnotationSerializer
    queryset = Annotation.objects.none()

    def get_queryset(self) -> QuerySet[Annotation]:
        return selectors.annotation_list(AnnotationFilter.parse(self.request))


@extend_schema_view(
    list=extend_schema(parameters=[EventFilter], tags=["audit"]),
    retrieve=extend_schema(tags=["audit"]),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    """The audit trail: every review action, with the state before and after."""

    serializer_class = EventSerializer
    queryset = ReviewEvent.objects.none()

    def get_queryset(self) -> QuerySet[ReviewEvent]:
        return selectors.event_list(EventFilter.parse(self.request))

    @extend_schema(request=EmptyInput, responses={200: EventSerializer, **ERRORS}, tags=["audit"])
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Undo an event. A merge (or an accepted suggestion): the merged claims come back with what it
        moved, by anyone, at any time. Your own confirm, reject, edit, note, take, release, declined
        suggestion, resolution or reopening: within FACTDESK_UNDO_SECONDS (default 5 minutes), and only
        while the claim or conflict has not changed since (else 409 `changed_since`, naming who changed
        it). The answer is the undo's own event (action `undo`; `unmerge` for a merge)."""
        _valid(EmptyInput, request)
        event = self.get_object()
        undo = review.event_undo(event_id=event.pk, user=request.user)
        return Response(EventSerializer(selectors.event_list({}).get(pk=undo.pk)).data)


@extend_schema_view(
    list=extend_schema(parameters=[PipelineRunFilter], tags=["pipeline"]),
    retrieve=extend_schema(tags=["pipeline"]),
)
class PipelineRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = PipelineRunSerializer
    queryset = PipelineRun.objects.none()

    def get_queryset(self) -> QuerySet[PipelineRun]:
        return selectors.pipeline_run_list(PipelineRunFilter.parse(self.request))


# --- stories and import batches: what claims adds to articles' endpoints ------------------------------


# An import batch with the processing runs of what it imported. (No docstring: the schema's
# ImportBatch component would take it as its description.)
class ImportBatchSerializer(articles_api.ImportBatchSerializer):
    pipeline_runs = PipelineRunSerializer(many=True, read_only=True)

    class Meta(articles_api.ImportBatchSerializer.Meta):
        fields = [*articles_api.ImportBatchSerializer.Meta.fields, "pipeline_runs"]
        read_only_fields = fields


@extend_schema_view(
    articles=extend_schema(responses={202: ImportBatchSerializer, **ERRORS}),
    imports=extend_schema(responses={202: ImportBatchSerializer, **ERRORS}),
)
class StoryViewSet(articles_api.StoryViewSet):
    batch_serializer_class = ImportBatchSerializer
    batch_queryset = articles_api.StoryViewSet.batch_queryset.prefetch_related("pipeline_runs")

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ERRORS[404]}, tags=["exports"])
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        """The story document: the same JSON as `manage.py export_story`."""
        return Response(selectors.story_export(self.get_object()))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                many=True,
                enum=Claim.Status.values,
                description="Claim statuses to include; default all but merged.",
            )
        ],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), 404: ERRORS[404]},
        tags=["exports"],
    )
    @action(detail=True, methods=["get"], url_path="csv")
    def claims_csv(self, request: Request, pk: str | None = None) -> StreamingHttpResponse:
        """The story's claims as CSV, safe to open in a spreadsheet (no formula injection)."""
        story = self.get_object()
        statuses = request.query_params.getlist("status") or None
        response = StreamingHttpResponse(claims_csv(story, statuses=statuses), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{story.slug}-claims.csv"'
        return response

    @extend_schema(
        responses={200: {"type": "array", "items": {"type": "object", "additionalProperties": True}}, 404: ERRORS[404]},
        tags=["exports"],
    )
    @action(detail=True, methods=["get"])
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        """Confirmed claims with a verdict (given with confirm) as schema.org ClaimReview JSON-LD (a list)."""
        base = getattr(settings, "FACTDESK_PUBLIC_URL", "") or request.build_absolute_uri("/").rstrip("/")
        return Response(claim_reviews(self.get_object(), base_url=base))


class ImportBatchViewSet(articles_api.ImportBatchViewSet):
    serializer_class = ImportBatchSerializer
    queryset = articles_api.ImportBatchViewSet.queryset.prefetch_related("pipeline_runs")
