"""Risk now (当前风险, issue 17 point 2), for a jurisdiction's children: gatherings that are not over by level
per child, the venues at red or orange in the risk register, open major hazards and overdue rectifications, and
open incidents, the open monitoring alerts, drill compliance, the large events of the next 30 days with their
permit state and open conditions, and the key dates coming up. Each read goes through its own app's selector
(already scoped to the user); a gathering's level
is ``Gathering.risk_level`` — the one field that holds the automatic pre-level (triage) and the assessed level
alike (``risk_source`` says which) — so these counts agree with the gatherings' attention list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.aggregates import one_row, read_together
from crowdsafe.org.models import Jurisdiction
from dashboard.selectors.matrix import OWN_LEVEL
from drills.compliance import ComplianceRow, totals_reads
from events.choices import TERMINAL_STATUSES, RiskLevel
from events.occasions import next_occurrence
from events.selectors import gathering_visible, key_date_list
from monitoring.choices import OPEN_ALERT_STATES
from monitoring.selectors import alert_list
from permits.choices import ApplicationState, ConditionStatus
from permits.models import PermitApplication, PermitCondition
from permits.selectors import application_visible
from response.choices import IncidentStatus
from response.selectors import incident_list
from risk.choices import OPEN_HAZARD_STATES, HazardLevel
from risk.selectors import hazard_visible, register_visible

LEVELS = [RiskLevel.RED.value, RiskLevel.ORANGE.value, RiskLevel.YELLOW.value, RiskLevel.BLUE.value]
# The column headers of the level table (重大 / 较大 / 一般 / 低), in LEVELS order; each cell carries its header.
LEVEL_HEADERS = dict(
    zip(LEVELS, [_("Major risk"), _("Significant risk"), _("General risk"), _("Low risk")], strict=True)
)
AHEAD_DAYS = 30  # large events and key dates this many days ahead
MAX_ROWS = 20  # alerts and events listed on the page (the counts are complete)
# Applications that still lead to an event: neither refused, withdrawn, cancelled, not accepted nor a draft.
LIVE_APPLICATION_STATES = [
    s.value
    for s in ApplicationState
    if s
    not in (
        ApplicationState.DRAFT,
        ApplicationState.NOT_ACCEPTED,
        ApplicationState.REFUSED,
        ApplicationState.WITHDRAWN,
        ApplicationState.CANCELLED,
        ApplicationState.CLOSED,
    )
]


@dataclass
class KeyDateSoon:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    days_away: int


@dataclass
class LevelRow:
    jurisdiction: Jurisdiction
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    @property
    def cells(self) -> list[tuple[Any, int]]:
        """(column header, count) in LEVELS order: the page labels each cell, so the table reads as cards."""
        return [(LEVEL_HEADERS[level], self.counts.get(level, 0)) for level in LEVELS]


@dataclass
class RiskNow:
    root: Jurisdiction
    rows: list[LevelRow]
    gathering_totals: dict[str, int]
    venues: dict[str, int]
    hazards: dict[str, int]
    open_incidents: int
    alerts: list[Any] = field(default_factory=list)
    alert_counts: dict[str, int] = field(default_factory=dict)
    drills: ComplianceRow | None = None
    large_events: list[PermitApplication] = field(default_factory=list)
    key_dates: list[KeyDateSoon] = field(default_factory=list)


def risk_now(*, user: Any, root: Jurisdiction, today: Any) -> RiskNow:
    """A fixed number of queries whatever the size: the children; the gatherings by (child, level); the venues',
    hazards', incidents', alerts' counts and drill compliance's (overdue drills, open items) in one statement
    (``crowdsafe.common.aggregates``), each read through its app's scoped selector; the drill rules' ids and the
    plans (``drills.compliance.totals_reads``); the alerts listed; the large events; the key dates."""
    children = list(Jurisdiction.objects.filter(parent=root).order_by("code"))
    row = Case(
        *[When(jurisdiction_path__startswith=c.path, then=Value(c.pk)) for c in children], default=Value(OWN_LEVEL)
    )
    gatherings = (
        gathering_visible(user=user)
        .filter(jurisdiction_path__startswith=root.path)
        .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        .order_by()
        .annotate(r=row)
        .values_list("r", "risk_level")
        .annotate(n=Count("pk"))
    )
    rows = {c.pk: LevelRow(jurisdiction=c, label=c.name) for c in children}
    totals = dict.fromkeys(LEVELS, 0)
    for r, level, n in gatherings:
        target = rows.get(r)
        if target is None:
            target = rows.setdefault(OWN_LEVEL, LevelRow(jurisdiction=root, label=root.name))
        target.counts[level] = target.counts.get(level, 0) + n
        totals[level] = totals.get(level, 0) + n
    open_q = Q(state__in=OPEN_HAZARD_STATES)
    drills = totals_reads(user=user, today=today, territory=root)
    alerts = alert_list(user=user).filter(
        jurisdiction_path__startswith=root.path, state__in=OPEN_ALERT_STATES, exercise=False
    )
    counts = read_together(
        {
            "venues": one_row(
                register_visible(user=user).filter(jurisdiction_path__startswith=root.path, subject_type="venue"),
                red=Count("pk", filter=Q(level=RiskLevel.RED.value)),
                orange=Count("pk", filter=Q(level=RiskLevel.ORANGE.value)),
            ),
            # The open ones in WHERE (not only in the FILTERs), counting the state (never null; the id is not in
            # the index): the partial index of the open hazards by place (risk_hazard_open_path_idx, deadline,
            # level and state in it) alone gives them, where the FILTERs alone read every hazard ever recorded — a
            # Seq Scan of a million hazards (issue 19), and counting the id fetched 250,000 open ones from the table.
            "hazards": one_row(
                hazard_visible(user=user).filter(jurisdiction_path__startswith=root.path).filter(open_q),
                major=Count("state", filter=Q(level=HazardLevel.MAJOR)),
                overdue=Count("state", filter=Q(rectification_deadline__lt=today)),
            ),
            "incidents": one_row(
                incident_list(user=user).filter(status=IncidentStatus.OPEN, jurisdiction__path__startswith=root.path),
                n=Count("pk"),
            ),
            "alerts": one_row(
                alerts,
                total=Count("pk"),
                red=Count("pk", filter=Q(level="red")),
                orange=Count("pk", filter=Q(level="orange")),
            ),
            **drills.counts,
        }
    )
    return RiskNow(
        root=root,
        rows=list(rows.values()),
        gathering_totals=totals,
        venues=counts["venues"],
        hazards=counts["hazards"],
        open_incidents=counts["incidents"]["n"],
        alerts=list(alerts[:MAX_ROWS]),
        alert_counts=counts["alerts"],
        drills=drills.totals(counts),
        large_events=large_events(user=user, root=root, today=today),
        key_dates=key_dates_ahead(today=today, root=root),
    )


def large_events(*, user: Any, root: Jurisdiction, today: dt.date) -> list[PermitApplication]:
    """Permit applications (大型群众性活动) whose first session starts within the next 30 days, with their state and
    ``open_conditions`` (conditions of the approval not yet checked and done), soonest first."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=AHEAD_DAYS + 1)
    # Counted per application listed (a correlated subquery, as permits' own lists count their tickets) rather than
    # by a GROUP BY over every column of four joined tables; only the venue is shown with them.
    open_conditions = (
        PermitCondition.objects.filter(application=OuterRef("pk"))
        .exclude(status=ConditionStatus.VERIFIED)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        application_visible(user=user)
        .filter(
            jurisdiction_path__startswith=root.path,
            state__in=LIVE_APPLICATION_STATES,
            first_session_start__gte=start,
            first_session_start__lt=end,
        )
        .annotate(open_conditions=Coalesce(Subquery(open_conditions), 0))
        .select_related(None)
        .select_related("venue")
        .order_by("first_session_start", "id")
    )
    return list(qs[:MAX_ROWS])


def key_dates_ahead(*, today: dt.date, root: Jurisdiction) -> list[KeyDateSoon]:
    """The active key dates (重点时段) whose next occurrence starts within 30 days, soonest first; local ones only
    when they concern the chosen territory (above, below or at it)."""
    last = today + dt.timedelta(days=AHEAD_DAYS)
    found = []
    for key_date in key_date_list().filter(is_active=True):
        place = key_date.jurisdiction
        if place is not None and not (place.path.startswith(root.path) or root.path.startswith(place.path)):
            continue
        occurrence = next_occurrence(key_date, today)
        if occurrence is not None and occurrence.starts_on <= last:
            found.append(
                KeyDateSoon(
                    name=key_date.name,
                    starts_on=occurrence.starts_on,
                    ends_on=occurrence.ends_on,
                    days_away=(occurrence.starts_on - today).days,
                )
            )
    return sorted(found, key=lambda k: (k.starts_on, k.name))
