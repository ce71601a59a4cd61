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
- superusers. Services pass ``actor_scope(actor)``: ``actor=None`` is the system (demo data, management commands).
An after-action item may also be closed by its holder's people.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from crowdsafe.errors import PermissionDeniedError
from crowdsafe.org.access import COORDINATOR_ROLES, DEPARTMENT_ROLES, Scope, in_q, path_q
from crowdsafe.org.choices import DepartmentKind, Role
from drills.models import EmergencyPlanGroupObjectPermission

# Who coordinates the plans of a territory: township officers, leaders and admins of it, and its
# emergency-management departments (staff and heads). ``Scope.paths_for(COORDINATORS, department_kind=EMERGENCY)``.
COORDINATORS = COORDINATOR_ROLES | DEPARTMENT_ROLES


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


def plan_visible_q(scope: Scope) -> Q:
    """The rule of ``EmergencyPlan.objects.visible_to`` (superusers never get here)."""
    return (
        path_q(scope.territory_paths, field="jurisdiction_path")
        | in_q(scope.department_ids, field="owner_department_id")
        | in_q(scope.organisation_ids, field="owner_organisation_id")
        | in_q(scope.organisation_ids_for(Role.VENUE_OPERATOR), field="venue__operator_id")
        | in_q(scope.jurisdiction_ids_for(Role.TOWNSHIP_OFFICER), field="owner_jurisdiction_id")
        | in_q(granted_plan_ids(scope), field="pk")
    )


def drill_visible_q(scope: Scope) -> Q:
    """The rule of ``Drill.objects.visible_to``: the drills of the plans the user may see."""
    # The last branch of the plan's rule names the plan itself: on a drill it is the foreign key.
    return _prefixed(plan_visible_q(scope), "plan__")


def item_visible_q(scope: Scope, *, holders: bool = True) -> Q:
    """The rule of ``AfterActionItem.objects.visible_to``: the plan's readers, and the item's own holder (a
    department asked to fix something of another's plan). ``holders=False``: the plan's readers only (the
    compliance tables count a plan's items with the plan)."""
    q = _prefixed(plan_visible_q(scope), "plan__")
    if not holders:
        return q
    return (
        q
        | in_q(scope.department_ids, field="owner_department_id")
        | in_q(scope.organisation_ids, field="owner_organisation_id")
    )


def is_owner_person(scope: Scope, *, department_id=None, organisation_id=None, jurisdiction_id=None) -> bool:
    if department_id and department_id in scope.department_ids:
        return True
    if organisation_id and organisation_id in scope.organisation_ids:
        return True
    if jurisdiction_id:
        return jurisdiction_id in scope.jurisdiction_ids_for(COORDINATOR_ROLES)
    return False


def coordinates(scope: Scope, path: str) -> bool:
    """Does the user coordinate the plans at ``path`` (see ``COORDINATORS``)?"""
    return scope.covers(path, COORDINATORS, department_kind=DepartmentKind.EMERGENCY)


def can_manage_plan(scope: Scope, obj) -> bool:
    """May the user edit the plan ``obj``, upload versions, plan and record its drills?"""
    if scope.is_superuser:
        return True
    if is_owner_person(
        scope,
        department_id=obj.owner_department_id,
        organisation_id=obj.owner_organisation_id,
        jurisdiction_id=obj.owner_jurisdiction_id,
    ):
        return True
    return coordinates(scope, obj.jurisdiction_path)


def check_manage_plan(scope: Scope, plan) -> None:
    if not can_manage_plan(scope, plan):
        raise PermissionDeniedError(_("You may see this plan but not change it."))


def can_close_item(scope: Scope, obj) -> bool:
    """The after-action item ``obj``'s holder's people, or whoever manages the plan."""
    if is_owner_person(
        scope,
        department_id=obj.owner_department_id,
        organisation_id=obj.owner_organisation_id,
        jurisdiction_id=obj.owner_jurisdiction_id,
    ):
        return True
    return can_manage_plan(scope, obj.plan)


def can_create_plans(scope: Scope, obj=None) -> bool:
    """Anyone who can own or coordinate a plan: government staff, township officers, leaders, admins,
    organizers and venue operators. ``obj`` is not used: the question is about no particular plan."""
    return scope.is_superuser or bool(
        scope.department_ids
        or scope.organisation_ids
        or scope.paths_for(COORDINATORS, department_kind=DepartmentKind.EMERGENCY)
    )
