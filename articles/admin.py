from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Article, ArticleEvent, ImportBatch, Outlet, Story


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "created_at"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["created_by"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "story",
        "source",
        "status",
        "imported_count",
        "skipped_count",
        "error_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["source", "status", "story"]
    list_select_related = ["story", "created_by"]
    readonly_fields = ["report", "created_at", "finished_at"]


class ArticleEventInline(admin.TabularInline):
    """The article's audit trail, read-only: events are only ever added, by articles.services."""

    model = ArticleEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "action", "before", "after"]
    readonly_fields = ["created_at", "actor", "action", "before", "after"]

    def has_add_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "external_id",
        "story",
        "outlet",
        "published_on",
        "duplicate_of",
        "duplicate_similarity",
        "processed_at",
    ]
    list_filter = ["story", "outlet", "published_on"]
    search_fields = ["external_id", "title", "body"]
    list_select_related = ["story", "outlet", "duplicate_of"]
    raw_id_fields = ["duplicate_of", "import_batch"]
    # The body is what mentions point into by offset: it is shown, never edited.
    readonly_fields = ["original_text", "body", "content_hash", "embeds", "removed", "created_at", "processed_at"]

    inlines = [ArticleEventInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        # An article stays in its story: its mentions, claims and conflicts are that story's. Its
        # outlet and headline are set on the article page or through the API (articles.services
        # article_update), which audits the change and re-analyses the story.
        if obj is None:
            return list(self.readonly_fields)
        return [*self.readonly_fields, "story", "outlet", "outlet_inferred_from", "title"]
