from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The leaders' dashboard and the command-centre screen (领导驾驶舱 / 大屏), issue 17: reads of the other apps,
    through their selectors, for leaders and for the wall display."""

    name = "dashboard"
    verbose_name = _("Leaders' dashboard")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from dashboard.panels import register_panels

        register(
            {"screen_token_created": _("made a screen token"), "screen_token_revoked": _("revoked a screen token")}
        )

        register_panels()
