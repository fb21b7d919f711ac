from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from articles.signals import articles_changed, articles_imported

        from .services import pipeline_for_change, pipeline_for_import

        articles_imported.connect(pipeline_for_import, dispatch_uid="claims.pipeline_for_import")
        articles_changed.connect(pipeline_for_change, dispatch_uid="claims.pipeline_for_change")

        from django.db.models.signals import post_delete, post_save

        from articles.models import Story

        from .story_cache import on_story_deleted

        post_delete.connect(on_story_deleted, sender=Story, dispatch_uid="claims.story_index_discard")

        from .models import ReviewEvent
        from .tasks import on_review_event

        # A decision may schedule the desk model's training check (claims/desk.py).
        post_save.connect(on_review_event, sender=ReviewEvent, dispatch_uid="claims.desk_on_review_event")
