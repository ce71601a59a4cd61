"""Who may read which deliveries (the delivery log).

A delivery is read by its recipient, by the heads of the department it was sent for, and by the leaders and
administrators whose territory holds that department (``delivery_visible_q``, the rule of
``Delivery.objects.visible_to``). A notification is read only by its recipient: the inbox is the user's own, for
superusers too, so it is a plain ``recipient`` filter rather than a visibility rule.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from crowdsafe.org.access import NOTHING, OVERSIGHT_ROLES, Scope, in_q, path_q
from crowdsafe.org.choices import Role


def delivery_visible_q(scope: Scope) -> Q:
    """The rule of ``Delivery.objects.visible_to`` (superusers never get here)."""
    if scope.user_id is None:
        return NOTHING
    q = in_q(scope.head_of_department_ids, field="department_id")
    oversight = scope.paths_for(OVERSIGHT_ROLES)
    if oversight:
        q |= path_q(oversight, field="department__jurisdiction__path")
    return q | Q(recipient_id=scope.user_id)


def can_see_delivery_log(scope: Scope, obj: Any = None) -> bool:
    """The delivery log (its page and menu entry): heads, leaders, administrators and superusers, those with a
    department's log to read. ``obj`` is unused: the log is of every department the user may read."""
    return scope.is_superuser or scope.has_role(Role.HEAD, *OVERSIGHT_ROLES)
