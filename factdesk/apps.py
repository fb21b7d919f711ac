from django.apps import AppConfig


class FactdeskConfig(AppConfig):
    """The project package is also an app: API tokens, templates and static files live here."""

    name = "factdesk"
    verbose_name = "FactDesk"
    default_auto_field = "django.db.models.BigAutoField"
