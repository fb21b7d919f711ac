from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect

from factdesk.errors import ApplicationError

from . import review
from .models import (
    Annotation,
    Claim,
    Conflict,
    ConflictMention,
    DeskModel,
    Mention,
    MergeSuggestion,
    PipelineRun,
    ReviewEvent,
)
from .templatetags.claim_features import feature_label


class _NotSaved(Exception):
    """An admin edit the review service refused: the change form's transaction rolls back."""


def _bulk(request: HttpRequest, queryset: QuerySet[Claim], action: Callable[[Claim], Any], done: str) -> None:
    """Run a review service on each selected claim; report what could not be done and why."""
    ok, problems = 0, []
    for claim in queryset.order_by("pk"):
        try:
            action(claim)
            ok += 1
        except ApplicationError as exc:
            problems.append(f"#{claim.pk}: {exc.message}")
    if ok:
        messages.success(request, f"{done} {ok} claim{'' if ok == 1 else 's'}.")
    for problem in problems[:20]:
        messages.warning(request, problem)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: what changes these rows goes through claims/review.py (checked,
    versioned, audited, open conflicts recounted) or belongs to the pipeline."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ClaimAdminForm(forms.ModelForm):
    # The version the form was loaded at, so that an edit here is checked like one on the claim page.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Claim
        fields = "__all__"  # noqa: DJ007  # the admin picks the fields; this form adds the version

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version


class MentionInline(admin.TabularInline):
    model = Mention
    fields = readonly_fields = ("article", "start", "end", "text", "certainty", "checkworthiness")
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "id", "text", "story", "status", "verdict", "checkworthiness", "desk_score", "independent_sources", "reviewed_by",
    ]  # fmt: skip
    list_filter = ["status", "verdict", "story"]
    search_fields = ["text"]
    list_select_related = ["story", "reviewed_by"]
    raw_id_fields = ["merged_into", "canonical_mention"]
    readonly_fields = [
        "version",
        "features",
        "slots",
        "sources",
        "created_at",
        "updated_at",
        "reviewed_at",
        "touched_at",
        # The desk model's (claims/desk.py), never edited by hand: the queue's order follows them.
        "desk_score",
        "desk_features",
        "desk_model",
        "priority",
        "why_worth_checking",
    ]
    form = ClaimAdminForm
    inlines = [MentionInline]
    actions = ["confirm_selected", "reject_selected"]

    # Bulk actions act on claims nobody loaded in a form: they override the version check, openly
    # (review.ANY_VERSION), and each event records that it was applied without one.
    @admin.action(description="Confirm the selected claims", permissions=["change"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        _bulk(
            request,
            queryset,
            lambda c: review.claim_confirm(claim_id=c.pk, user=request.user, version=review.ANY_VERSION),
            "Confirmed",
        )

    @admin.action(description="Reject the selected claims", permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        reason = f"Rejected in bulk from the admin by {request.user.get_username()}"
        _bulk(
            request,
            queryset,
            lambda c: review.claim_reject(claim_id=c.pk, user=request.user, version=review.ANY_VERSION, reason=reason),
            "Rejected",
        )

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        """Edits in the admin go through the same services, so they are checked and audited."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        if "text" in form.changed_data:
            version = form.cleaned_data.get("loaded_version")
            try:
                review.claim_edit(claim_id=obj.pk, user=request.user, version=version, text=obj.text)
            except ApplicationError as exc:
                # Rolled back with the admin's transaction; the message says why nothing was saved.
                messages.error(request, f"Not saved: {exc.message}")
                raise _NotSaved from exc

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> Any:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _NotSaved:
            return HttpResponseRedirect(request.get_full_path())

    def get_readonly_fields(self, request: HttpRequest, obj: Claim | None = None) -> list[str]:
        # Status, merging and leases change only through the actions, with their rules and audit.
        return [
            *self.readonly_fields,
            "status",
            "rejection_reason",
            "merged_into",
            "assignee",
            "lease_expires_at",
            "open_conflicts",
            "reviewed_by",
            "verdict",  # part of the decision: given by confirming
            "canonical_mention",
            # A claim stays in its story; what it is worth and its sources are the pipeline's.
            *(["story", "checkworthiness", "independent_sources"] if obj is not None else []),
        ]

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return False  # a reviewer's work is never deleted

    @admin.display(description="Why it is worth checking")
    def why_worth_checking(self, obj: Claim) -> str:
        """The contributions that add up to the score the queue orders by, the desk model's part too."""
        parts = [f"{feature_label(name)} {value:+.2f}" for name, value in obj.score_features.items()]
        source = f"desk model v{obj.desk_model.version}" if obj.desk_score is not None and obj.desk_model else "rules"
        return "; ".join([*parts, f"= {obj.score:.2f} ({source})"])


# Read-only: versions are trained on the worker from the desk's decisions (claims/desk.py).
@admin.register(DeskModel)
class DeskModelAdmin(ReadOnlyAdmin):
    list_display = ["version", "created_at", "trained_on", "positives", "cross_validated_f1", "threshold", "seconds"]
    fields = readonly_fields = (
        "version", "created_at", "trained_on", "positives", "cross_validated_f1", "threshold", "c", "last_event_id",
        "seconds", "claims_scored",
    )  # fmt: skip

    @admin.display(description="cross-validated F1", ordering="f1_cv")
    def cross_validated_f1(self, obj: DeskModel) -> str:
        return "-" if obj.f1_cv is None else f"{obj.f1_cv:.3f}"

    @admin.display(description="undecided claims it scored")
    def claims_scored(self, obj: DeskModel) -> int:
        return Claim.objects.filter(desk_model=obj, status=Claim.Status.PROPOSED).count()


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["id", "text", "article", "claim", "certainty", "checkworthiness"]
    list_filter = ["certainty", "article__story"]
    search_fields = ["text"]
    list_select_related = ["article", "claim"]
    raw_id_fields = ["claim", "article"]
    readonly_fields = ["start", "end", "text", "features", "slots"]


class ConflictMentionInline(admin.TabularInline):
    model = ConflictMention
    fields = readonly_fields = ("side", "mention")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# Read-only: a conflict is resolved and reopened on its page or through the API (claims/review.py:
# versioned, audited, its claims' open-conflict counts kept); its sides, confidence and what it
# follows are the pipeline's.
@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "severity", "status", "confidence", "explanation", "story"]
    list_filter = ["kind", "severity", "status", "story"]
    search_fields = ["explanation"]
    list_select_related = ["story"]
    inlines = [ConflictMentionInline]


# Read-only: suggestions are accepted (a merge) or declined on the claim page or through the API.
@admin.register(MergeSuggestion)
class MergeSuggestionAdmin(ReadOnlyAdmin):
    list_display = ["id", "claim_a", "claim_b", "score", "status", "story"]
    list_filter = ["status", "story"]
    list_select_related = ["claim_a", "claim_b", "story"]


# Read-only: a run's state and progress are its bookkeeping's (claims/runs.py).
@admin.register(PipelineRun)
class PipelineRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "story", "state", "progress_done", "progress_total", "created_at", "finished_at"]
    list_filter = ["state", "story"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["id", "claim", "label", "author", "created_at"]
    list_filter = ["label"]
    search_fields = ["note"]
    raw_id_fields = ["claim"]
    list_select_related = ["claim", "author"]

    def has_delete_permission(self, request: HttpRequest, obj: Annotation | None = None) -> bool:
        return False


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    """The audit trail, read-only."""

    list_display = ["id", "created_at", "actor_display", "action", "story", "conflict"]
    list_filter = ["action", "story"]
    list_select_related = ["actor", "story", "conflict"]
    fields = [
        "created_at", "actor_display", "action", "story", "claims", "conflict", "suggestion",
        "before", "after", "payload", "undone_by",
    ]  # fmt: skip
    readonly_fields = ["created_at", "actor_display"]

    @admin.display(description="actor", ordering="actor__username")
    def actor_display(self, event: ReviewEvent) -> str:
        return event.actor_name  # "pipeline" for the pipeline's own events

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReviewEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ReviewEvent | None = None) -> bool:
        return False
