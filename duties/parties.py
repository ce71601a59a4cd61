"""Finding the party a rule puts a duty on: a department of a kind found by walking up from the subject's
jurisdiction, the territorial township/street, or the subject's organisation (organizer / venue operator).

``SubjectPlace`` reads the subject's jurisdiction chain and every active department on it in two queries; every
rule evaluated for that subject then resolves in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crowdsafe.org.access import ancestor_paths
from crowdsafe.org.choices import LEVEL_DEPTH, DepartmentKind, JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from duties.choices import PartyKind


@dataclass(frozen=True)
class Party:
    """Who holds a task: one of department, organisation or jurisdiction, or none with the reason why."""

    department: Department | None = None
    organisation: Organisation | None = None
    jurisdiction: Jurisdiction | None = None
    # When nobody was found: what was looked for, as explanation facts.
    missing: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.department is not None or self.organisation is not None or self.jurisdiction is not None

    @property
    def label(self) -> str:
        holder = self.department or self.organisation or self.jurisdiction
        return str(holder) if holder is not None else ""


def _level_rank(level: str) -> int:
    return LEVEL_DEPTH[JurisdictionLevel(level)]


class SubjectPlace:
    """A subject's jurisdiction with its ancestors and the active departments along that chain."""

    def __init__(self, jurisdiction: Jurisdiction) -> None:
        self.jurisdiction = jurisdiction
        paths = [*ancestor_paths(jurisdiction.path), jurisdiction.path]
        # Nearest first: the subject's own jurisdiction, then its parent, up to the city.
        self.chain: list[Jurisdiction] = sorted(
            Jurisdiction.objects.filter(path__in=paths), key=lambda j: j.depth, reverse=True
        )
        by_pk = {j.pk: j for j in self.chain}
        departments = Department.objects.filter(is_active=True, jurisdiction__path__in=paths).order_by("pk")
        self._departments: dict[tuple[int, str], Department] = {}
        for department in departments:
            department.jurisdiction = by_pk[department.jurisdiction_id]
            # Two departments of one kind at one jurisdiction (e.g. 市文广旅局 and 市旅游服务中心): the oldest one
            # is the default party; the other can be given the task by reassignment.
            self._departments.setdefault((department.jurisdiction_id, department.kind), department)

    def department(self, kind: str, start_level: str = "") -> Department | None:
        """The active department of ``kind`` at the subject's jurisdiction (or at ``start_level`` above it),
        else at the nearest level above that has one."""
        for jurisdiction in self.chain:
            if start_level and _level_rank(jurisdiction.level) > _level_rank(start_level):
                continue
            department = self._departments.get((jurisdiction.pk, kind))
            if department is not None:
                return department
        return None

    def township(self) -> Jurisdiction:
        """The township/street the subject lies in; a subject registered above township level (a district-wide
        event) is in the territory of its own jurisdiction."""
        for jurisdiction in self.chain:
            if jurisdiction.level == JurisdictionLevel.TOWNSHIP:
                return jurisdiction
        return self.jurisdiction


def resolve_party(rule, *, place: SubjectPlace, organisation: Organisation | None, assignee: Any = None) -> Party:
    """The party ``rule`` puts the duty on for a subject at ``place`` with ``organisation`` (and, for an
    "assigned" rule, the holder the subject names: ``assignee``)."""
    if rule.party_kind == PartyKind.ASSIGNED:
        if isinstance(assignee, Department):
            return Party(department=assignee)
        if isinstance(assignee, Organisation):
            return Party(organisation=assignee)
        if isinstance(assignee, Jurisdiction):
            return Party(jurisdiction=assignee)
        return Party(missing={"what": rule.party_kind})
    if rule.party_kind == PartyKind.DEPARTMENT:
        department = place.department(rule.department_kind, rule.department_level)
        if department is not None:
            return Party(department=department)
        start = place.jurisdiction
        if rule.department_level:
            start = next((j for j in place.chain if _level_rank(j.level) <= _level_rank(rule.department_level)), start)
        return Party(
            missing={"what": "department", "department_kind": rule.department_kind, "jurisdiction": start.name}
        )
    if rule.party_kind == PartyKind.TERRITORIAL:
        township = place.township()
        government = place.department(DepartmentKind.TOWNSHIP_GOVERNMENT)
        if government is not None and government.jurisdiction_id == township.pk:
            return Party(department=government)
        return Party(jurisdiction=township)
    if organisation is not None:
        return Party(organisation=organisation)
    return Party(missing={"what": rule.party_kind})
