"""Who may see and do what with spontaneous gatherings (DESIGN.md section 4, issue 4 point 8).

See (``gathering_visible_q``, the rule of ``Gathering.objects.visible_to``):
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
Every predicate is ``can_<verb>(scope, obj)``; services pass ``actor_scope(actor)``, whose ``actor=None`` is the
platform itself (the key-date scan, data migrations, demo data).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from guardian.utils import get_group_obj_perms_model

from crowdsafe.common.lookups import Ids, any_of
from crowdsafe.common.statements import SHAPE, Statement
from crowdsafe.org.access import (
    COORDINATOR_ROLES,
    DEPARTMENT_ROLES,
    JURISDICTION_ROLES,
    NOTHING,
    Scope,
    granted_q,
    in_q,
    path_q,
)
from crowdsafe.org.choices import DepartmentKind, Role
from duties.models import Task

# Everyone who works a territory through a jurisdiction membership (grid workers included: they patrol it).
TERRITORY_ROLES = JURISDICTION_ROLES
MANAGER_ROLES = COORDINATOR_ROLES
SUBJECT_TYPE = "gathering"


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


# A page that reads the register several times (the 清单: count, rows, map) reads the gatherings seen other than by
# territory once, as a list of ids (``other_gathering_ids``), up to this many; beyond, each statement keeps the
# subquery.
IDS_ONCE_LIMIT = 20_000


def _elsewhere(scope: Scope) -> tuple[Q, QuerySet | None]:
    """What the user sees other than by territory: their own reports as a plain condition (when they work a
    territory: PostgreSQL ORs it with the path's index) and the ids of the rest — own reports (when they work no
    territory), the gatherings their department or organisation holds a task on, those shared with their
    department — as one ``UNION ALL`` (None: nothing but the territory and the own reports)."""
    values = _elsewhere_values(scope)
    # No territory: the own reports are among the ids (a semi-join). With one, they stay a plain condition that
    # PostgreSQL ORs with the path's index (a BitmapOr).
    own = Q(reported_by_id=scope.user_id) if scope.user_id and not values["reporter"] else NOTHING
    return own, _elsewhere_union(**values)


def _elsewhere_values(scope: Scope) -> dict[str, tuple[int, ...]]:
    """What ``_elsewhere``'s union is made of, as sorted tuples of ids: the reporter (when they work no territory),
    the departments and organisations holding tasks, the departments' groups. ``_elsewhere_union`` of them is the
    union, so a statement of it is compiled once for every user (``crowdsafe.common.statements``)."""
    return {
        "reporter": (scope.user_id,) if scope.user_id and not scope.paths_for(TERRITORY_ROLES) else (),
        "departments": tuple(sorted(scope.department_ids)),
        "organisations": tuple(sorted(scope.organisation_ids)),
        "groups": tuple(sorted(scope.department_group_ids)),
    }


def _elsewhere_union(*, reporter, departments, organisations, groups) -> QuerySet | None:
    """``_elsewhere``'s ``UNION ALL`` of ids from its values (``_elsewhere_values``); None when it has no part."""
    from events.models import Gathering

    parts: list[QuerySet] = []
    if reporter:
        parts.append(Gathering.objects.filter(reported_by_id=reporter[0]).order_by().values_list("pk", flat=True))
    if departments or organisations:
        holders = in_q(departments, field="responsible_department_id") | in_q(
            organisations, field="responsible_organisation_id"
        )
        tasks = Task.objects.filter(subject_type=SUBJECT_TYPE).filter(holders)
        parts.append(tasks.order_by().values_list("subject_id", flat=True))
    if groups:
        perm_model = get_group_obj_perms_model(Gathering)
        parts.append(
            perm_model.objects.filter(group_id__in=groups, permission__codename="view_gathering")
            .order_by()
            .values_list("content_object_id", flat=True)
        )
    if not parts:
        return None
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


# The ids of ``_elsewhere``, at most ``limit`` + 1 of them (``other_gathering_ids``): on every 清单 page of a
# department, compiled once.
_OTHER_GATHERING_IDS = Statement(
    lambda limit, **values: _elsewhere_union(**values)[: limit + 1],
    limit=SHAPE,
    reporter=(int,),
    departments=(int,),
    organisations=(int,),
    groups=(int,),
)


def other_gathering_ids(scope: Scope, *, limit: int = IDS_ONCE_LIMIT) -> Ids | None:
    """The ids of ``_elsewhere``, read once (one statement) for a page that queries the register several times and
    hands them to each (``gathering_visible_q(ids=…)``); None when there are none to read (a territory's people:
    their scope is a path) or more than ``limit``."""
    if scope.is_superuser:
        return None
    values = _elsewhere_values(scope)
    if not any(values.values()):
        return None
    # Read with one fetchall, not row by row through a queryset's iterator (~6,700 ids for a police officer at a
    # million: ~70 round trips of fetchmany and a Python object per value, ~6 ms).
    rows = _OTHER_GATHERING_IDS.rows(limit=limit, **values)
    if len(rows) > limit:
        return None
    return Ids(pk for (pk,) in rows if pk is not None)


def gathering_visible_q(
    scope: Scope,
    *,
    within: str | None = None,
    narrow: bool = False,
    ids: Ids | None = None,
    probe_ids: bool = True,
) -> Q:
    """Gatherings the user may see (``Gathering.objects.visible_to``; superusers never get here).

    ``within``: the list is already limited to that subtree. When it lies in the user's own territory the territory
    is the whole scope: the scope's OR (territory, own reports, assigned, shared) is left out (an empty ``Q``), so
    PostgreSQL estimates the rows of the territory-and-date range from the one index that serves it instead of
    guessing a handful and joining badly.

    The territory is a prefix match on the path. Everything else — one's own reports, what one's department or
    organisation holds a task on, what was shared with one's department — is, for a list over the whole register,
    one ``id IN (… UNION ALL …)``: PostgreSQL reads those few thousand ids once and fetches the gatherings by
    their key, instead of testing an OR of subqueries on every one of a hundred thousand rows. ``ids``: those ids
    already read by ``other_gathering_ids`` for this request — a page that counts, lists and maps reads them once
    instead of three times, and PostgreSQL, which estimated the union at 200 rows (a district bureau holds ~6,700
    at a million tasks) and fetched every one of them by key to sort them, sees how many there are: the page's
    rows come from walking the start index with the ids hashed, and stop at 50 (bench/run at 1M: 243 → 2 ms).
    For a list that one territory and a date range already narrow to a few hundred (``narrow``), each is tested
    directly (the department's tasks through an EXISTS on the task table's subject index). ``probe_ids=False``: the
    ids are only checked on the rows the statement's other conditions read (``crowdsafe.common.lookups.any_of``)."""
    from events.models import Gathering

    if within and scope.covers(within, TERRITORY_ROLES):
        return Q()
    territory = path_q(scope.paths_for(TERRITORY_ROLES), field="jurisdiction_path")
    if narrow:
        return (
            territory
            | (Q(reported_by_id=scope.user_id) if scope.user_id else NOTHING)
            | assigned_gathering_ids_q(scope, narrow=True)
            | granted_q(scope, Gathering, "view_gathering")
        )
    own, others = _elsewhere(scope)
    if others is None:
        return territory | own
    if ids is not None:
        return territory | own | any_of("pk", ids, probe=probe_ids)
    return territory | own | Q(pk__in=others)


def holds_task(scope: Scope, gathering) -> bool:
    if not scope.department_ids and not scope.organisation_ids:
        return False
    return Task.objects.filter(subject_type=SUBJECT_TYPE, subject_id=gathering.pk).filter(task_holder_q(scope)).exists()


def can_report_at(scope: Scope, obj) -> bool:
    """May the user log a gathering at the place ``obj`` names? ``obj`` is a gathering (saved or not: an import
    row builds an unsaved one) carrying the place as its ``grid`` and ``venue`` (None when it has none)."""
    if scope.covers(obj.grid.path):  # the territory people of the grid, or a department covering it
        return True
    venue = obj.venue
    return (
        venue is not None
        and venue.operator_id is not None
        and venue.operator_id in scope.organisation_ids_for(Role.VENUE_OPERATOR)
    )


def can_report(scope: Scope, obj=None) -> bool:
    """May the user log gatherings anywhere at all (to show the button)? ``obj`` is not used: the question is
    about no particular place."""
    return scope.is_superuser or bool(scope.paths_for()) or bool(scope.organisation_ids_for(Role.VENUE_OPERATOR))


def can_work(scope: Scope, obj) -> bool:
    """Field work on the gathering ``obj``: headcounts, measures, photos, ending."""
    if scope.covers(obj.jurisdiction_path, TERRITORY_ROLES):
        return True
    return holds_task(scope, obj)


def can_manage(scope: Scope, obj) -> bool:
    """Verify, confirm or dismiss, override the risk level, decide, merge, edit the gathering ``obj``."""
    if scope.covers(obj.jurisdiction_path, MANAGER_ROLES):
        return True
    police = scope.paths_for(DEPARTMENT_ROLES, department_kind=DepartmentKind.PUBLIC_SECURITY)
    if not police:
        return False
    if any(obj.jurisdiction_path.startswith(p) for p in police):
        return True
    return holds_task(scope, obj)


def can_edit(scope: Scope, obj) -> bool:
    """The reporter corrects their own report of ``obj`` until it is verified; managers edit an open record."""
    if obj.is_terminal:
        return False
    if scope.user_id is not None and obj.reported_by_id == scope.user_id and obj.status == "reported":
        return True
    return can_manage(scope, obj)
