from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    """Responsibility engine: responsibility rules as data, tasks (duties) that explain themselves."""

    name = "duties"
    verbose_name = _("Responsibilities and tasks")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register

        register(
            {
                "started": _("started"),
                "completed": _("completed"),
                "reassigned": _("reassigned"),
                "cancelled": _("cancelled"),
                "overdue": _("became overdue"),
            }
        )
        from duties.panels import register_panels

        register_panels()
