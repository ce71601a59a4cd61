"""Who may see and change emergency plans and drills (DESIGN.md section 4).

See (a plan, and with it its drills and after-action items):
- government users whose territory holds the plan (属地: township officers, grid workers, leaders, admins through
  their jurisdictions; department staff and heads through their department's jurisdiction);
- the owner's people: staff and heads of the owning department, members of the owning organisation, officers
  of the owning township; and the operator of the plan's venue;
- departments the plan was shared with (django-guardian ``view_emergencyplan`` on the department's group);
- superusers.
Everyone else gets 404.

Change (edit, upload a version, plan and record drills, raise and close after-action items):
- the owner's people;
- the territory's coordinators: township officers, leaders and admins whose jurisdiction holds the plan, and
  emergency-management departments (应急管理部门 "指导有关部门制定应急预案") whose jurisdiction holds it;
- superusers. ``actor=None`` is the system (demo data, management commands).
An after-action item may also be closed by its holder's people.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from crowdsafe.errors import PermissionDeniedError
from crowdsafe.org.access import Scope, get_scope, in_q, path_q
from crowdsafe.org.choices import DepartmentKind, Role
from drills.models import EmergencyPlanGroupObjectPermission

COORDINATOR_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` with every lookup moved under ``prefix`` (e.g. "plan__")."""
    if not prefix:
        return q
    children = []
    for child in q.children:
        if isinstance(child, Q):
            children.append(_prefixed(child, prefix))
        else:
            key, value = child
            children.append((prefix + key, value))
    new = Q()
    new.connector = q.connector
    new.negated = q.negated
    new.children = children
    return new


def granted_plan_ids(scope: Scope) -> list[int]:
    """Plans shared with one of the user's departments (read as a short list: shares are few)."""
    if not scope.department_group_ids:
        return []
    return list(
        EmergencyPlanGroupObjectPermission.objects.filter(
            group_id__in=sorted(scope.department_group_ids), permission__codename="view_emergencyplan"
        ).values_list("content_object_id", flat=True)
    )


def operated_organisation_ids(scope: Scope) -> list[int]:
    return sorted(m.organisation_id for m in scope.memberships if m.role == Role.VENUE_OPERATOR)


def plan_scope_q(scope: Scope, *, prefix: str = "") -> Q | None:
    """The plans the user may see, as a Q on ``EmergencyPlan`` (or, with ``prefix="plan__"``, on a model that
    points at a plan). None means all of them (a superuser)."""
    if scope.is_superuser:
        return None
    q = (
        path_q(scope.territory_paths, field="jurisdiction_path")
        | in_q(scope.department_ids, field="owner_department_id")
        | in_q(scope.organisation_ids, field="owner_organisation_id")
        | in_q(operated_organisation_ids(scope), field="venue__operator_id")
        | in_q(
            [m.jurisdiction_id for m in scope.memberships if m.role == Role.TOWNSHIP_OFFICER and m.jurisdiction_id],
            field="owner_jurisdiction_id",
        )
        | in_q(granted_plan_ids(scope), field="pk")
    )
    if prefix:
        # The last branch names the plan itself: on a related model it is the foreign key.
        return _prefixed(q, prefix)
    return q


def _covers(paths, path: str) -> bool:
    return any(path.startswith(p) for p in paths)


def coordinator_paths(scope: Scope) -> tuple[str, ...]:
    """Subtrees where the user coordinates plans: own jurisdictions as township officer, leader or admin, and
    the jurisdictions of their emergency-management departments."""
    paths = [m.jurisdiction.path for m in scope.memberships if m.role in COORDINATOR_ROLES and m.jurisdiction_id]
    paths += [
        m.department.jurisdiction.path
        for m in scope.memberships
        if m.role in DEPARTMENT_ROLES
        and m.department_id
        and m.department.is_active
        and m.department.kind == DepartmentKind.EMERGENCY
    ]
    return tuple(paths)


def is_owner_person(scope: Scope, *, department_id=None, organisation_id=None, jurisdiction_id=None) -> bool:
    if department_id and department_id in scope.department_ids:
        return True
    if organisation_id and organisation_id in scope.organisation_ids:
        return True
    if jurisdiction_id:
        return any(m.role in COORDINATOR_ROLES and m.jurisdiction_id == jurisdiction_id for m in scope.memberships)
    return False


def can_manage_plan(actor, plan) -> bool:
    """May ``actor`` edit the plan, upload versions, plan and record its drills?"""
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    if is_owner_person(
        scope,
        department_id=plan.owner_department_id,
        organisation_id=plan.owner_organisation_id,
        jurisdiction_id=plan.owner_jurisdiction_id,
    ):
        return True
    return _covers(coordinator_paths(scope), plan.jurisdiction_path)


def check_manage_plan(actor, plan) -> None:
    if not can_manage_plan(actor, plan):
        raise PermissionDeniedError(_("You may see this plan but not change it."))


def can_close_item(actor, item) -> bool:
    """The item's holder's people, or whoever manages the plan."""
    if actor is None:
        return True
    scope = get_scope(actor)
    if is_owner_person(
        scope,
        department_id=item.owner_department_id,
        organisation_id=item.owner_organisation_id,
        jurisdiction_id=item.owner_jurisdiction_id,
    ):
        return True
    return can_manage_plan(actor, item.plan)


def can_create_plans(actor) -> bool:
    """Anyone who can own or coordinate a plan: government staff, township officers, leaders, admins,
    organizers and venue operators."""
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope.is_superuser or bool(scope.department_ids or scope.organisation_ids or coordinator_paths(scope))
