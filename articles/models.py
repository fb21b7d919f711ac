from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Outlet(models.Model):
    """A news organisation: a publisher (Business Insider) or a wire (Associated Press)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Story(models.Model):
    """One news event, covered by many articles from different outlets."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "name"]
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:story_detail", args=[self.slug])


class ImportBatch(models.Model):
    """One import: a set of files (or JSON records) and what became of each."""

    class Source(models.TextChoices):
        COMMAND = "command", "Management command"
        UPLOAD = "upload", "Web upload"
        API = "api", "REST API"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="import_batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    # One entry per file or record: {"source", "status": imported|skipped|error, "message", "article_id"}.
    report = models.JSONField(default=list, blank=True)
    imported_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A background import's last saved progress (the sweep sends one that stopped moving again).
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import #{self.pk} into {self.story}"

    @property
    def in_background(self) -> bool:
        """Still being imported by a worker (a large upload): the report grows as it goes."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportUpload(models.Model):
    """A file of a large upload, waiting to be imported by a worker (articles.tasks.import_upload).

    Kept in the database, so any worker can read it and nothing is lost with a worker or a Redis
    restart; deleted once imported. A zip archive is replaced by its members (`member` 1, 2, ...)
    before its first article is imported, so a big archive is imported in parts."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="uploads")
    position = models.PositiveIntegerField()  # the file's place in the upload
    member = models.PositiveIntegerField(default=0)  # a zip member's place in its archive
    name = models.CharField(max_length=1000)
    content = models.BinaryField()
    # How many of the file's articles (a .jsonl holds many) are imported and reported already.
    done = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "member"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One outlet's report, as imported.

    `original_text` is what arrived, unchanged. `body` is the cleaned text that every later
    stage reads; mentions point into it by character offsets, so it is never rewritten once saved.
    """

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="articles")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="articles")
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    external_id = models.CharField(max_length=255, help_text="The file's stem or the record's id.")
    source_name = models.CharField(max_length=500, blank=True, help_text="File (and line) it came from.")
    title = models.CharField(max_length=500, blank=True)
    dateline = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    original_text = models.TextField()
    body = models.TextField()
    # Social-media posts kept from embeds: [{"start", "end", "author", "handle", "posted_on", "platform"}],
    # offsets of the post's text inside `body`.
    embeds = models.JSONField(default=list, blank=True)
    # What cleaning removed, so a reviewer can see nothing was lost: [{"kind", "text"}].
    removed = models.JSONField(default=list, blank=True)
    outlet_inferred_from = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64)
    # MinHash signature of the body's shingles, kept so that later imports compare against it cheaply.
    minhash = models.BinaryField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates"
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["story", "published_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "content_hash"], name="article_unique_content_per_story"),
        ]
        indexes = [models.Index(fields=["story", "external_id"])]

    def __str__(self) -> str:
        return self.title or self.external_id

    def get_absolute_url(self) -> str:
        return reverse("articles:article_detail", args=[self.pk])


class ArticleEvent(models.Model):
    """What an editor changed on an article (its outlet, its headline), with the values before and
    after: the article's audit trail, as claims.ReviewEvent is the claims'. Rows are only ever added."""

    class Action(models.TextChoices):
        EDIT = "edit", "Edited the outlet or headline"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="article_events"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    # Only the fields that changed: {"outlet": "fox", "title": ""} -> {"outlet": "Fox News", ...}.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display().lower()} of article #{self.article_id}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id and self.actor else "system"
