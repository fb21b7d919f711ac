from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self) -> None:
        from articles.signals import articles_changed, articles_imported

        from .services import pipeline_for_change, pipeline_for_import

        articles_imported.connect(pipeline_for_import, dispatch_uid="claims.pipeline_for_import")
        articles_changed.connect(pipeline_for_change, dispatch_uid="claims.pipeline_for_change")
