from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    """Incidents and on-site command (应急响应与现场指挥), issue 16."""

    name = "response"
    verbose_name = _("Emergency response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from response.duties import connect

        connect()
