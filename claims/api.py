"""REST API for claims, mentions, conflicts, merge suggestions, annotations, events and runs,
and what claims adds to articles' endpoints: an import batch's runs and the story exports.

Thin views: input serializers validate, the services in claims/review.py do the work (the
same functions the web pages call, with the same permission, version and lease rules), and
output serializers render the result, except the claim documents, which claims/documents.py
builds from rows (the serializers here describe them for the schema).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
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
from articles.models import Story
from factdesk.api import ERRORS, ErrorSerializer, IdViewSet, StrictSerializer, int_param, require_version, version_from
from factdesk.errors import ApplicationError

from . import documents, review, selectors
from .exports import claim_reviews, claims_csv
from .models import (
    Annotation,
    Claim,
    Conflict,
    ConflictMention,
    Mention,
    MergeSuggestion,
    PipelineRun,
    ReviewEvent,
)

_int_param = int_param
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
        # prefetched with their mentions (conflicts_queryset)
        return documents.sides((row.side, row.mention_id, row.mention.claim_id, None) for row in conflict.sides.all())


def conflicts_queryset() -> QuerySet[Conflict]:
    return Conflict.objects.select_related("resolved_by").prefetch_related(
        Prefetch(
            "sides",
            queryset=ConflictMention.objects.select_related("mention").only(
                "id", "conflict_id", "side", "mention_id", "mention__claim_id"
            ),
        )
    )


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

    class Meta:
        model = Claim
        fields = [
            "id", "story", "text", "status", "merged_into", "checkworthiness", "independent_sources", "sources",
            "open_conflicts", "mention_count", "assignee", "held_by", "lease_expires_at", "rejection_reason",
            "version", "reviewed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_held_by(self, claim: Claim) -> str | None:
        holder = claim.lease_holder()
        return holder.get_username() if holder else None


class ClaimDetailSerializer(ClaimSerializer):
    """The claim with all its evidence. The fields describe the document (and the schema); it is built
    directly from selectors.claim_for_api's rows, which equals DRF's rendering through the nested
    serializers (tests/api/test_documents.py) at a third of the cost."""

    mentions = MentionSerializer(many=True, read_only=True)
    annotations = AnnotationSerializer(many=True, read_only=True)
    conflicts = ConflictSerializer(many=True, read_only=True)
    merge_suggestions = SuggestionSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "features",
            "slots",
            "mentions",
            "annotations",
            "conflicts",
            "merge_suggestions",
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
        choices=Annotation.Label.choices, required=False, allow_blank=True
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

CONFIDENCE = {"type": "number", "minimum": 0, "maximum": 1}


def confidence_param(request: Request, name: str = "min_confidence") -> float | None:
    """A confidence given as a query parameter, or None; anything but a number from 0 to 1 is a 400."""
    try:
        return selectors.parse_confidence(request.query_params.get(name))
    except ValueError as exc:
        raise ApplicationError(f"`{name}` must be a number from 0 to 1.", code="invalid") from exc


def choice_param(request: Request, name: str, choices: Sequence[str]) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise ApplicationError(f"`{name}` must be one of {', '.join(choices)}.", code="invalid")
    return value


QUEUE_PARAMETERS = [
    OpenApiParameter("story", int, description="Only this story's claims."),
    OpenApiParameter("status", str, enum=["all", *Claim.Status.values], description="Default: all."),
    OpenApiParameter(
        "conflict",
        str,
        enum=list(selectors.QUEUE_CONFLICT_FILTERS),
        description="`open`: has an open conflict at least FACTDESK_CONFLICT_MIN_CONFIDENCE (or `min_confidence`) "
        "sure; `possible`: has an open possible discrepancy (below that setting); `none`: no open conflict.",
    ),
    OpenApiParameter(
        "min_confidence",
        CONFIDENCE,
        description="Has an open conflict at least this sure (0 to 1); also the bar for `conflict=open` and `kind`.",
    ),
    OpenApiParameter("kind", str, enum=Conflict.Kind.values, description="Has an open conflict of this kind."),
    OpenApiParameter("assignee", str, description="A username, `me` or `none`."),
    OpenApiParameter("outlet", str, description="Outlet slug: has a mention from this outlet."),
    OpenApiParameter("q", str, description="Words in the claim's text."),
    OpenApiParameter("order", str, enum=list(selectors.QUEUE_ORDERS), description="Default: priority."),
    OpenApiParameter("page_size", int, description="1 to 200; default 50."),
]


def _claim_response(claim_id: int, status: int = 200) -> Response:
    rows = selectors.claim_for_api(claim_id)
    response = Response(documents.claim_detail(rows), status=status)
    response["ETag"] = f'"{rows.claim["version"]}"'
    return response


@extend_schema_view(
    list=extend_schema(
        parameters=QUEUE_PARAMETERS,
        responses={200: ClaimSerializer(many=True), 400: ErrorSerializer},
        tags=["claims"],
    ),
    retrieve=extend_schema(responses={200: ClaimDetailSerializer, 404: ErrorSerializer}, tags=["claims"]),
)
class ClaimViewSet(IdViewSet):
    """Claims: the queue with its filters, a claim with all its evidence, and every review action."""

    serializer_class = ClaimSerializer
    queryset = Claim.objects.none()

    def get_queryset(self) -> Any:  # rows of selectors.CLAIM_COLUMNS (no rows for an unknown story)
        story_id = _int_param(self.request, "story")
        story = Story.objects.filter(pk=story_id).first() if story_id is not None else None
        if story_id is not None and story is None:
            return Claim.objects.none()
        params = self.request.query_params.copy()
        if params.get("status") and params["status"] != "all" and params["status"] not in Claim.Status.values:
            raise ApplicationError(f"Unknown status {params['status']!r}.", code="invalid")
        choice_param(self.request, "conflict", list(selectors.QUEUE_CONFLICT_FILTERS))
        choice_param(self.request, "kind", Conflict.Kind.values)
        choice_param(self.request, "order", list(selectors.QUEUE_ORDERS))
        confidence_param(self.request)
        # Counted for the page's rows only (a correlated subquery): Count("mentions") joined and grouped
        # every claim of the story with its mentions before the LIMIT could apply.
        counts = Mention.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(n=Count("*"))
        return (
            selectors.claim_queue(story, params, self.request.user)
            .annotate(mention_count=Coalesce(Subquery(counts.values("n"), output_field=IntegerField()), Value(0)))
            .values(*selectors.CLAIM_COLUMNS, "mention_count")  # rows, not model instances: a third of the cost
        )

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return selectors.QUEUE_ORDERS.get(
            request.query_params.get("order", "priority"), selectors.QUEUE_ORDERS["priority"]
        )

    def list(self, request: Request) -> Response:
        rows = self.paginate_queryset(self.get_queryset()) or []
        return self.get_paginated_response([documents.claim(row) for row in rows])

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        claim_id = int(pk) if pk and pk.isdigit() else 0
        return _claim_response(claim_id)

    def _act(self, pk: str | None, call: Any) -> Response:
        if not (pk and pk.isdigit()) or not Claim.objects.filter(pk=int(pk)).exists():
            raise Claim.DoesNotExist("No such claim.")
        call(int(pk))
        return _claim_response(int(pk))

    @extend_schema(request=VersionInput, responses={200: ClaimDetailSerializer, **ERRORS}, tags=["claims"])
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        data = _valid(VersionInput, request)
        version = require_version(request, data.get("version"))
        return self._act(pk, lambda cid: review.claim_confirm(claim_id=cid, user=request.user, version=version))

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
    list=extend_schema(
        parameters=[OpenApiParameter("claim", int), OpenApiParameter("article", int), OpenApiParameter("story", int)],
        tags=["claims"],
    ),
    retrieve=extend_schema(tags=["claims"]),
)
class MentionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = MentionSerializer
    queryset = Mention.objects.select_related("article__outlet").order_by("id")

    def get_queryset(self) -> QuerySet[Mention]:
        qs = self.queryset
        for name, field in (("claim", "claim_id"), ("article", "article_id"), ("story", "article__story_id")):
            value = _int_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{field: value})
        return qs


CONFLICT_ORDERS: dict[str, tuple[str, ...]] = {"newest": ("-id",), "confidence": ("-confidence", "-id")}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("story", int),
            OpenApiParameter("status", str, enum=Conflict.Status.values),
            OpenApiParameter("kind", str, enum=Conflict.Kind.values),
            OpenApiParameter("claim", int),
            OpenApiParameter(
                "min_confidence",
                CONFIDENCE,
                description="Only conflicts at least this sure (0 to 1). Default: the server's "
                "FACTDESK_CONFLICT_MIN_CONFIDENCE; 0 lists every conflict.",
            ),
            OpenApiParameter(
                "possible",
                bool,
                description="true: only the possible discrepancies, the conflicts below FACTDESK_CONFLICT_MIN_CONFIDENCE "
                "(and at least `min_confidence`, if given).",
            ),
            OpenApiParameter(
                "order",
                str,
                enum=list(CONFLICT_ORDERS),
                description="`newest` (the default) or `confidence`: surest first.",
            ),
        ],
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

    def get_queryset(self) -> QuerySet[Conflict]:
        qs = conflicts_queryset().order_by("-id")
        if self.action != "list":
            return qs
        story = _int_param(self.request, "story")
        if story is not None:
            qs = qs.filter(story_id=story)
        claim = _int_param(self.request, "claim")
        if claim is not None:
            qs = qs.filter(sides__mention__claim_id=claim).distinct()
        for name in ("status", "kind"):
            value = self.request.query_params.get(name)
            if value:
                allowed = Conflict.Status.values if name == "status" else Conflict.Kind.values
                if value not in allowed:
                    raise ApplicationError(f"Unknown {name} {value!r}.", code="invalid")
                qs = qs.filter(**{name: value})
        low = confidence_param(self.request)
        possible = choice_param(self.request, "possible", ["true", "false"]) == "true"
        choice_param(self.request, "order", list(CONFLICT_ORDERS))
        weak = Q(confidence__lt=selectors.min_confidence())
        if possible:
            qs = qs.filter(weak)
        if low is not None:
            qs = qs.filter(confidence__gte=low)
        elif not possible:
            qs = qs.exclude(weak)
        return qs

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return CONFLICT_ORDERS.get(request.query_params.get("order") or "newest", CONFLICT_ORDERS["newest"])

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
    list=extend_schema(
        parameters=[
            OpenApiParameter("story", int),
            OpenApiParameter("status", str, enum=MergeSuggestion.Status.values),
            OpenApiParameter("claim", int),
        ],
        tags=["merge suggestions"],
    ),
    retrieve=extend_schema(tags=["merge suggestions"]),
)
class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = SuggestionSerializer
    queryset = MergeSuggestion.objects.select_related("decided_by").order_by("-score", "id")

    def get_queryset(self) -> QuerySet[MergeSuggestion]:
        qs = self.queryset
        story = _int_param(self.request, "story")
        if story is not None:
            qs = qs.filter(story_id=story)
        claim = _int_param(self.request, "claim")
        if claim is not None:
            qs = qs.filter(claim_a_id=claim) | qs.filter(claim_b_id=claim)
        status = self.request.query_params.get("status")
        if status:
            if status not in MergeSuggestion.Status.values:
                raise ApplicationError(f"Unknown status {status!r}.", code="invalid")
            qs = qs.filter(status=status)
        return qs

    def cursor_ordering(self, request: Request) -> tuple[str, ...]:
        return ("-score", "id")

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
    list=extend_schema(parameters=[OpenApiParameter("claim", int), OpenApiParameter("story", int)], tags=["claims"]),
    retrieve=extend_schema(tags=["claims"]),
)
class AnnotationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = AnnotationSerializer
    queryset = Annotation.objects.select_related("author").order_by("-id")

    def get_queryset(self) -> QuerySet[Annotation]:
        qs = self.queryset
        for name, field in (("claim", "claim_id"), ("story", "claim__story_id")):
            value = _int_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{field: value})
        return qs


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("claim", int), OpenApiParameter("story", int), OpenApiParameter("conflict", int)],
        tags=["audit"],
    ),
    retrieve=extend_schema(tags=["audit"]),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    """The audit trail: every review action, with the state before and after."""

    serializer_class = EventSerializer
    queryset = ReviewEvent.objects.select_related("actor").prefetch_related("claims").order_by("-id")

    def get_queryset(self) -> QuerySet[ReviewEvent]:
        qs = self.queryset
        for name, field in (("claim", "claims"), ("story", "story_id"), ("conflict", "conflict_id")):
            value = _int_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{field: value})
        return qs

    @extend_schema(request=EmptyInput, responses={200: EventSerializer, **ERRORS}, tags=["audit"])
    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str | None = None) -> Response:
        """Undo a merge event: the merged claims come back with what it moved."""
        _valid(EmptyInput, request)
        event = self.get_object()
        undo = review.merge_undo(event_id=event.pk, user=request.user)
        return Response(
            EventSerializer(ReviewEvent.objects.prefetch_related("claims").select_related("actor").get(pk=undo.pk)).data
        )


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("story", int)], tags=["pipeline"]),
    retrieve=extend_schema(tags=["pipeline"]),
)
class PipelineRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, IdViewSet):
    serializer_class = PipelineRunSerializer
    queryset = PipelineRun.objects.order_by("-id")

    def get_queryset(self) -> QuerySet[PipelineRun]:
        story = _int_param(self.request, "story")
        return self.queryset.filter(story_id=story) if story is not None else self.queryset


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
            OpenApiParameter("status", str, many=True, description="Claim statuses to include; default all but merged.")
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
        """Confirmed claims with a verdict as schema.org ClaimReview JSON-LD (a list)."""
        base = getattr(settings, "FACTDESK_PUBLIC_URL", "") or request.build_absolute_uri("/").rstrip("/")
        return Response(claim_reviews(self.get_object(), base_url=base))


class ImportBatchViewSet(articles_api.ImportBatchViewSet):
    serializer_class = ImportBatchSerializer
    queryset = articles_api.ImportBatchViewSet.queryset.prefetch_related("pipeline_runs")
