from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    """Urgent alerts (预警) with acknowledgment, and recipient coverage: the one urgent-alert path."""

    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register

        register(
            {
                "alert_raised": _("alert raised"),
                "alert_acknowledged": _("alert acknowledged"),
                "alert_escalated": _("alert sent again and passed up"),
            }
        )
        from alerts import coverage, panels
        from crowdsafe.web.nav import register_nav_item

        coverage.connect()
        panels.register_panels()
        register_nav_item("reached_me", label=_("What reached me"), url="alerts:reached", order=88)
