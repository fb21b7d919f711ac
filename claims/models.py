from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Claim(models.Model):
    """A fact that one or more outlets state, with its mentions as evidence.

    The pipeline proposes claims; people decide them. Once a person has acted on a claim
    (`reviewed_at` is set), the pipeline may attach new evidence to it but never changes its
    status, its wording or what was decided.
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
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-checkworthiness", "id"]
        indexes = [
            models.Index(fields=["story", "status", "-checkworthiness"]),
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
    def is_decided(self) -> bool:
        """A person has acted on it: the pipeline must not change what they decided."""
        return self.reviewed_at is not None or self.status != self.Status.PROPOSED


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

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    explanation = models.TextField()
    # Stable identity of (kind, side A, side B), so that re-runs never add the same conflict twice.
    key = models.CharField(max_length=64)
    mentions = models.ManyToManyField(Mention, through="ConflictMention", related_name="conflicts")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["story", "key"], name="conflict_unique_key_per_story")]
        indexes = [models.Index(fields=["story", "status", "kind"])]

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


class MergeSuggestion(models.Model):
    """Two claims that may state the same fact: a person accepts or rejects the merge."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    story = models.ForeignKey("articles.Story", on_delete=models.CASCADE, related_name="merge_suggestions")
    claim_a = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    claim_b = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
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
