"""Who may see and do what in the risk app. Visibility is a queryset filter (``visible_q``, used by the
selectors); actions are checked by the services with the ``can_*`` functions below (views use the same functions
to show or hide buttons).

- See an assessment or a hazard: government users whose territory covers the subject (属地: township officers,
  grid workers, leaders, admins through their jurisdictions; staff and heads through their department's
  jurisdiction), the subject's operator or organizer (and for a hazard the responsible unit), the reviewing or
  supervising department, and departments it was shared with (django-guardian ``view_…`` granted to the
  department's group). Anyone else gets 404.
- Assess: staff and heads of a department covering the subject, township officers, leaders and admins of its
  territory (an official assessment); the subject's operator or organizer (its own assessment, 自评); for a
  permit application, the licensing department too.
- Sign off or return: not the assessor (four eyes); the head of the assessor's or the reviewing department; the
  reviewing department's staff for an organizer's own assessment (the department's review of it); township
  officers, leaders and admins of the subject's territory.
- Hazards: anyone in government covering the place reports them (grid workers on patrol), and so does the unit
  itself (self-inspection); the responsible unit and the government covering the place rectify them (a plan, the
  fix, an extension request); departments covering the place, the supervising department, township officers,
  leaders and admins supervise them (verification, extension decisions, rectification orders, cancelling).
- Campaigns: township officers, leaders and admins in their territory, department staff and heads in their
  department's territory.
"""

from __future__ import annotations

from django.db.models import Q

from crowdsafe.org.access import Scope, get_scope, granted_q, in_q, minimal_prefixes, path_q
from crowdsafe.org.choices import DepartmentKind, Role

DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})
TERRITORY_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
EXTERNAL = frozenset({Role.ORGANIZER, Role.VENUE_OPERATOR})


def _covers(paths, path: str) -> bool:
    return bool(path) and any(path.startswith(p) for p in paths)


def department_memberships(scope: Scope, roles=DEPARTMENT_ROLES):
    return [m for m in scope.memberships if m.role in roles and m.department_id and m.department.is_active]


def territory_paths(scope: Scope, roles=TERRITORY_ROLES) -> tuple[str, ...]:
    """Paths of the jurisdictions where the user holds one of ``roles`` (township officer, leader, admin)."""
    return minimal_prefixes(m.jurisdiction.path for m in scope.memberships if m.role in roles and m.jurisdiction_id)


def department_paths(scope: Scope, roles=DEPARTMENT_ROLES) -> tuple[str, ...]:
    return minimal_prefixes(m.department.jurisdiction.path for m in department_memberships(scope, roles))


def department_covering(scope: Scope, path: str, roles=DEPARTMENT_ROLES):
    """The user's department whose territory covers ``path`` (the nearest one), or None."""
    candidates = [
        m.department for m in department_memberships(scope, roles) if _covers([m.department.jurisdiction.path], path)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda d: len(d.jurisdiction.path))


def in_department(scope: Scope, department_id: int | None, roles=DEPARTMENT_ROLES) -> bool:
    return department_id is not None and any(
        m.department_id == department_id for m in department_memberships(scope, roles)
    )


def member_of(scope: Scope, organisation_id: int | None) -> bool:
    return organisation_id is not None and any(
        m.organisation_id == organisation_id for m in scope.memberships if m.role in EXTERNAL
    )


def governs(scope: Scope, path: str) -> bool:
    """A department (staff, head) or a territory role (township officer, leader, admin) covers ``path``."""
    return scope.is_superuser or _covers(department_paths(scope) + territory_paths(scope), path)


# --- visibility --------------------------------------------------------------------------------------------


def visible_q(scope: Scope, model, *, department_field: str) -> Q | None:
    """Rows of ``model`` (an assessment or a hazard) the user may see; None means all (a superuser)."""
    if scope.is_superuser:
        return None
    return (
        path_q(scope.territory_paths, field="jurisdiction_path")
        | in_q(scope.organisation_ids, field="organisation_id")
        | in_q(scope.department_ids, field=department_field)
        | granted_q(scope, model, f"view_{model._meta.model_name}")
    )


# --- assessments --------------------------------------------------------------------------------------------


def assessor_role(actor, info):
    """How ``actor`` may assess the subject ``info``: ("official", department or None), ("self", None), or None
    when they may not. Government first: a user who is both acts for the government."""
    from risk.choices import AssessorKind

    if actor is None:
        return AssessorKind.OFFICIAL, None
    scope = get_scope(actor)
    path = info.jurisdiction_path
    department = department_covering(scope, path)
    if scope.is_superuser or department is not None or _covers(territory_paths(scope), path):
        return AssessorKind.OFFICIAL, department
    licensing = getattr(info, "licensing_department", None)
    if licensing is not None and in_department(scope, licensing.pk):
        return AssessorKind.OFFICIAL, licensing
    if info.organisation is not None and member_of(scope, info.organisation.pk):
        return AssessorKind.SELF, None
    return None


def can_review(actor, assessment) -> bool:
    """May ``actor`` sign off or return ``assessment``? Never its own assessor (four eyes)."""
    from risk.choices import AssessorKind

    if actor is None:
        return True
    if assessment.assessor_id == getattr(actor, "pk", None):
        return False
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    heads = {m.department_id for m in department_memberships(scope, {Role.HEAD})}
    if {assessment.assessor_department_id, assessment.review_department_id} & heads - {None}:
        return True
    if assessment.assessor_kind == AssessorKind.SELF and in_department(scope, assessment.review_department_id):
        return True
    # The head of the street office (township government) of the subject's territory signs for the township.
    if any(
        m.department.kind == DepartmentKind.TOWNSHIP_GOVERNMENT
        and _covers([m.department.jurisdiction.path], assessment.jurisdiction_path)
        for m in department_memberships(scope, {Role.HEAD})
    ):
        return True
    return _covers(territory_paths(scope), assessment.jurisdiction_path)


def can_edit_assessment(actor, assessment) -> bool:
    """The assessor keeps their draft; so do the others who could have made it for the same side."""
    if actor is None:
        return True
    if assessment.assessor_id == getattr(actor, "pk", None):
        return True
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    from risk.choices import AssessorKind

    if assessment.assessor_kind == AssessorKind.SELF:
        return member_of(scope, assessment.organisation_id)
    return in_department(scope, assessment.assessor_department_id) or _covers(
        territory_paths(scope), assessment.jurisdiction_path
    )


# --- hazards ---------------------------------------------------------------------------------------------------


def can_report_hazard(actor, *, path: str, organisation_id: int | None) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or (scope.is_government and _covers(scope.territory_paths, path)):
        return True
    return member_of(scope, organisation_id)


def can_rectify(actor, hazard) -> bool:
    """Plan, report the fix, close an ordinary hazard with a photo, ask for an extension."""
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or member_of(scope, hazard.organisation_id):
        return True
    return scope.is_government and _covers(scope.territory_paths, hazard.jurisdiction_path)


def can_supervise(actor, hazard) -> bool:
    """Verify, decide extensions, issue rectification orders, cancel."""
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or in_department(scope, hazard.supervising_department_id):
        return True
    return governs(scope, hazard.jurisdiction_path)


def issuing_department(actor, hazard):
    """The department in whose name ``actor`` issues a rectification order: the supervising department when they
    work there, else their department covering the place; None when they work for none."""
    scope = get_scope(actor)
    if in_department(scope, hazard.supervising_department_id):
        return hazard.supervising_department
    return department_covering(scope, hazard.jurisdiction_path)


# --- campaigns ---------------------------------------------------------------------------------------------


def can_launch_campaign(actor, territory) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    return governs(scope, territory.path)


def can_launch_any_campaign(actor) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope.is_superuser or bool(department_paths(scope) or territory_paths(scope))


# --- the risk matrix --------------------------------------------------------------------------------------------


def can_edit_bands(actor) -> bool:
    """The city's system administrators (and superusers) set the risk matrix's bands."""
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope.is_superuser or bool(scope.admin_paths)
