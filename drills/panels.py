"""The drills' blocks on other pages: the home panel (overdue drills and the next drills planned) and, through
the permits ↔ drills contract, the pre-event drill block on a permit application's page and in the reviewer's
workspace (``permits.panels.register_application_panel``). Registered in ``DrillsConfig.ready``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES, get_scope
from crowdsafe.web.home import register_panel
from crowdsafe.web.nav import register_nav_item
from drills.access import can_manage_plan
from drills.choices import DrillStatus
from drills.selectors import drill_list, overdue_drills, pre_event_drill_status
from permits.choices import ApplicationState
from permits.panels import register_application_panel

PANEL_ROWS = 5


def overdue_drills_context(home) -> dict | None:
    """Overdue drills the user oversees (three queries: the drill rules' ids, the count and the first rows) and the next
    drills planned."""
    overdue = overdue_drills(user=home.user, today=home.today)
    upcoming = drill_list(user=home.user, filters={"status": DrillStatus.PLANNED, "date_from": home.today}).order_by(
        "on_date", "scheduled_for", "id"
    )[:PANEL_ROWS]
    return {
        "overdue_count": overdue.count(),
        "overdue": list(overdue[:PANEL_ROWS]),
        "upcoming": list(upcoming),
        "today": home.today,
    }


def permit_panel_context(request, application) -> dict:
    """The pre-event drill of one approved (or to-be-approved) event: its plan, its drills, the organizer's task."""
    status = pre_event_drill_status(application)
    plan = status["plan"]
    user = getattr(request, "user", None)
    status.update(
        {
            "today": timezone.localdate(),
            "approved": application.state == ApplicationState.APPROVED,
            "can_manage": plan is not None and user is not None and can_manage_plan(get_scope(user), plan),
            "can_import": status["material"] is not None,
        }
    )
    return status


def register_panels() -> None:
    register_nav_item(
        "drills",
        # Translators: main menu item, 应急预案与演练 (short: 预案演练)
        label=_("Plans and drills"),
        url="drills:calendar",
        order=50,
        roles=GOVERNMENT_ROLES | EXTERNAL_ROLES,
    )
    register_panel(
        "drills_overdue",
        roles=GOVERNMENT_ROLES | EXTERNAL_ROLES,
        template="drills/panels/overdue.html",
        context_func=overdue_drills_context,
        order=35,
    )
    register_application_panel(
        "pre_event_drill",
        template="drills/panels/permit_drill.html",
        context_func=permit_panel_context,
        order=60,
    )
