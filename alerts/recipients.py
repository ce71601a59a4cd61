"""Who an alert reaches: each party of the rule resolved from the subject's place (as the responsibility rules
resolve theirs, ``duties.parties.SubjectPlace``), and the next person up when someone does not acknowledge.

- township: the territory's township/street — the staff and heads of its 街道办事处 (乡镇人民政府) and its
  township officers;
- police_on_duty / emergency: the public-security (emergency-management) department covering the place, nearest
  first — the people marked on duty (``Membership.on_duty``), or all its staff and heads when nobody is marked;
- venue_operator / organizer: the people of the subject's operator / organizer organisation;
- territory_leader: the leaders of the nearest jurisdiction, at or above the subject's, that has leaders.

Next person up (``next_up``): the head of the department the person was alerted through (unless they are its
head), then the territory's leader, then the leader of the jurisdiction above — skipping anyone already alerted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model

from alerts.choices import AlertParty
from crowdsafe.org.access import ancestor_paths
from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation
from duties.parties import SubjectPlace
from duties.subjects import UnknownSubjectError, registration_for


@dataclass(frozen=True)
class Recipient:
    """One person to alert, as which party, and through which department (for the head above them)."""

    user: Any
    party: str
    department: Department | None = None
    note: str = ""


@dataclass
class Resolution:
    recipients: list[Recipient] = field(default_factory=list)
    # Parties the rule names for which nobody is on record (their labels are said on the alert's page).
    unreached: list[str] = field(default_factory=list)


def _members(departments: Iterable[Department], *, on_duty_first: bool) -> dict[int, list[Membership]]:
    ids = sorted({d.pk for d in departments})
    if not ids:
        return {}
    by_department: dict[int, list[Membership]] = {}
    for m in (
        Membership.objects.filter(department_id__in=ids, role__in=[Role.STAFF, Role.HEAD], user__is_active=True)
        .select_related("user")
        .order_by("department_id", "-role", "user_id")
    ):
        if m.department_id is not None:  # always, by the filter above
            by_department.setdefault(m.department_id, []).append(m)
    if on_duty_first:
        for pk, rows in by_department.items():
            on_duty = [m for m in rows if m.on_duty]
            if on_duty:
                by_department[pk] = on_duty
    return by_department


def _organisations(subject: Model, party: str) -> list[Organisation]:
    """The subject's organisations that can stand as ``party``: its operator (the registration's
    ``organisation``), its organizer (``assignee``, or the applicant ``organisation`` of a permit), by kind."""
    try:
        registration = registration_for(subject)
    except UnknownSubjectError:
        return []
    found = [registration.organisation(subject)]
    if registration.assignee is not None:
        found.append(registration.assignee(subject))
    kinds = (
        (OrganisationKind.VENUE_OPERATOR, OrganisationKind.BOTH)
        if party == AlertParty.VENUE_OPERATOR
        else (OrganisationKind.ORGANIZER, OrganisationKind.BOTH)
    )
    unique = {org.pk: org for org in found if isinstance(org, Organisation) and org.kind in kinds}
    return list(unique.values())


def _assigned_department(subject: Model) -> Department | None:
    """The department the subject names itself (its duties registration's ``assignee``), e.g. the department that
    carries out an incident's measure; None when it names none or not a department."""
    try:
        registration = registration_for(subject)
    except UnknownSubjectError:
        return None
    found = registration.assignee(subject) if registration.assignee is not None else None
    return found if isinstance(found, Department) else None


def leaders_from(jurisdiction: Jurisdiction, *, above: bool = False) -> tuple[Jurisdiction | None, list[Any]]:
    """The nearest jurisdiction at (or, with ``above``, strictly above) ``jurisdiction`` that has active leaders,
    and those leaders."""
    paths = list(reversed(ancestor_paths(jurisdiction.path)))
    if not above:
        paths.insert(0, jurisdiction.path)
    if not paths:
        return None, []
    rows = (
        Membership.objects.filter(role=Role.LEADER, jurisdiction__path__in=paths, user__is_active=True)
        .select_related("user", "jurisdiction")
        .order_by("user_id")
    )
    by_path: dict[str, list[Membership]] = {}
    for m in rows:
        if m.jurisdiction is not None:  # always, by the filter above
            by_path.setdefault(m.jurisdiction.path, []).append(m)
    for path in paths:
        if by_path.get(path):
            return by_path[path][0].jurisdiction, [m.user for m in by_path[path]]
    return None, []


def resolve(*, parties: Sequence[str], subject: Model, jurisdiction: Jurisdiction) -> Resolution:
    """The people ``parties`` name for ``subject`` at ``jurisdiction``, each once (the first party that names a
    person is the one they are alerted as)."""
    place = SubjectPlace(jurisdiction)
    result = Resolution()
    seen: set[int] = set()

    def add(users_or_members: Iterable[Any], party: str, department: Department | None = None) -> int:
        """Alert each person once; returns how many the party names (alerted now or through an earlier party)."""
        named = 0
        for item in users_or_members:
            user = item.user if isinstance(item, Membership) else item
            if not user.is_active:
                continue
            named += 1
            if user.pk not in seen:
                seen.add(user.pk)
                result.recipients.append(Recipient(user=user, party=party, department=department))
        return named

    for party in parties:
        found = 0
        if party == AlertParty.TOWNSHIP:
            township = place.township()
            government = place.department(DepartmentKind.TOWNSHIP_GOVERNMENT)
            if government is not None and government.jurisdiction_id == township.pk:
                found += add(_members([government], on_duty_first=False).get(government.pk, []), party, government)
            officers = Membership.objects.filter(
                jurisdiction=township, role=Role.TOWNSHIP_OFFICER, user__is_active=True
            ).select_related("user")
            found += add(officers, party)
        elif party in (AlertParty.POLICE_ON_DUTY, AlertParty.EMERGENCY):
            kind = DepartmentKind.PUBLIC_SECURITY if party == AlertParty.POLICE_ON_DUTY else DepartmentKind.EMERGENCY
            department = place.department(kind)
            if department is not None:
                members = _members([department], on_duty_first=True).get(department.pk, [])
                found += add(members, party, department)
        elif party in (AlertParty.VENUE_OPERATOR, AlertParty.ORGANIZER):
            orgs = _organisations(subject, party)
            if orgs:
                members = list(
                    Membership.objects.filter(
                        organisation__in=orgs, role__in=[Role.VENUE_OPERATOR, Role.ORGANIZER], user__is_active=True
                    ).select_related("user")
                )
                found += add(members, party)
            else:
                # No operator / organizer on record for this subject: nothing to alert, and nothing missing.
                found = 1
        elif party == AlertParty.ASSIGNED_DEPARTMENT:
            assigned = _assigned_department(subject)
            if assigned is not None:
                members = _members([assigned], on_duty_first=True).get(assigned.pk, [])
                found += add(members, party, assigned)
        elif party == AlertParty.TERRITORY_LEADER:
            _where, leaders = leaders_from(jurisdiction)
            found += add(leaders, party)
        if not found:
            result.unreached.append(str(AlertParty(party).label))
    return result


def next_up(
    *, user: AbstractBaseUser, department: Department | None, jurisdiction: Jurisdiction, exclude: set[int]
) -> tuple[list[Any], Department | None, str]:
    """The next people up from ``user`` (alerted through ``department``, for something at ``jurisdiction``), not
    in ``exclude``: (people, the department they are reached through, which step it is)."""
    if department is not None:
        heads = [
            m.user
            for m in Membership.objects.filter(department=department, role=Role.HEAD, user__is_active=True)
            .select_related("user")
            .order_by("user_id")
        ]
        if user.pk not in {h.pk for h in heads}:
            fresh = [h for h in heads if h.pk not in exclude]
            if fresh:
                return fresh, department, "head"
    # A leader who did not acknowledge passes it to the leader of the jurisdiction above their own.
    own = (
        Membership.objects.filter(user_id=user.pk, role=Role.LEADER, jurisdiction__isnull=False)
        .select_related("jurisdiction")
        .order_by("-jurisdiction__depth")
        .first()
    )
    start, above = (own.jurisdiction, True) if own is not None else (jurisdiction, False)
    while start is not None:
        where, leaders = leaders_from(start, above=above)
        fresh = [leader for leader in leaders if leader.pk not in exclude]
        if fresh:
            return fresh, None, "leader"
        if where is None:
            break
        start, above = where, True
    return [], None, ""
