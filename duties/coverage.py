"""Recipient coverage (never silent): every department, township and organisation that holds outstanding tasks
must have at least one active person who can receive its reminders — the people ``notifications.recipients``
reminds: a department's staff or heads, a township's officers (or, for the city itself, its administrators), an
organisation's people. A holder without one is a *gap*: listed on the rules health page, the leaders' overview
and the admin, and opened as a task for the city administrator by the daily check (``alerts.coverage``).

Three grouped queries over the outstanding tasks and one over the memberships, whatever the number of tasks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import path_q
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task

HOLDER_KINDS = {
    "department": _("Department"),
    "township": _("Township / street"),
    "organisation": _("Organisation"),
}


@dataclass(frozen=True)
class RecipientGap:
    """A holder of outstanding tasks whom no reminder can reach."""

    holder: Department | Jurisdiction | Organisation
    holder_kind: str  # "department", "township" or "organisation"
    open_tasks: int

    @property
    def holder_kind_label(self) -> str:
        return str(HOLDER_KINDS[self.holder_kind])

    @property
    def reason(self) -> str:
        if isinstance(self.holder, Department) and not self.holder.is_active:
            return str(_("The department is switched off."))
        return str(_("No active person on record who can receive reminders."))


def _open_counts(field: str, within: Iterable[str] | None) -> dict[int, int]:
    qs = Task.objects.filter(status__in=OUTSTANDING_VALUES, **{f"{field}__isnull": False})
    if within is not None:
        qs = qs.filter(path_q(within, field="jurisdiction_path"))
    return dict(qs.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def recipient_gaps(*, within: Iterable[str] | None = None) -> list[RecipientGap]:
    """The holders of outstanding tasks (about subjects in ``within``, a list of subtree paths, or everywhere)
    whom no reminder can reach, most open tasks first."""
    within = tuple(within) if within is not None else None
    departments = _open_counts("responsible_department", within)
    townships = _open_counts("responsible_jurisdiction", within)
    organisations = _open_counts("responsible_organisation", within)
    if not (departments or townships or organisations):
        return []
    active = Membership.objects.filter(user__is_active=True)
    covered_departments = set(
        active.filter(department_id__in=list(departments), role__in=[Role.STAFF, Role.HEAD], department__is_active=True)
        .values_list("department_id", flat=True)
        .distinct()
    )
    covered_townships = set(
        active.filter(jurisdiction_id__in=list(townships), role__in=[Role.TOWNSHIP_OFFICER, Role.ADMIN])
        .values_list("jurisdiction_id", flat=True)
        .distinct()
    )
    covered_organisations = set(
        active.filter(organisation_id__in=list(organisations)).values_list("organisation_id", flat=True).distinct()
    )
    gaps: list[RecipientGap] = []
    missing = [pk for pk in departments if pk not in covered_departments]
    for department in Department.objects.filter(pk__in=missing).select_related("jurisdiction"):
        gaps.append(RecipientGap(department, "department", departments[department.pk]))
    missing = [pk for pk in townships if pk not in covered_townships]
    for jurisdiction in Jurisdiction.objects.filter(pk__in=missing):
        gaps.append(RecipientGap(jurisdiction, "township", townships[jurisdiction.pk]))
    missing = [pk for pk in organisations if pk not in covered_organisations]
    for organisation in Organisation.objects.filter(pk__in=missing):
        gaps.append(RecipientGap(organisation, "organisation", organisations[organisation.pk]))
    gaps.sort(key=lambda g: (-g.open_tasks, str(g.holder)))
    return gaps


def holder_q(gap: RecipientGap) -> Q:
    """The tasks a gap's holder holds."""
    field = {
        "department": "responsible_department",
        "township": "responsible_jurisdiction",
        "organisation": "responsible_organisation",
    }[gap.holder_kind]
    return Q(**{field: gap.holder.pk})
