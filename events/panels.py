"""The gatherings' navigation items and home panels (registered in ``EventsConfig.ready``).

- Leaders and administrators: the attention list — orange and red gatherings not yet closed in their
  jurisdiction (较大及以上风险, at once: issue 4 point 4);
- grid workers and township officers: gatherings under way or coming up in their territory, and a button to
  log one (grid workers, on a phone).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import DurationField, F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import GOVERNMENT_ROLES
from crowdsafe.org.choices import Role
from crowdsafe.web.home import HomeContext, register_panel
from crowdsafe.web.nav import register_nav_item
from events.access import can_report
from events.choices import OPEN_STATUSES

PANEL_ROWS = 8
UPCOMING_DAYS = 7
LEADER_ROLES = {Role.LEADER, Role.ADMIN}


def attention_context(home: HomeContext) -> dict:
    from events.selectors import attention_list

    qs = attention_list(user=home.user)
    rows = list(qs[: PANEL_ROWS + 1])
    return {
        "rows": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "count": qs.count() if len(rows) > PANEL_ROWS else len(rows),
    }


def territory_context(home: HomeContext) -> dict:
    from events.selectors import gathering_visible

    now = timezone.now()
    qs = (
        gathering_visible(user=home.user)
        .filter(status__in=OPEN_STATUSES, starts_at__lt=now + dt.timedelta(days=UPCOMING_DAYS))
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now - dt.timedelta(hours=12)))
        # By start, but not by walking the start index: the place's few thousand open gatherings are read by the path
        # index and sorted. In start order PostgreSQL walked the whole city's open gatherings, expecting the
        # township's within a few hundred, and filtered ~75,000 to find 8 at a million (31 → 9 ms, bench/run).
        .order_by(F("starts_at") + Value(dt.timedelta(0), output_field=DurationField()), "id")
    )
    rows = list(qs[: PANEL_ROWS + 1])
    return {
        "rows": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "days": UPCOMING_DAYS,
        "can_report": can_report(home.scope),
    }


def register_nav_and_panels() -> None:
    # Translators: 群众自发性聚集活动 (the list, 清单)
    register_nav_item(
        "gatherings",
        label=_("Gatherings"),
        url="events:gathering_list",
        order=35,
        roles=GOVERNMENT_ROLES | {Role.VENUE_OPERATOR},
    )
    register_panel(
        "gatherings_attention",
        roles=LEADER_ROLES,
        template="events/panels/attention.html",
        context_func=attention_context,
        order=12,
    )
    register_panel(
        "gatherings_territory",
        roles={Role.GRID_WORKER, Role.TOWNSHIP_OFFICER},
        template="events/panels/territory.html",
        context_func=territory_context,
        order=14,
    )
