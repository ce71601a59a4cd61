"""Home-page panels of the responsibility engine (registered in ``DutiesConfig.ready``): the user's work queue
and, for leaders, the overview of their territory. See ``crowdsafe/web/home.py``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from crowdsafe.org.choices import Role
from crowdsafe.web.home import register_panel
from duties.access import OVERSIGHT_ROLES, can_see_overview
from duties.choices import OUTSTANDING_VALUES
from duties.filters import HeldFilter
from duties.selectors import DUE_SOON_DAYS, responsibility_overview, task_queue

QUEUE_ROLES = {
    Role.STAFF,
    Role.HEAD,
    Role.GRID_WORKER,
    Role.TOWNSHIP_OFFICER,
    Role.ORGANIZER,
    Role.VENUE_OPERATOR,
}
PANEL_TASKS = 5


def queue_context(home) -> dict:
    """The user's queue in two parts: what they (or their department, organisation, jurisdiction) hold, and what
    else is outstanding in their area. Counts in one aggregated query each, then the first few tasks of each,
    overdue first."""
    soon = home.today + dt.timedelta(days=DUE_SOON_DAYS)
    outstanding = Q(status__in=OUTSTANDING_VALUES)
    parts = {}
    for key in (HeldFilter.MINE, HeldFilter.AREA):
        queue = task_queue(user=home.user, filters={"held": key}, today=home.today)
        counts = queue.order_by().aggregate(
            open=Count("pk"),
            overdue=Count("pk", filter=outstanding & Q(due_date__lt=home.today)),
            due_soon=Count("pk", filter=outstanding & Q(due_date__gte=home.today, due_date__lte=soon)),
        )
        parts[key] = {"key": key, "counts": counts, "tasks": list(queue[:PANEL_TASKS]) if counts["open"] else []}
    return {"mine": parts[HeldFilter.MINE], "area": parts[HeldFilter.AREA], "today": home.today}


def overview_context(home) -> dict | None:
    if not can_see_overview(home.scope):
        return None
    overview = responsibility_overview(user=home.user, today=home.today)
    return {"totals": overview.totals, "rows": overview.rows[:PANEL_TASKS], "territories": overview.territories}


def register_panels() -> None:
    register_panel(
        "duties_queue",
        roles=QUEUE_ROLES,
        template="duties/panels/queue.html",
        context_func=queue_context,
        order=20,
    )
    register_panel(
        "duties_overview",
        roles=OVERSIGHT_ROLES,
        template="duties/panels/overview.html",
        context_func=overview_context,
        order=45,
    )
