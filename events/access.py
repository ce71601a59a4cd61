"""Who may see and do what with spontaneous gatherings (DESIGN.md section 4, issue 4 point 8).

See (``visible_q``, used by ``events.selectors``):
- people who work a territory — grid workers their grids, township officers their township, leaders and
  administrators their jurisdiction — the gatherings in it (属地: one indexed prefix match per subtree);
- departments (staff, heads) and outside organisations (venue operators), the gatherings on which the
  responsibility engine gave them a task, and those shared with the department (django-guardian);
- whoever reported a gathering, that gathering.

Do:
- log (``can_report_at``): the territory people of the grid, department staff of a department whose
  jurisdiction covers it (a gathering learned of from 110 or a department's own patrol), a venue operator at
  their own venue;
- field work — headcounts, measures, photos, ending (``can_work``): the territory people, and the departments
  and organisations holding a task on it;
- manage — verify, confirm or dismiss, override the risk level, decide (suspend, cancel, postpone), merge,
  edit (``can_manage``): township officers, leaders and administrators of the territory, and public security
  (the bureau of the territory, or one holding a task on it). Grid workers report and count; they do not
  verify their own reports.
``actor=None`` is the platform itself (the key-date scan, data migrations, demo data).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from guardian.utils import get_group_obj_perms_model

from crowdsafe.org.access import NOTHING, Scope, get_scope, granted_q, in_q, minimal_prefixes, path_q
from crowdsafe.org.choices import DepartmentKind, Role
from duties.models import Task

TERRITORY_ROLES = frozenset({Role.GRID_WORKER, Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
MANAGER_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})
SUBJECT_TYPE = "gathering"


def territory_paths(scope: Scope, roles=TERRITORY_ROLES) -> tuple[str, ...]:
    """The subtrees the user works through jurisdiction memberships in one of ``roles``."""
    return minimal_prefixes(m.jurisdiction.path for m in scope.memberships if m.role in roles and m.jurisdiction_id)


def department_paths(scope: Scope, *, kind: str | None = None) -> tuple[str, ...]:
    """The jurisdictions of the user's active departments (of ``kind`` when given)."""
    return minimal_prefixes(
        m.department.jurisdiction.path
        for m in scope.memberships
        if m.role in DEPARTMENT_ROLES
        and m.department_id
        and m.department.is_active
        and (kind is None or m.department.kind == kind)
    )


def operated_organisation_ids(scope: Scope) -> frozenset[int]:
    return frozenset(m.organisation_id for m in scope.memberships if m.role == Role.VENUE_OPERATOR)


def task_holder_q(scope: Scope) -> Q:
    """Tasks held by one of the user's departments or organisations."""
    return in_q(scope.department_ids, field="responsible_department_id") | in_q(
        scope.organisation_ids, field="responsible_organisation_id"
    )


def assigned_gathering_ids_q(scope: Scope, *, narrow: bool = False) -> Q:
    """Gatherings on which one of the user's departments or organisations holds a task.

    ``narrow``: the rest of the query already picks a few hundred gatherings at most (one territory, one month):
    then an EXISTS, which PostgreSQL checks for each of them through the task table's subject index. Otherwise
    ``pk IN (subquery)``, read once into a hash: a district bureau holds thousands of tasks, and checking the whole
    register one gathering at a time would be far slower."""
    if not scope.department_ids and not scope.organisation_ids:
        return NOTHING
    tasks = Task.objects.filter(subject_type=SUBJECT_TYPE).filter(task_holder_q(scope))
    if narrow:
        return Q(Exists(tasks.filter(subject_id=OuterRef("pk"))))
    return Q(pk__in=tasks.values("subject_id"))


def visible_q(scope: Scope, *, narrow: bool = False) -> Q:
    """Gatherings the user may see (the caller handles superusers, who see everything).

    The territory is a prefix match on the path. Everything else — one's own reports, what one's department or
    organisation holds a task on, what was shared with one's department — is, for a list over the whole register,
    one ``id IN (… UNION ALL …)``: PostgreSQL reads those few thousand ids once and fetches the gatherings by
    their key, instead of testing an OR of subqueries on every one of a hundred thousand rows. For a list that
    one territory and a date range already narrow to a few hundred (``narrow``), each is tested directly (the
    department's tasks through an EXISTS on the task table's subject index)."""
    from events.models import Gathering

    territory = path_q(territory_paths(scope), field="jurisdiction_path")
    if narrow:
        return (
            territory
            | (Q(reported_by_id=scope.user_id) if scope.user_id else NOTHING)
            | assigned_gathering_ids_q(scope, narrow=True)
            | granted_q(scope, Gathering, "view_gathering")
        )
    territories = territory_paths(scope)
    own = Q(reported_by_id=scope.user_id) if scope.user_id else NOTHING
    parts = []
    if scope.user_id and not territories:
        # No territory: the whole scope is a set of ids (a semi-join). With one, the own reports stay a plain
        # condition that PostgreSQL ORs with the path's index (a BitmapOr).
        parts.append(Gathering.objects.filter(reported_by_id=scope.user_id).order_by().values("pk"))
        own = NOTHING
    if scope.department_ids or scope.organisation_ids:
        tasks = Task.objects.filter(subject_type=SUBJECT_TYPE).filter(task_holder_q(scope))
        parts.append(tasks.order_by().values("subject_id"))
    if scope.department_group_ids:
        perm_model = get_group_obj_perms_model(Gathering)
        parts.append(
            perm_model.objects.filter(
                group_id__in=sorted(scope.department_group_ids), permission__codename="view_gathering"
            )
            .order_by()
            .values("content_object_id")
        )
    if not parts:
        return territory | own
    ids = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return territory | own | Q(pk__in=ids)


def _covers(paths, path: str) -> bool:
    return any(path.startswith(p) for p in paths)


def holds_task(scope: Scope, gathering) -> bool:
    if not scope.department_ids and not scope.organisation_ids:
        return False
    return Task.objects.filter(subject_type=SUBJECT_TYPE, subject_id=gathering.pk).filter(task_holder_q(scope)).exists()


def can_report_at(*, actor, grid, venue=None) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    if _covers(territory_paths(scope), grid.path) or _covers(department_paths(scope), grid.path):
        return True
    return venue is not None and venue.operator_id is not None and venue.operator_id in operated_organisation_ids(scope)


def can_report(*, actor) -> bool:
    """May ``actor`` log gatherings anywhere at all (to show the button)?"""
    if actor is None:
        return True
    scope = get_scope(actor)
    return (
        scope.is_superuser
        or bool(territory_paths(scope))
        or bool(department_paths(scope))
        or bool(operated_organisation_ids(scope))
    )


def can_work(*, actor, gathering) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or _covers(territory_paths(scope), gathering.jurisdiction_path):
        return True
    return holds_task(scope, gathering)


def can_manage(*, actor, gathering) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or _covers(territory_paths(scope, MANAGER_ROLES), gathering.jurisdiction_path):
        return True
    police = department_paths(scope, kind=DepartmentKind.PUBLIC_SECURITY)
    if not police:
        return False
    if _covers(police, gathering.jurisdiction_path):
        return True
    return holds_task(scope, gathering)


def can_edit(*, actor, gathering) -> bool:
    """The reporter corrects their own report until it is verified; managers edit an open record."""
    if gathering.is_terminal:
        return False
    if actor is not None and gathering.reported_by_id == actor.pk and gathering.status == "reported":
        return True
    return can_manage(actor=actor, gathering=gathering)
