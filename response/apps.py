from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResponseConfig(AppConfig):
    """Incidents and on-site command (应急响应与现场指挥), issue 16."""

    name = "response"
    verbose_name = _("Emergency response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from response.duties import connect
        from response.panels import register_panels

        connect()
        register_panels()
        register(
            {
                "incident_opened": _("incident opened"),
                "level_changed": _("response level changed"),
                "plan_activated": _("plan activated"),
                "measure_done": _("measure done"),
                "force_requested": _("force requested"),
                "force_moved": _("force updated"),
                "log_entry": _("position log entry"),
                "situation_reported": _("situation report"),
                "cadence_set": _("report cadence set"),
                "command_handed_over": _("command handed over"),
                "higher_level_requested": _("higher-level response requested"),
                "higher_level_accepted": _("higher-level response accepted"),
                "higher_level_returned": _("command handed back down"),
                "incident_closed": _("incident closed"),
                "report_received": _("report received"),
                "report_linked": _("report linked"),
                "report_gathering": _("gathering logged from the report"),
                "report_dismissed": _("report checked, no action"),
                "answer_sent": _("answer sent by SMS"),
            }
        )
