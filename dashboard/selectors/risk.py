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

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.aggregates import Rows, one_row, read_together, rows_of
from crowdsafe.org.models import Jurisdiction
from dashboard.selectors.matrix import OWN_LEVEL
from drills.compliance import ComplianceRow, totals_reads
from events.choices import TERMINAL_STATUSES, RiskLevel
from events.models import KeyDate
from events.occasions import Occurrence, next_occurrence
from events.selectors import gathering_visible, key_date_list
from monitoring.choices import OPEN_ALERT_STATES
from monitoring.selectors import alert_list
from permits.choices import ApplicationState, ConditionStatus
from permits.models import PermitCondition
from permits.selectors import application_visible
from response.choices import IncidentStatus
from response.selectors import incident_visible
from risk.choices import OPEN_HAZARD_STATES, HazardLevel
from risk.selectors import hazard_visible, register_visible

LEVELS = [RiskLevel.RED.value, RiskLevel.ORANGE.value, RiskLevel.YELLOW.value, RiskLevel.BLUE.value]
# The column headers of the level table (重大 / 较大 / 一般 / 低), in LEVELS order; each cell carries its header.
LEVEL_HEADERS = dict(
    zip(LEVELS, [_("Major risk"), _("Significant risk"), _("General risk"), _("Low risk")], strict=True)
)
JURISDICTION_COLUMNS = [f.attname for f in Jurisdiction._meta.concrete_fields]
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
    large_events: list[LargeEvent] = field(default_factory=list)
    key_dates: list[KeyDateSoon] = field(default_factory=list)


def risk_now(*, user: Any, root: Jurisdiction, today: Any) -> RiskNow:
    """One statement whatever the size (two with open alerts: the alerts listed), ``crowdsafe.common.aggregates``:
    the children of ``root`` and, each read through its app's scoped selector, the gatherings not over by (place,
    level), the venues', hazards', incidents', alerts' counts, drill compliance's (overdue drills, open items) and
    plans (``drills.compliance.totals_reads``), the key dates and the large events."""
    # Counted by place (the gatherings' path: a few hundred grids) and added up by child below, rather than by a
    # CASE of one LIKE per child on every gathering: about 3 ms less at 40,000 gatherings not over (the bench's
    # fastest floor does the same).
    gatherings = (
        gathering_visible(user=user, within=root.path)
        .filter(jurisdiction_path__startswith=root.path)
        .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        .order_by()
        .values_list("jurisdiction_path", "risk_level")
        .annotate(n=Count("pk"))
    )
    open_q = Q(state__in=OPEN_HAZARD_STATES)
    drills = totals_reads(user=user, today=today, territory=root)
    alerts = alert_list(user=user).filter(
        jurisdiction_path__startswith=root.path, state__in=OPEN_ALERT_STATES, exercise=False
    )
    # The gatherings by (child, level) and the plans' rows are read in the counts' statement too (``rows_of``):
    # one round trip for all the figures, as the hand-written floor reads them (bench/bench_dashboard.py).
    counts = read_together(
        {
            # The children's every column, made into Jurisdiction objects below as Django makes them from rows.
            "children": rows_of(Jurisdiction.objects.filter(parent=root).values_list(*JURISDICTION_COLUMNS)),
            "gatherings": rows_of(gatherings),
            "plans": rows_of(drills.plans),
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
                incident_visible(user=user).filter(
                    status=IncidentStatus.OPEN, jurisdiction__path__startswith=root.path
                ),
                n=Count("pk"),
            ),
            "alerts": one_row(
                alerts,
                total=Count("pk"),
                red=Count("pk", filter=Q(level="red")),
                orange=Count("pk", filter=Q(level="orange")),
            ),
            **drills.counts,
            **key_date_reads(today=today),
            "large_events": large_event_reads(user=user, root=root, today=today),
        }
    )
    children = sorted(
        (Jurisdiction.from_db(gatherings.db, JURISDICTION_COLUMNS, row) for row in counts["children"]),
        key=lambda c: c.code,
    )
    rows = {c.pk: LevelRow(jurisdiction=c, label=c.name) for c in children}
    totals = dict.fromkeys(LEVELS, 0)
    owner: dict[str, int] = {}  # a place's path -> the child it lies in (OWN_LEVEL: the root itself)
    for path, level, n in counts["gatherings"]:
        if path not in owner:
            owner[path] = next((c.pk for c in children if path.startswith(c.path)), OWN_LEVEL)
        target = rows.get(owner[path])
        if target is None:
            target = rows.setdefault(OWN_LEVEL, LevelRow(jurisdiction=root, label=root.name))
        target.counts[level] = target.counts.get(level, 0) + n
        totals[level] = totals.get(level, 0) + n
    return RiskNow(
        root=root,
        rows=list(rows.values()),
        gathering_totals=totals,
        venues=counts["venues"],
        hazards=counts["hazards"],
        open_incidents=counts["incidents"]["n"],
        # Listed only when the count says there are some: no statement for an empty list.
        alerts=list(alerts[:MAX_ROWS]) if counts["alerts"]["total"] else [],
        alert_counts=counts["alerts"],
        drills=drills.totals(counts, plans=counts["plans"]),
        large_events=large_events(user=user, root=root, today=today, read=counts["large_events"]),
        key_dates=key_dates_ahead(today=today, root=root, read=counts),
    )


@dataclass
class LargeEvent:
    """A permit application (大型群众性活动) of risk now's list, with what the list shows of it: the page, the wall
    screen, the weekly briefing and the API read these fields and no other."""

    pk: int
    event_name: str
    first_session_start: dt.datetime
    expected_attendance: int
    state: str
    venue_name: str | None
    open_conditions: int

    @property
    def id(self) -> int:
        return self.pk

    def get_state_display(self) -> str:
        return str(dict(ApplicationState.choices).get(self.state, self.state))


LARGE_EVENT_FIELDS = (
    "pk",
    "event_name",
    "first_session_start",
    "expected_attendance",
    "state",
    "venue__name",
    "open_conditions",
)


def large_event_reads(*, user: Any, root: Jurisdiction, today: dt.date) -> Rows:
    """What ``large_events`` reads, left unread (``rows_of``) so that risk now reads it with its figures: the
    applications the user may see whose first session starts within the next 30 days, soonest first, the first
    ``MAX_ROWS``, with their venue's name and ``open_conditions`` (conditions of the approval not yet checked and
    done)."""
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=AHEAD_DAYS + 1)
    # Counted per application listed (a correlated subquery, as permits' own lists count their tickets) rather than
    # by a GROUP BY over every column of four joined tables; only the venue's name is shown with them.
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
        .order_by("first_session_start", "id")
        .values_list(*LARGE_EVENT_FIELDS)
    )
    return rows_of(qs[:MAX_ROWS])


def large_events(
    *, user: Any, root: Jurisdiction, today: dt.date, read: list[tuple[Any, ...]] | None = None
) -> list[LargeEvent]:
    """Permit applications (大型群众性活动) whose first session starts within the next 30 days, with their state and
    ``open_conditions``, soonest first (``large_event_reads``; ``read``: its rows already read)."""
    if read is None:
        read = read_together({"large_events": large_event_reads(user=user, root=root, today=today)})["large_events"]
    events = [LargeEvent(*row) for row in read]
    return sorted(events, key=lambda e: (e.first_session_start, e.pk))


KEY_DATE_FIELDS = ("pk", "name", "rule", "month", "day", "festival", "offset_days", "span_days", "jurisdiction__path")


def key_date_reads(*, today: dt.date) -> dict[str, Rows]:
    """What ``key_dates_ahead`` reads, left unread (``rows_of``) so that risk now reads it with its figures: the
    active key dates (with their place's path) and their entered dates from today on, through the events app's
    ``key_date_list``."""
    active = key_date_list().prefetch_related(None).filter(is_active=True)
    return {
        "key_dates": rows_of(active.values_list(*KEY_DATE_FIELDS)),
        "key_date_occurrences": rows_of(
            active.filter(dates__starts_on__gte=today).values_list("pk", "dates__starts_on", "dates__ends_on")
        ),
    }


def key_dates_ahead(
    *, today: dt.date, root: Jurisdiction, read: dict[str, list[tuple[Any, ...]]] | None = None
) -> list[KeyDateSoon]:
    """The active key dates (重点时段) whose next occurrence starts within 30 days, soonest first; local ones only
    when they concern the chosen territory (above, below or at it). ``read``: the rows of ``key_date_reads``
    already read (read here otherwise)."""
    if read is None:
        read = read_together(dict(key_date_reads(today=today)))
    last = today + dt.timedelta(days=AHEAD_DAYS)
    entered: dict[int, list[Occurrence]] = {}
    for pk, starts_on, ends_on in read["key_date_occurrences"]:
        entered.setdefault(pk, []).append(Occurrence(starts_on, ends_on))
    found = []
    for pk, name, rule, month, day, festival, offset_days, span_days, path in read["key_dates"]:
        if path is not None and not (path.startswith(root.path) or root.path.startswith(path)):
            continue
        key_date = KeyDate(
            pk=pk,
            name=name,
            rule=rule,
            month=month,
            day=day,
            festival=festival,
            offset_days=offset_days,
            span_days=span_days,
        )
        occurrence = next_occurrence(key_date, today, explicit=entered.get(pk, []))
        if occurrence is not None and occurrence.starts_on <= last:
            found.append(
                KeyDateSoon(
                    name=name,
                    starts_on=occurrence.starts_on,
                    ends_on=occurrence.ends_on,
                    days_away=(occurrence.starts_on - today).days,
                )
            )
    return sorted(found, key=lambda k: (k.starts_on, k.name))
