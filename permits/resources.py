"""The security resources an event needs against what its organizer plans (issue 21): the ratio table
(``ResourceRatio``, data) applied to each session's expected attendance, and the shortfall shown in the review.

For each session and each resource the ratio row that applies is the active one for the event's kind (else for
any kind) with the highest ``min_attendance`` at or below the session's attendance; the need is
``max(minimum, ceil(attendance / per_people))``. What is planned for the session counts together with what is
planned for every session (rows without a session), across all zones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from permits.choices import ResourceKind
from permits.models import EventSession, PermitApplication, ResourcePlan, ResourceRatio


@dataclass
class ResourceLine:
    resource: str
    label: str
    planned: int
    required: int
    basis: str
    city_rule: bool
    per_people: int | None
    zones: list[tuple[str, int]] = field(default_factory=list)

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.planned)


@dataclass
class SessionResources:
    session: EventSession
    lines: list[ResourceLine]

    @property
    def shortfall(self) -> bool:
        return any(line.shortfall for line in self.lines)


def pick_ratio(ratios: Iterable[ResourceRatio], *, resource: str, event_kind: str, attendance: int):
    """The ratio row that applies (see the module docstring), or None."""
    candidates = [r for r in ratios if r.is_active and r.resource == resource and r.min_attendance <= attendance]
    own = [r for r in candidates if r.event_kind and r.event_kind == event_kind]
    pool = own or [r for r in candidates if not r.event_kind]
    return max(pool, key=lambda r: (r.min_attendance, r.pk)) if pool else None


def required_count(ratios: Iterable[ResourceRatio], *, resource: str, event_kind: str, attendance: int) -> int:
    ratio = pick_ratio(ratios, resource=resource, event_kind=event_kind, attendance=attendance)
    return ratio.required(attendance) if ratio is not None else 0


def resource_check(application: PermitApplication) -> list[SessionResources]:
    """Per session, each resource: planned, required by the ratio table, the shortfall and its basis. Three
    queries whatever the size."""
    ratios = list(ResourceRatio.objects.filter(is_active=True))
    plans = list(ResourcePlan.objects.filter(application=application).select_related("zone"))
    sessions = list(application.sessions.all())
    by_session: dict[int | None, list[ResourcePlan]] = defaultdict(list)
    for plan in plans:
        by_session[plan.session_id].append(plan)
    result = []
    for session in sessions:
        lines = []
        for kind in ResourceKind:
            mine = [p for p in by_session[session.pk] + by_session[None] if p.resource == kind.value]
            ratio = pick_ratio(
                ratios, resource=kind.value, event_kind=application.event_kind, attendance=session.expected_attendance
            )
            zones: dict[str, int] = defaultdict(int)
            for p in mine:
                zones[p.zone.name if p.zone is not None else ""] += p.count
            lines.append(
                ResourceLine(
                    resource=kind.value,
                    label=str(kind.label),
                    planned=sum(p.count for p in mine),
                    required=ratio.required(session.expected_attendance) if ratio is not None else 0,
                    basis=ratio.basis if ratio is not None else "",
                    city_rule=ratio.city_rule if ratio is not None else False,
                    per_people=ratio.per_people if ratio is not None else None,
                    zones=sorted(zones.items()),
                )
            )
        result.append(SessionResources(session=session, lines=lines))
    return result


def has_shortfall(application: PermitApplication) -> bool:
    return any(s.shortfall for s in resource_check(application))
