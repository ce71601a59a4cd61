"""Who may see and oversee an alert (DESIGN.md section 4).

See an alert: the people alerted of it and the one who raised it, the departments alerted through it (their staff
and heads), and the leaders and administrators of the territory it lies in; superusers everything. Oversee it (see
who acknowledged when): the sender, the territory's leaders and administrators, and the departments alerted.
"What reached us" of a department: its heads, and the leaders and administrators of its territory.
"""

from __future__ import annotations

from django.db.models import Q

from alerts.models import Alert
from crowdsafe.org.access import NOTHING, OVERSIGHT_ROLES, Scope, path_q
from crowdsafe.org.models import Department


def alert_visible_q(scope: Scope) -> Q:
    """The rule of ``Alert.objects.visible_to`` (superusers never get here). A subquery on the primary key, so
    that the join through the targets never repeats an alert."""
    if not scope.user_id:
        return NOTHING
    q = Q(targets__user_id=scope.user_id) | Q(raised_by_id=scope.user_id)
    if scope.department_ids:
        q |= Q(targets__department_id__in=sorted(scope.department_ids))
    oversight = scope.paths_for(OVERSIGHT_ROLES)
    if oversight:
        q |= path_q(oversight, field="jurisdiction_path")
    return Q(pk__in=Alert.objects.filter(q).values("pk"))


def can_oversee(scope: Scope, obj: Alert) -> bool:
    """The sender, the territory's leaders and the departments alerted see who acknowledged when (reads the
    alert's prefetched targets)."""
    return (
        scope.is_superuser
        or obj.raised_by_id == scope.user_id
        or scope.covers(obj.jurisdiction_path, OVERSIGHT_ROLES)
        or bool(scope.department_ids & {t.department_id for t in obj.targets.all() if t.department_id})
    )


def can_read_reached(scope: Scope, obj: Department) -> bool:
    """A department's "what reached us": its heads, and the leaders and administrators of its territory."""
    if scope.is_superuser or obj.pk in scope.head_of_department_ids:
        return True
    return scope.covers(obj.jurisdiction.path, OVERSIGHT_ROLES)
