from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

# How an event the pipeline wrote (ReviewEvent.actor is None) names its actor.
PIPELINE_ACTOR = "pipeline"


class Verdict(models.TextChoices):
    """The desk's verdict on a claim, given when confirming it (the claim page's 1-4, in this order);
    the ClaimReview export rates confirmed claims by it (claims/exports.py)."""

    ACCURATE = "accurate", "Accurate"
    INACCURATE = "inaccurate", "Inaccurate"
    MISLEADING = "misleading", "Misleading"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


class Claim(models.Model):
    """A fact that one or more outlets state, with its mentions as evidence.

    The pipeline proposes claims; people decide them. Once a person has acted on a claim
    (`touched_at` is set: a decision, a rewording, a note, a merge or a split), the pipeline may
    attach new evidence to it but never changes its status, its wording or what was decided.
    `reviewed_by` and `reviewed_at` are the decision alone (claims/review.py says which actions
    decide), so a colleague's note or an undone merge does not pass for one.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"
        MERGED = "merged", "Merged"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_claims"
    )
    canonical_mention = models.ForeignKey("Mention", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checkworthiness = models.FloatField(default=0.0)
    # The canonical mention's features, so a reviewer sees why the claim is worth checking.
    features = models.JSONField(default=dict, blank=True)
    slots = models.JSONField(default=dict, blank=True)
    independent_sources = models.PositiveIntegerField(default=0)
    sources = models.JSONField(default=list, blank=True)
    # Optimistic locking: every write checks and bumps it.
    version = models.PositiveIntegerField(default=1)
    # The decision: who confirmed, rejected or merged the claim into another, and when. Empty while
    # it is proposed; undoing a merge brings back the decision it replaced.
    reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the claim was decided (confirmed, rejected or merged); null while undecided.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who decided the claim.",
    )
    # Part of the decision: given with a confirm, or none (the desk verified only that it was said).
    verdict = models.CharField(
        max_length=20,
        choices=Verdict.choices,
        blank=True,
        default="",
        db_default="",  # for rows written outside the ORM (bench/api_load.py copies claims in bulk)
        help_text="The desk's verdict, given when confirming; empty for a claim confirmed without one "
        "(only that it was said) and for any claim not confirmed.",
    )
    # When a person last acted on the claim in any way: from then on the pipeline keeps off it.
    touched_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # A reviewer who takes a claim holds it until the lease runs out; others see who holds it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Denormalised for the queue's filters and ordering at 100,000 claims; kept by the services.
    open_conflicts = models.PositiveIntegerField(default=0)
    # The desk model's check-worthiness of the claim (DeskModel, trained on the desk's own decisions),
    # or null until one has scored it: then the rules' score orders the queue.
    desk_score = models.FloatField(
        null=True, blank=True, help_text="The desk model's probability that the claim is worth checking."
    )
    # The queue's priority after open conflicts: the desk model's score, or the rules' until there is
    # one. Computed by the database (a stored generated column), so every write of either score (the
    # pipeline's, a bulk COPY) keeps it, and the queue's order is an index scan (claim_queue_order).
    priority = models.GeneratedField(
        expression=Coalesce(F("desk_score"), F("checkworthiness")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    # Which desk model version gave desk_score, and its contributions: the rules' own and the model's
    # part ("desk_model"), which add up to desk_score (claims/desk.py).
    desk_model = models.ForeignKey(
        "DeskModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    desk_features = models.JSONField(default=dict, blank=True, db_default={})
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-checkworthiness", "id"]
        indexes = [
            models.Index(fields=["story", "status", "-checkworthiness"]),
            # The queue's default order (QUEUE_ORDERS["priority"]) as an index scan, a page of 50 reading
            # 50 rows however many claims the story has: without a status (the default queue) and with one.
            models.Index(
                fields=["story", "-open_conflicts", "-priority", "-independent_sources", "id"],
                name="claim_queue_order",
            ),
            models.Index(
                fields=["story", "status", "-open_conflicts", "-priority", "-independent_sources", "id"],
                name="claim_queue_status_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="merged", merged_into__isnull=False) | ~Q(status="merged"),
                name="claim_merged_has_target",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="claim_not_merged_into_itself"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def score(self) -> float:
        """The check-worthiness the queue orders by (`priority`): the desk model's, else the rules'."""
        return self.checkworthiness if self.desk_score is None else self.desk_score

    @property
    def score_features(self) -> dict[str, float]:
        """The contributions that add up to `score`: with a desk model's score, the rules' and the
        model's part ("desk_model"); without, the rules' (`features`)."""
        return dict(self.desk_features) if self.desk_score is not None and self.desk_features else dict(self.features)

    @property
    def is_touched(self) -> bool:
        """A person has acted on it: the pipeline must not change its status or wording."""
        return self.touched_at is not None or self.status != self.Status.PROPOSED

    def lease_holder(self, now: Any = None) -> Any:
        """Who holds the claim now, or None when nobody does (or the lease ran out)."""
        if self.assignee_id and lease_is_active(self.lease_expires_at, now):
            return self.assignee
        return None


def lease_is_active(expires_at: Any, now: Any = None) -> bool:
    """The lease rule, for a claim and for a row of one: a taken claim is held until its lease runs out."""
    return expires_at is not None and expires_at > (now or timezone.now())


class DeskModel(models.Model):
    """One version of the desk model: check-worthiness learned from the desk's own decisions (a
    confirmed claim was worth checking, a rejected one was not), trained on the worker by
    claims/desk.py with claims/pipeline/worthiness_model.py. The latest version scores the undecided
    claims (Claim.desk_score, and so the queue's priority); until the first, the rules do."""

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_on = models.PositiveIntegerField(help_text="Decisions it learned from (confirmed and rejected claims).")
    positives = models.PositiveIntegerField(help_text="Of them, confirmed claims.")
    f1_cv = models.FloatField(null=True, blank=True, help_text="F1 of 5-fold cross-validation on those decisions.")
    threshold = models.FloatField(help_text="The probability from which the model calls a claim worth checking.")
    c = models.FloatField(help_text="The logistic regression's C, chosen by cross-validation.")
    # The last decision event it saw: "new decisions" since this version are events after it.
    last_event_id = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0.0, help_text="Training time on the worker.")
    # A pickled worthiness_model.WorthinessModel (the app writes it; nothing else is loaded).
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        verbose_name = "desk model"

    def __str__(self) -> str:
        f1 = "?" if self.f1_cv is None else f"{self.f1_cv:.2f}"
        return f"Desk model v{self.version} ({self.trained_on} decisions, F1 {f1})"


class Mention(models.Model):
    """Where an article states a claim: a span of the article's cleaned body."""

    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="mentions")
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="mentions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()
    checkworthiness = models.FloatField(default=0.0)
    features = models.JSONField(default=dict, blank=True)
    slots = models.JSONField(default=dict, blank=True)
    certainty = models.CharField(max_length=20, default="asserted")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "start"]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="mention_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="mention_span_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Conflict(models.Model):
    """Two sets of mentions that disagree, typed and explained."""

    class Kind(models.TextChoices):
        NUMBER = "number", "Number"
        QUOTE = "quote", "Quotation"
        CERTAINTY = "certainty", "Certainty"
        ATTRIBUTION = "attribution", "Attribution"
        DATE = "date", "Date"
        NEGATION = "negation", "Contradiction"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Resolution(models.TextChoices):
        SIDE_A = "side_a", "Side A is right"
        SIDE_B = "side_b", "Side B is right"
        BOTH = "both", "Both can hold"
        NOT_A_CONFLICT = "not_a_conflict", "Not a conflict"
        UNSETTLED = "unsettled", "Cannot be settled"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    explanation = models.TextField()
    # Stable identity of (kind, side A, side B), so that re-runs never add the same conflict twice.
    key = models.CharField(max_length=64)
    mentions = models.ManyToManyField(Mention, through="ConflictMention", related_name="conflicts")
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # How sure the pipeline is that this is a real disagreement (0..1), and the named contributions
    # that add up to it. Below FACTDESK_CONFLICT_MIN_CONFIDENCE a conflict is a "possible discrepancy":
    # kept, but not listed or counted by default.
    confidence = models.FloatField(default=1.0)
    factors = models.JSONField(default=dict, blank=True)
    # The resolved conflict that this one re-raises with new evidence (the resolved one stays resolved).
    follows = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="followed_by")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["story", "key"], name="conflict_unique_key_per_story"),
            models.CheckConstraint(
                condition=Q(confidence__gte=0.0, confidence__lte=1.0), name="conflict_confidence_0_to_1"
            ),
        ]
        indexes = [
            models.Index(fields=["story", "status", "kind"]),
            # The story page and the API list a story's (open) conflicts by confidence, above a threshold.
            models.Index(fields=["story", "status", "-confidence", "id"], name="conflict_story_confidence"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} conflict: {self.explanation[:60]}"


class ConflictMention(models.Model):
    class Side(models.TextChoices):
        A = "a", "Side A"
        B = "b", "Side B"

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="sides")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="conflict_sides")
    side = models.CharField(max_length=1, choices=Side.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conflict", "mention"], name="conflict_mention_once"),
        ]

    def __str__(self) -> str:
        return f"side {self.side} of conflict #{self.conflict_id}: mention #{self.mention_id}"


def refresh_open_conflicts(claim_ids: Sequence[int]) -> None:
    """Recount each claim's open conflicts (a derived number: no version bump, no event).

    Only the conflicts shown by default count (confidence at least FACTDESK_CONFLICT_MIN_CONFIDENCE),
    so the queue's priority and its "open conflict" filter follow what a reviewer sees; the weak
    ones are the queue's "possible discrepancies". The reviewers' actions (claims/review.py) and the
    pipeline's persistence (claims/persist.py) both call it.
    """
    counts = (
        ConflictMention.objects.filter(
            mention__claim=OuterRef("pk"),
            conflict__status=Conflict.Status.OPEN,
            conflict__confidence__gte=settings.FACTDESK_CONFLICT_MIN_CONFIDENCE,
        )
        .order_by()
        .values("mention__claim")
        .annotate(n=Count("conflict", distinct=True))
        .values("n")
    )
    Claim.objects.filter(pk__in=list(claim_ids)).update(
        open_conflicts=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))
    )


class MergeSuggestion(models.Model):
    """Two claims that may state the same fact: a person accepts or rejects the merge."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        # Set by the pipeline, not a person: the two claims are on opposite sides of an open conflict.
        WITHDRAWN = "withdrawn", "Withdrawn: the claims disagree"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="merge_suggestions")
    claim_a = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    claim_b = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim_a", "claim_b"], name="merge_suggestion_pair_once"),
            models.CheckConstraint(condition=Q(claim_a__lt=F("claim_b")), name="merge_suggestion_ordered_pair"),
        ]

    def __str__(self) -> str:
        return f"merge #{self.claim_a_id} + #{self.claim_b_id}? ({self.score:.2f})"


class PipelineRun(models.Model):
    """One pass of the pipeline over a story: extraction of its new articles, then the story stage."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXTRACTING = "extracting", "Extracting claims"
        ANALYSING = "analysing", "Aligning and finding conflicts"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="pipeline_runs")
    import_batch = models.ForeignKey(
        "articles.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="pipeline_runs"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    article_ids = models.JSONField(default=list, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # [{"article_id", "stage", "reason"}]: what was skipped or failed, and why.
    errors = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Run #{self.pk} on {self.story}: {self.state}"

    @property
    def percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    # The progress counts tasks: one per article and the story stage (claims/runs.py). People read
    # articles: "5 of 5 articles", not "6/6".
    @property
    def articles_total(self) -> int:
        return max(self.progress_total - 1, 0)

    @property
    def articles_done(self) -> int:
        return min(self.progress_done, self.articles_total)


class Annotation(models.Model):
    """A reviewer's note on a claim, optionally with a label and evidence links.

    The label names a verdict (notes once carried the claim's verdict); it is the note's opinion
    only: the claim's verdict is part of its decision (Claim.verdict, set by confirming).
    """

    Label = Verdict

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    note = models.TextField()
    label = models.CharField(max_length=20, choices=Label.choices, blank=True)
    links = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_label_display() or 'Note'} on claim #{self.claim_id}: {self.note[:60]}"


class ReviewEvent(models.Model):
    """The audit trail: who did what, when, to which objects, with the state before and after.

    Rows are only ever added; nothing deletes them (claims are protected from deletion
    while they have events).
    """

    class Action(models.TextChoices):
        CONFIRM = "confirm", "Confirmed"
        REJECT = "reject", "Rejected"
        EDIT = "edit", "Edited the wording"
        MERGE = "merge", "Merged"
        UNMERGE = "unmerge", "Undid a merge"
        SPLIT = "split", "Split a mention out"
        ANNOTATE = "annotate", "Annotated"
        RESOLVE = "resolve", "Resolved a conflict"
        REOPEN = "reopen", "Reopened a conflict"
        ACCEPT_SUGGESTION = "accept_suggestion", "Accepted a merge suggestion"
        REJECT_SUGGESTION = "reject_suggestion", "Rejected a merge suggestion"
        TAKE = "take", "Took"
        RELEASE = "release", "Released"
        CONFLICT_EXTEND = "conflict_extend", "Pipeline added evidence to a conflict"
        CONFLICT_FOLLOW = "conflict_follow", "Pipeline re-raised a resolved conflict"
        # A person took back one of their own actions (claims/review.event_undo); payload["undoes"] names it.
        UNDO = "undo", "Undid"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="review_events")
    # None: the pipeline did it (it adds evidence to conflicts and re-raises resolved ones).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="review_events"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    claims = models.ManyToManyField(Claim, related_name="review_events", blank=True)
    conflict = models.ForeignKey(
        Conflict, null=True, blank=True, on_delete=models.PROTECT, related_name="review_events"
    )
    suggestion = models.ForeignKey(
        MergeSuggestion, null=True, blank=True, on_delete=models.PROTECT, related_name="review_events"
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    # What an action moved, so that it can be undone exactly (a merge's mentions and annotations).
    payload = models.JSONField(default=dict, blank=True)
    undone_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="undoes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["story", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action_phrase} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def actor_name(self) -> str:
        """Who acted, for people to read: a username, or "pipeline" for the pipeline's own events."""
        return self.actor.get_username() if self.actor_id and self.actor else PIPELINE_ACTOR

    @property
    def is_merge(self) -> bool:
        return self.action in (self.Action.MERGE, self.Action.ACCEPT_SUGGESTION)

    @property
    def undoable(self) -> bool:
        """A merge not undone yet: claims/review.merge_undo acts on it, and the pages offer it."""
        return self.is_merge and not self.undone_by_id

    @property
    def verdict_display(self) -> str:
        """A confirm event's verdict as people read it ("Misleading"); empty when it gave none."""
        value = self.after.get("verdict") if isinstance(self.after, dict) else None
        return str(Verdict(value).label) if value in Verdict.values else ""

    @property
    def resolution_display(self) -> str:
        """A resolve event's resolution as people read it ("Both can hold"), not its stored value."""
        value = self.after.get("resolution") if isinstance(self.after, dict) else None
        return str(Conflict.Resolution(value).label) if value in Conflict.Resolution.values else (value or "")

    @property
    def action_phrase(self) -> str:
        """The action as it reads after `actor_name`: "confirmed", "added evidence to a conflict"."""
        return self.get_action_display().removeprefix("Pipeline ").lower()
