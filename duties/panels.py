"""Home-page panels of the responsibility engine (registered in ``DutiesConfig.ready``): the user's work queue
and, for leaders, the overview of their territory. See ``crowdsafe/web/home.py``."""

from __future__ import annotations

from crowdsafe.org.choices import Role
from crowdsafe.web.home import register_panel
from duties.access import OVERSIGHT_ROLES, can_see_overview
from duties.filters import HeldFilter
from duties.selectors import outstanding_counts, queue_counts, responsibility_overview, task_queue

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
    """The user's queue in two parts: what they (or their department, organisation, jurisdiction) hold — its counts
    and first few tasks, overdue first — and how many other outstanding tasks (overdue among them) are in their area.

    Read as what it shows: the held part from the holders' own indexes (``HeldFilter.MINE``: one read per holder,
    never the territory's tasks), the area's figures as every outstanding task the user sees (``queue_counts``: the
    counters for a territory of townships or larger) less the held ones. A city leader's area was the city's
    outstanding tasks counted one by one and read in due order, about a second at a million tasks."""
    mine = task_queue(user=home.user, filters={"held": HeldFilter.MINE}, today=home.today)
    counts = outstanding_counts(mine, today=home.today)
    seen = queue_counts(user=home.user, today=home.today)
    area = {key: seen[key] - counts[key] for key in ("open", "overdue")}
    return {
        "mine": {"key": HeldFilter.MINE, "counts": counts, "tasks": list(mine[:PANEL_TASKS]) if counts["open"] else []},
        "area": {"key": HeldFilter.AREA, "counts": area},
        "today": home.today,
    }


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
