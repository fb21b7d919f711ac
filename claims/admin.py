from __future__ import annotations

from django.contrib import admin

from .models import Claim, Conflict, ConflictMention, Mention, MergeSuggestion, PipelineRun


class MentionInline(admin.TabularInline):
    model = Mention
    fields = ["article", "start", "end", "text", "certainty", "checkworthiness"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["id", "text", "story", "status", "checkworthiness", "independent_sources", "reviewed_by"]
    list_filter = ["status", "story"]
    search_fields = ["text"]
    list_select_related = ["story", "reviewed_by"]
    raw_id_fields = ["merged_into", "canonical_mention"]
    readonly_fields = ["version", "features", "slots", "sources", "created_at", "updated_at", "reviewed_at"]
    inlines = [MentionInline]


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
    raw_id_fields = ["mention"]
    extra = 0


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "severity", "status", "explanation", "story"]
    list_filter = ["kind", "severity", "status", "story"]
    search_fields = ["explanation"]
    list_select_related = ["story"]
    readonly_fields = ["key", "version"]
    inlines = [ConflictMentionInline]


@admin.register(MergeSuggestion)
class MergeSuggestionAdmin(admin.ModelAdmin):
    list_display = ["id", "claim_a", "claim_b", "score", "status", "story"]
    list_filter = ["status", "story"]
    raw_id_fields = ["claim_a", "claim_b"]
    list_select_related = ["claim_a", "claim_b", "story"]


@admin.register(PipelineRun)
class PipelineRunAdmin(admin.ModelAdmin):
    list_display = ["id", "story", "state", "progress_done", "progress_total", "created_at", "finished_at"]
    list_filter = ["state", "story"]
    readonly_fields = ["article_ids", "errors", "timings", "stats"]
