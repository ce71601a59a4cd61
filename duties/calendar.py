"""What the working-day calendar needs to know about tasks: whether a user's own deadlines fall in a year whose
holiday schedule is not entered (registered with ``crowdsafe.workdays.selectors.register_affected_deadlines``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from crowdsafe.org.access import get_scope
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task


def has_tasks_due_in(user: Any, years: Sequence[int]) -> bool:
    """An outstanding task held by the user or one of their departments, due in one of ``years``."""
    if not getattr(user, "is_authenticated", False):
        return False
    mine = Q(responsible_person=user) | Q(responsible_department_id__in=sorted(get_scope(user).department_ids))
    return Task.objects.filter(mine, status__in=OUTSTANDING_VALUES, due_date__year__in=list(years)).exists()
