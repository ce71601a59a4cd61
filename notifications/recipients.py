"""Who a reminder goes to, resolved for a whole batch of reminders in one query.

- A reminder before the deadline, on the day or while overdue goes to the assignee: the task's responsible person
  if one is named, else the holder's people — the holding department's staff (its heads if it has no staff), the
  holding organisation's organizers and operators, or the holding township's officers.
- The escalation after ``NOTIFICATIONS_ESCALATE_HEAD_AFTER`` working days goes to the heads of the holding
  department.
- The escalation after ``NOTIFICATIONS_ESCALATE_LEADER_AFTER`` working days goes to the leaders of the nearest
  jurisdiction, at or above the subject's, that has leaders (a township's task to the district's leaders if the
  township has none): the territory's leader (属地领导).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from crowdsafe.org.access import ancestor_paths
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Membership
from notifications.choices import ReminderKind


def _active(user) -> bool:
    return user is not None and user.is_active


def reminder_recipients(reminders: Iterable) -> dict[int, list]:
    """``{reminder id: [users]}`` for reminders whose ``task`` (with its holders) is loaded. One query."""
    reminders = list(reminders)
    dept_ids, org_ids, township_ids, paths = set(), set(), set(), set()
    for reminder in reminders:
        task = reminder.task
        if task.responsible_department_id:
            dept_ids.add(task.responsible_department_id)
        if task.responsible_organisation_id:
            org_ids.add(task.responsible_organisation_id)
        if task.responsible_jurisdiction_id:
            township_ids.add(task.responsible_jurisdiction_id)
        if reminder.kind == ReminderKind.ESCALATE_LEADER:
            paths.update(ancestor_paths(task.jurisdiction_path))
            paths.add(task.jurisdiction_path)
    q = Q(pk__in=[])
    if dept_ids:
        q |= Q(department_id__in=sorted(dept_ids), role__in=[Role.STAFF, Role.HEAD])
    if org_ids:
        q |= Q(organisation_id__in=sorted(org_ids))
    if township_ids:
        # A township's officers; the city itself (a coverage gap's task) is held for its administrators.
        q |= Q(jurisdiction_id__in=sorted(township_ids), role__in=[Role.TOWNSHIP_OFFICER, Role.ADMIN])
    if paths:
        q |= Q(jurisdiction__path__in=sorted(paths), role=Role.LEADER)
    staff, heads, org_people, officers = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    leaders = defaultdict(list)
    if dept_ids or org_ids or township_ids or paths:
        memberships = (
            Membership.objects.filter(q, user__is_active=True)
            .select_related("user", "jurisdiction")
            .order_by("user__full_name", "user__username", "id")
        )
        for m in memberships:
            if m.department_id in dept_ids and m.role == Role.STAFF:
                staff[m.department_id].append(m.user)
            elif m.department_id in dept_ids and m.role == Role.HEAD:
                heads[m.department_id].append(m.user)
            elif m.organisation_id in org_ids:
                org_people[m.organisation_id].append(m.user)
            elif m.jurisdiction_id in township_ids and m.role in (Role.TOWNSHIP_OFFICER, Role.ADMIN):
                officers[m.jurisdiction_id].append(m.user)
            if m.role == Role.LEADER and m.jurisdiction_id and m.jurisdiction.path in paths:
                leaders[m.jurisdiction.path].append(m.user)

    result: dict[int, list] = {}
    for reminder in reminders:
        task = reminder.task
        if reminder.kind == ReminderKind.ESCALATE_HEAD:
            users = list(heads.get(task.responsible_department_id, ())) if task.responsible_department_id else []
        elif reminder.kind == ReminderKind.ESCALATE_LEADER:
            users = []
            # The nearest jurisdiction with leaders: the subject's own, then upwards.
            for path in [task.jurisdiction_path, *reversed(ancestor_paths(task.jurisdiction_path))]:
                if leaders.get(path):
                    users = list(leaders[path])
                    break
        elif _active(task.responsible_person):
            users = [task.responsible_person]
        elif task.responsible_department_id:
            users = list(staff.get(task.responsible_department_id) or heads.get(task.responsible_department_id) or ())
        elif task.responsible_organisation_id:
            users = list(org_people.get(task.responsible_organisation_id, ()))
        elif task.responsible_jurisdiction_id:
            users = list(officers.get(task.responsible_jurisdiction_id, ()))
        else:
            users = []
        seen, unique = set(), []
        for user in users:
            if user.pk not in seen:
                seen.add(user.pk)
                unique.append(user)
        result[reminder.pk] = unique
    return result


def fallback_leaders(task) -> list:
    """Who is told when nobody of a task's holder can be reached (never silent): the leaders of the nearest
    jurisdiction, at or above the subject's, that has leaders. One query."""
    paths = [task.jurisdiction_path, *reversed(ancestor_paths(task.jurisdiction_path))]
    by_path: dict[str, list] = defaultdict(list)
    for m in (
        Membership.objects.filter(jurisdiction__path__in=paths, role=Role.LEADER, user__is_active=True)
        .select_related("user", "jurisdiction")
        .order_by("user__full_name", "user__username", "id")
    ):
        by_path[m.jurisdiction.path].append(m.user)
    for path in paths:
        if by_path.get(path):
            return by_path[path]
    return []
