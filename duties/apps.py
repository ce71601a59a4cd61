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

        from crowdsafe.workdays.selectors import register_affected_deadlines
        from duties import calendar

        register_affected_deadlines(calendar.has_tasks_due_in)
        calendar.connect()

        from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES
        from crowdsafe.web.nav import register_nav_item
        from duties.access import can_see_overview

        register_nav_item(
            "tasks", label=_("Tasks"), url="duties:queue", order=25, roles=GOVERNMENT_ROLES | EXTERNAL_ROLES
        )
        register_nav_item(
            "responsibility_overview",
            label=_("Responsibility overview"),
            url="duties:overview",
            order=26,
            visible=lambda user, scope: can_see_overview(scope),
        )
