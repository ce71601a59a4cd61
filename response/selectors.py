"""Reads of the response app, scoped to the user: incidents, the common picture, proposed plans with why each
matches, public reports and their matches nearby, the time to first action per township."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.org.access import ancestor_paths
from drills.choices import ScopeKind
from drills.models import EmergencyPlan
from events.models import Gathering
from response import conf
from response.choices import IncidentStatus, MeasureStatus, ReportStatus
from response.geo import distance_m
from response.models import Incident, IncidentMeasure, PublicReport, SituationReport

OPEN_GATHERING = ("reported", "verified", "monitoring", "suspended")


def incident_visible(*, user: Any) -> QuerySet[Incident]:
    """Every incident the user may see, with what the list shows joined (no filters: the dashboard counts these
    without building the list's FilterSet and its form each time)."""
    return Incident.objects.visible_to(user).select_related("level", "tier", "jurisdiction", "commander")


def incident_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Incident]:
    from response.filters import IncidentFilterSet

    return IncidentFilterSet(filters or {}, queryset=incident_visible(user=user)).qs


def incident_get(*, user: Any, pk: int) -> Incident:
    """One incident the user may see (Http404 otherwise), with what its page shows."""
    from django.shortcuts import get_object_or_404

    qs = Incident.objects.visible_to(user).select_related(
        "level", "tier", "jurisdiction", "command_jurisdiction", "commander", "gathering", "application"
    )
    return get_object_or_404(qs, pk=pk)


@dataclass
class Proposal:
    plan: EmergencyPlan
    reasons: list[str]
    activated: bool = False


def plans_proposed(incident: Incident) -> list[Proposal]:
    """The matching plans: the event's, the venue's, the gathering kind's in the territory, else the
    jurisdiction's overall plan — each with why it matches."""
    active = EmergencyPlan.objects.filter(is_active=True).prefetch_related("measures")
    found: dict[int, Proposal] = {}

    def add(plans: Any, reason: str) -> None:
        for plan in plans:
            found.setdefault(plan.pk, Proposal(plan=plan, reasons=[])).reasons.append(reason)

    if incident.application_id:
        add(
            active.filter(scope_kind=ScopeKind.EVENT, application_id=incident.application_id), _("the event's own plan")
        )
    gathering = incident.gathering
    venue_ids = []
    if gathering is not None and gathering.venue_id:
        venue_ids.append(gathering.venue_id)
    if incident.application is not None and incident.application.venue_id:
        venue_ids.append(incident.application.venue_id)
    for zone in incident.zones.select_related("venue_zone"):
        if zone.venue_zone is not None:
            venue_ids.append(zone.venue_zone.venue_id)
    if venue_ids:
        add(active.filter(scope_kind=ScopeKind.VENUE, venue_id__in=venue_ids), _("the plan of the venue"))
    territory = [*ancestor_paths(incident.jurisdiction_path), incident.jurisdiction_path]
    if gathering is not None:
        kinds = {gathering.kind, "other"}
        mapping = {"festival_religious": "festival", "mall_promotion": "promotion", "celebration": "festival"}
        kinds.add(mapping.get(gathering.kind, gathering.kind))
        add(
            active.filter(
                scope_kind=ScopeKind.GATHERING_KIND, gathering_kind__in=kinds, jurisdiction__path__in=territory
            ),
            _("the plan for this kind of gathering in the territory"),
        )
    if not found:
        add(
            active.filter(scope_kind=ScopeKind.JURISDICTION, jurisdiction__path__in=territory, kind="overall"),
            _("no specific plan: the jurisdiction's overall plan"),
        )
    activated = set(incident.activations.values_list("plan_id", flat=True))
    level = incident.level.plan_level
    for proposal in found.values():
        proposal.activated = proposal.plan.pk in activated
        count = sum(1 for m in proposal.plan.measures.all() if m.alert_level == level)
        proposal.reasons.append(_("%(n)d measures at this level") % {"n": count})
    return list(found.values())


@dataclass
class DepartmentRow:
    department: str
    done: list[IncidentMeasure] = field(default_factory=list)
    pending: list[IncidentMeasure] = field(default_factory=list)


def measures_by_department(incident: Incident) -> list[DepartmentRow]:
    rows: dict[str, DepartmentRow] = {}
    for m in incident.measures.select_related("department", "activation").order_by("due_at", "id"):
        name = str(m.department) if m.department else _("No department found")
        row = rows.setdefault(name, DepartmentRow(department=name))
        if m.status == MeasureStatus.DONE:
            row.done.append(m)
        elif m.status == MeasureStatus.PENDING:
            row.pending.append(m)
    return list(rows.values())


def latest_report(incident: Incident) -> SituationReport | None:
    return incident.reports.select_related("notice").order_by("-created_at").first()


def dashboard(*, user: Any) -> dict[str, Any]:
    """The leaders' panel: open incidents with their latest report, and counts."""
    qs = Incident.objects.visible_to(user)
    open_ = list(
        qs.filter(status=IncidentStatus.OPEN)
        .select_related("level", "tier")
        .prefetch_related(Prefetch("reports", queryset=SituationReport.objects.order_by("-created_at")))[:10]
    )
    since = timezone.now() - dt.timedelta(days=30)
    return {
        "open_incidents": [(i, next(iter(i.reports.all()), None)) for i in open_],
        "open_count": qs.filter(status=IncidentStatus.OPEN).count(),
        "month_count": qs.filter(opened_at__gte=since).count(),
    }


# --- public reports ----------------------------------------------------------------------------------------------


def report_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[PublicReport]:
    from response.filters import ReportFilterSet

    qs = PublicReport.objects.visible_to(user)
    return ReportFilterSet(filters or {}, queryset=qs).qs.select_related("jurisdiction", "gathering", "incident")


@dataclass
class Match:
    kind: str  # "gathering" or "incident"
    obj: Any
    distance_m: float
    minutes: float
    reasons: list[str]


def report_matches(report: PublicReport) -> list[Match]:
    """Open gatherings and incidents near the report in place and time, nearest first, each with its reasons:
    within ``RESPONSE_MATCH_RADIUS_M`` metres, and started within ``RESPONSE_MATCH_WINDOW_MINUTES`` of the report
    (or still open then)."""
    point = report.coordinates
    if point is None:
        return []
    radius = conf.match_radius_m()
    window = dt.timedelta(minutes=conf.match_window_minutes())
    box = 0.01 * max(1, radius // 1000 + 1)
    lat, lng = float(point[0]), float(point[1])
    found: list[Match] = []
    gatherings = Gathering.objects.filter(
        Q(status__in=OPEN_GATHERING),
        Q(latitude__range=(lat - box, lat + box), longitude__range=(lng - box, lng + box)),
        starts_at__lte=report.received_at + window,
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gte=report.received_at - window))
    for g in gatherings[:100]:
        if g.latitude is None or g.longitude is None:
            continue
        d = distance_m(point, (g.latitude, g.longitude))
        if d > radius:
            continue
        minutes = abs((report.received_at - g.starts_at).total_seconds()) / 60
        found.append(
            Match(
                "gathering",
                g,
                d,
                minutes,
                [
                    _("%(d)d m away (within %(r)d m)") % {"d": round(d), "r": radius},
                    _("started %(m)d minutes apart (within %(w)d)") % {"m": round(minutes), "w": window.seconds // 60}
                    if g.starts_at >= report.received_at - window
                    else _("still open when reported"),
                ],
            )
        )
    incidents = Incident.objects.filter(
        status=IncidentStatus.OPEN,
        latitude__range=(lat - box, lat + box),
        longitude__range=(lng - box, lng + box),
    )
    for i in incidents[:100]:
        assert i.latitude is not None and i.longitude is not None
        d = distance_m(point, (i.latitude, i.longitude))
        if d > radius:
            continue
        minutes = abs((report.received_at - i.opened_at).total_seconds()) / 60
        found.append(
            Match(
                "incident",
                i,
                d,
                minutes,
                [_("%(d)d m away (within %(r)d m)") % {"d": round(d), "r": radius}, _("incident still open")],
            )
        )
    return sorted(found, key=lambda m: m.distance_m)


def report_by_ticket(ticket: str) -> PublicReport | None:
    """The public status page's look-up (unscoped: it shows the state only, nothing personal)."""
    ticket = (ticket or "").strip().upper()
    if not ticket or len(ticket) > 40:
        return None
    return PublicReport.objects.filter(ticket_number__iexact=ticket).first()


def first_action_by_township(*, user: Any, days: int = 30) -> list[dict[str, Any]]:
    """Median and count of minutes from report to first action, per township, over the last ``days``."""
    since = timezone.now() - dt.timedelta(days=days)
    rows: dict[str, list[float]] = {}
    waiting: dict[str, int] = {}
    for r in PublicReport.objects.visible_to(user).filter(received_at__gte=since).select_related("township"):
        name = str(r.township or r.jurisdiction_path)
        if r.first_action_at is None:
            waiting[name] = waiting.get(name, 0) + 1
            continue
        rows.setdefault(name, []).append((r.first_action_at - r.received_at).total_seconds() / 60)
    names = sorted(set(rows) | set(waiting))
    return [
        {
            "township": n,
            "count": len(rows.get(n, [])),
            "median_minutes": round(median(rows[n]), 1) if rows.get(n) else None,
            "waiting": waiting.get(n, 0),
        }
        for n in names
    ]


PUBLIC_STATES = {
    ReportStatus.RECEIVED: "received",
    ReportStatus.LINKED: "handling",
    ReportStatus.GATHERING_CREATED: "handling",
    ReportStatus.NO_ACTION: "closed",
}


PUBLIC_STATE_LABELS = {
    "received": gettext_lazy("Received: being checked by the local staff"),
    "handling": gettext_lazy("Being handled on site"),
    "closed": gettext_lazy("Checked: no action needed"),
}


def public_state(report: PublicReport) -> dict[str, Any]:
    """What the public status page shows of a report: its state, the answer and the times. Nothing personal (no
    phone, no description, no place, nobody's name)."""
    key = PUBLIC_STATES.get(ReportStatus(report.status), "received")
    return {
        "key": key,
        "label": PUBLIC_STATE_LABELS[key],
        "answer": report.answer,
        "received_at": report.received_at,
        "acted_at": report.first_action_at,
    }


# --- the common picture ------------------------------------------------------------------------------------------


@dataclass
class ForceTotal:
    kind: str
    label: str
    requested: int = 0
    arrived: int = 0


def incident_picture(incident: Incident) -> dict[str, Any]:
    """Everything the incident page shows besides the incident: live zones with their monitored level, measures
    done and pending per department with the minutes elapsed, forces requested against arrived, the latest
    situation report, the position log, the higher-level requests and the handovers."""
    from monitoring.models import Zone

    now = timezone.now()
    departments = measures_by_department(incident)
    for row in departments:
        for m in row.pending:
            m.elapsed_minutes = int((now - m.activation.activated_at).total_seconds() // 60)  # type: ignore[attr-defined]
            m.overdue = m.due_at < now  # type: ignore[attr-defined]
        for m in row.done:
            assert m.done_at is not None
            m.elapsed_minutes = int((m.done_at - m.activation.activated_at).total_seconds() // 60)  # type: ignore[attr-defined]
    forces = list(incident.forces.select_related("department").order_by("requested_at", "id"))
    totals: dict[str, ForceTotal] = {}
    for f in forces:
        total = totals.setdefault(f.kind, ForceTotal(f.kind, str(f.get_kind_display())))
        total.requested += f.requested_count
        total.arrived += f.arrived_count
    zones = list(Zone.objects.filter(pk__in=incident.zones.values("pk")).select_related("state").order_by("name"))
    escalations = list(
        incident.escalations.select_related("from_tier", "to_tier", "to_jurisdiction", "requested_by", "accepted_by")
    )
    for e in escalations:
        window = e.window
        e.window_minutes = round(window.total_seconds() / 60, 1) if window is not None else None  # type: ignore[attr-defined]
    return {
        "zones": zones,
        "departments": departments,
        "measure_counts": {
            "done": sum(len(r.done) for r in departments),
            "pending": sum(len(r.pending) for r in departments),
        },
        "forces": forces,
        "force_totals": list(totals.values()),
        "latest_report": latest_report(incident),
        "report_count": incident.reports.count(),
        "log": list(incident.log_entries.prefetch_related("photos")[:50]),
        "escalations": escalations,
        "pending_escalation": next((e for e in escalations if e.status == "pending"), None),
        "handovers": list(incident.handovers.select_related("from_user", "to_user")),
        "activations": list(incident.activations.select_related("plan", "level")),
        "report_overdue": incident.report_overdue(now),
    }
