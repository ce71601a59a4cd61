"""Who may see and do what with inspections (DESIGN.md section 4).

- See an inspection: government people whose territory holds the place (属地: township officers, grid workers,
  leaders and admins through their jurisdictions; staff and heads through their department's jurisdiction), the
  departments taking part in it (a joint inspection's partners, wherever they sit), and the responsible unit
  (the venue operator or the organizer: it is told what was found). Anyone else gets 404.
- Start one: staff and heads of a department covering the place, township officers, grid workers, leaders and
  admins of its territory.
- Fill it in (answers, photos) and turn a failed item into a hazard: whoever could start it, and the people of
  the departments taking part; while it is in progress.
- Sign a department's part: the staff and heads of that department.
- Checklist templates are reference data: every government user reads them; the administrator edits them in the
  admin (a used template is revised into a new version there, never changed in place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from crowdsafe.org.access import DEPARTMENT_ROLES, GOVERNMENT_ROLES, NOTHING, Scope, in_q, path_q

if TYPE_CHECKING:
    from inspections.models import Inspection, InspectionPart

INSPECTOR_ROLES = GOVERNMENT_ROLES  # staff, heads, grid workers, township officers, leaders, admins


def inspection_visible_q(scope: Scope) -> Q:
    """The rule of ``Inspection.objects.visible_to``."""
    if not scope.user_id:
        return NOTHING
    q = path_q(scope.territory_paths, field="jurisdiction_path") | in_q(scope.organisation_ids, field="organisation_id")
    if scope.department_ids:
        from inspections.models import InspectionPart  # the models import this module's rule by name

        parts = InspectionPart.objects.filter(department_id__in=sorted(scope.department_ids))
        q |= Q(pk__in=parts.values("inspection_id"))
    return q


def can_start(scope: Scope, path: str) -> bool:
    return scope.covers(path, INSPECTOR_ROLES)


def takes_part(scope: Scope, inspection: Inspection) -> bool:
    ids = {part.department_id for part in inspection.parts.all()}
    return bool(ids & scope.department_ids)


def can_fill(scope: Scope, inspection: Inspection) -> bool:
    if not inspection.is_open:
        return False
    return scope.is_superuser or can_start(scope, inspection.jurisdiction_path) or takes_part(scope, inspection)


def can_sign(scope: Scope, part: InspectionPart) -> bool:
    if not part.inspection.is_open or part.is_signed:
        return False
    return scope.is_superuser or any(d.pk == part.department_id for d in scope.departments_for(DEPARTMENT_ROLES))


def can_see_templates(scope: Scope) -> bool:
    return scope.is_superuser or scope.is_government
