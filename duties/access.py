"""Who may see and act on a task. Visibility is ``Task.objects.visible_to`` (the rule ``task_visible_q``);
actions are checked by the services with ``can_work`` / ``can_manage`` (views use the same functions to show or
hide buttons).

- See: the holder's people (staff and heads of the responsible department, the responsible organisation's
  organizers/operators, the responsible person), everyone working the territory the subject lies in (grid
  workers, township officers, leaders, administrators: 属地), and departments the task was shared with.
- Work (start, complete): the holder's people (staff and heads of the department, the organisation's people, a
  township's officers for what the township holds) and the responsible person.
- Manage (reassign, cancel): heads of the responsible department, the leaders and administrators of the
  territory, and a township's officers for what the township holds (itself or through its township-government
  department) and for what nobody holds in the township.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db.models import Q

from crowdsafe.common.statements import Statement
from crowdsafe.org.access import NOTHING, OVERSIGHT_ROLES, Scope, get_scope, in_q, minimal_prefixes, path_q
from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.models import Department
from duties.models import Task, TaskGroupObjectPermission


def granted_task_ids(scope: Scope) -> list[int]:
    """Ids of the tasks shared with one of the user's departments (django-guardian, direct-FK table).

    Read as a list first, not left as ``pk IN (subquery)``: PostgreSQL cannot combine a hashed subplan with
    the other conditions' indexes in a BitmapOr, and a department's queue then walks every outstanding task
    of the city instead of its own few hundred. Shares are few; the list is short."""
    if not scope.department_group_ids:
        return []
    return [pk for (pk,) in _GRANTED_TASKS.rows(group_ids=tuple(sorted(scope.department_group_ids)))]


# On every task page (compiled once, ``crowdsafe.common.statements``).
_GRANTED_TASKS = Statement(
    lambda group_ids: TaskGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission__codename="view_task"
    ).values_list("content_object_id"),
    group_ids=(int,),
)


def task_visible_q(scope: Scope, *, whole_territory: bool = False, shared: list[int] | None = None) -> Q:
    """The rule of ``Task.objects.visible_to`` (superusers never get here). Each branch is an indexed condition,
    so PostgreSQL ORs them as a BitmapOr of index scans.

    ``whole_territory``: instead of the work view (the holder's people, the territory people, shares), every task
    about a subject in the user's territory — their departments' jurisdictions included — and those their
    departments or organisations hold. The drills calendar uses it: whoever sees a territory's plans sees the
    drills due in it.

    ``shared``: the ids of the tasks shared with the user's departments when the caller has read them already
    (``granted_task_ids``; the task queue reads them once for this rule and for ``task_visible_branches``)."""
    if whole_territory:
        return (
            path_q(scope.territory_paths, field="jurisdiction_path")
            | in_q(scope.department_ids, field="responsible_department_id")
            | in_q(scope.organisation_ids, field="responsible_organisation_id")
        )
    return work_view_q(**work_view_values(scope, shared=granted_task_ids(scope) if shared is None else shared))


def work_view_values(scope: Scope, *, shared: list[int]) -> dict[str, tuple]:
    """What the work view of ``task_visible_q`` is made of, as sorted tuples of values: the user's departments and
    organisations, the person (none or one), the minimal subtrees of their territory, the tasks shared with their
    departments. ``work_view_q`` and ``work_view_branches`` are functions of these alone, so the task queue's
    statements are compiled once for every user (``crowdsafe.common.statements``)."""
    return {
        "departments": tuple(sorted(scope.department_ids)),
        "organisations": tuple(sorted(scope.organisation_ids)),
        "person": (scope.user_id,) if scope.user_id else (),
        "paths": tuple(minimal_prefixes(scope.jurisdiction_paths)),
        "shared": tuple(sorted(set(shared))),
    }


def work_view_q(*, departments, organisations, person, paths, shared) -> Q:
    """The work view of ``task_visible_q`` from its values (``work_view_values``)."""
    return (
        in_q(departments, field="responsible_department_id")
        | in_q(organisations, field="responsible_organisation_id")
        | (Q(responsible_person_id=person[0]) if person else NOTHING)
        | path_q(paths, field="jurisdiction_path")
        | in_q(shared, field="pk")
    )


def work_view_branches(*, departments, organisations, person, paths, shared) -> list[Q]:
    """``task_visible_branches`` from the work view's values (``work_view_values``)."""
    branches = [Q(responsible_department_id=pk) for pk in departments]
    branches += [Q(responsible_organisation_id=pk) for pk in organisations]
    branches += [Q(responsible_person_id=pk) for pk in person]
    branches += [Q(jurisdiction_path__startswith=path) for path in paths]
    if shared:
        branches.append(Q(pk__in=shared))
    return branches


def task_visible_branches(scope: Scope, *, shared: list[int] | None = None) -> list[Q]:
    """The work view of ``task_visible_q`` split by holder: one condition per department, per organisation, the
    person, per territory subtree, and the tasks shared with the user's departments. Their OR is the rule (the same
    rows); each alone is read in due order from its own index (``duties_task_dept_open_idx`` for a department,
    the person's index, the path index), which the OR of them is not: the task queue reads its page as the union
    of each branch's first rows (``TaskQuerySet.read_rows_by_branch``). ``shared`` as in ``task_visible_q``."""
    shared = granted_task_ids(scope) if shared is None else shared
    return work_view_branches(**work_view_values(scope, shared=shared))


class QueueVisibility(NamedTuple):
    shared: list[int]  # the tasks shared with the user's departments
    branches: list[Q]  # the rule's branches (read one by one for a page)
    values: dict[str, tuple] | None  # what the rule is made of (``work_view_values``); None for the held part


def task_queue_visibility(user, *, held: bool = False) -> QueueVisibility | None:
    """For the task queue: the tasks shared with the user's departments (read once, for ``visible_to``'s rule and
    its branches) and the rule's branches (``task_visible_branches``); None for superusers, who see every task.

    ``held``: the queue's "assigned to me / my department" part: the branches are then the holders of ``held_branches``,
    each with the rule (a township held by the user but a task outside their territory is seen only if the rule says
    so). A city leader's held tasks are then read from the holder columns' indexes, not found by walking every
    outstanding task of the city in due order."""
    scope = get_scope(user)
    if scope.is_superuser:
        return None
    shared = granted_task_ids(scope)
    branches = task_visible_branches(scope, shared=shared)
    if held:
        # A holder that is a branch of the rule (the user's department, organisation, the person) is read alone, in
        # order from its own index; the others (a township held by the user, its township-government department)
        # with the rule.
        visible = task_visible_q(scope, shared=shared)
        return QueueVisibility(
            shared, [branch if branch in branches else branch & visible for branch in held_branches(scope)], None
        )
    return QueueVisibility(shared, branches, work_view_values(scope, shared=shared))


def task_queue_territory(user, *, shared: list[int] | None = None) -> tuple[tuple[str, ...] | None, dict | None]:
    """The visibility rule of the task queue as (the territory's subtrees, the rule's values): every task about a
    subject in those subtrees (the values' ``paths``), or matching the rest of the rule (``work_view_q`` of the
    values without their paths: the departments', organisations' and the person's tasks, the shares). (None, None)
    for superusers: everything. The queue's outstanding counts read the territory's part from the counters
    (``duties.counts``) and the rest from the tasks (``duties.selectors.queue_counts``). ``shared`` as in
    ``task_visible_q``."""
    scope = get_scope(user)
    if scope.is_superuser:
        return None, None
    return scope.jurisdiction_paths, work_view_values(
        scope, shared=granted_task_ids(scope) if shared is None else shared
    )


def held_q(scope: Scope) -> Q:
    """Tasks the user holds (assigned to me / my department): their departments', their organisations', their own,
    and those held by a jurisdiction they are a member of (a township officer's street). The rest of their queue
    is what happens in their area, held by others (``duties.filters.HeldFilter``). The OR of ``held_branches``."""
    q = NOTHING
    for branch in held_branches(scope):
        q |= branch
    return q


def held_branches(scope: Scope) -> list[Q]:
    """``held_q`` split by holder, each a condition on one indexed holder column (ids, never a join: "held by the
    city" as ``responsible_jurisdiction__path IN (…)`` joined every outstanding task of the city to its holder, about a
    second at a million tasks): each department (the user's, and the township-government department of a township
    they are an officer of), each organisation, the person, the jurisdictions they are members of."""
    person = [Q(responsible_person_id=scope.user_id)] if scope.user_id else []
    if scope.is_superuser:
        return person
    departments = set(scope.department_ids) | set(_township_government_ids(scope.paths_for(Role.TOWNSHIP_OFFICER)))
    held = set(scope.jurisdiction_paths)
    jurisdictions = sorted(
        {m.jurisdiction_id for m in scope.memberships if m.jurisdiction_id and m.jurisdiction.path in held}
    )
    return [
        *(Q(responsible_department_id=pk) for pk in sorted(departments)),
        *(Q(responsible_organisation_id=pk) for pk in sorted(scope.organisation_ids)),
        *person,
        *([in_q(jurisdictions, field="responsible_jurisdiction_id")] if jurisdictions else []),
    ]


def _township_government_ids(paths: tuple[str, ...]) -> list[int]:
    """The township-government departments of these townships: what a township holds through them (see
    ``_township_path``)."""
    if not paths:
        return []
    return list(
        Department.objects.filter(
            kind=DepartmentKind.TOWNSHIP_GOVERNMENT, jurisdiction__path__in=sorted(set(paths))
        ).values_list("pk", flat=True)
    )


def _township_path(task: Task) -> str | None:
    """The path of the township/street holding the task: itself, or its township-government department."""
    if task.responsible_jurisdiction_id:
        return task.responsible_jurisdiction.path
    department = task.responsible_department
    if department is not None and department.kind == DepartmentKind.TOWNSHIP_GOVERNMENT:
        return department.jurisdiction.path
    return None


def can_manage(scope: Scope, obj: Task) -> bool:
    """Reassign or cancel the task ``obj``."""
    if scope.is_superuser:
        return True
    task = obj
    if task.responsible_department_id and task.responsible_department_id in scope.head_of_department_ids:
        return True
    if scope.covers(task.jurisdiction_path, OVERSIGHT_ROLES):
        return True
    # Township officers coordinate what their township holds, and what nobody holds in their township.
    if task.is_unassigned:
        return scope.covers(task.jurisdiction_path, Role.TOWNSHIP_OFFICER)
    return scope.covers(_township_path(task), Role.TOWNSHIP_OFFICER)


def can_work(scope: Scope, obj: Task) -> bool:
    """Start and complete the task ``obj``: the holder's own people. Leaders oversee and reassign; they do not
    close a fire brigade's inspection on its behalf."""
    task = obj
    if scope.is_superuser:
        return True
    if task.responsible_department_id and task.responsible_department_id in scope.department_ids:
        return True
    if task.responsible_organisation_id and task.responsible_organisation_id in scope.organisation_ids:
        return True
    if task.responsible_person_id and task.responsible_person_id == scope.user_id:
        return True
    return scope.covers(_township_path(task), Role.TOWNSHIP_OFFICER)


def can_see_overview(scope: Scope, obj: Any = None) -> bool:
    """The responsibility overview (its page, home panel and menu entry): leaders, administrators, superusers.
    ``obj`` is unused: the overview is of the user's whole territory."""
    return scope.is_superuser or scope.has_role(*OVERSIGHT_ROLES)


def can_see_rules_health(scope: Scope, obj: Any = None) -> bool:
    """Where the responsibility rules find no department: leaders, administrators, superusers. ``obj`` is unused."""
    return scope.is_superuser or scope.has_role(Role.ADMIN, Role.LEADER)
