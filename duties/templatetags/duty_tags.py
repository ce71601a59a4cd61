"""``{% subject_tasks obj %}``: the duties about one subject (a venue, a gathering, a permit application …) on
that subject's page: what is owed, by whom, by when, and why.

The caller has already checked that the user may see ``obj``; the duties about a visible subject are shown to
them (who must do what is part of the record), but only the tasks the user may open are links.
"""

from __future__ import annotations

from django import template
from django.utils import timezone

from duties.choices import OUTSTANDING_VALUES
from duties.explain import explain
from duties.models import Task
from duties.selectors import task_list
from duties.subjects import UnknownSubjectError, registration_for

register = template.Library()

DEFAULT_LIMIT = 50


@register.filter
def explanation(task: Task) -> str:
    """The task's sentence in the reader's language, from its facts (the stored sentence for tasks made before
    the facts were kept)."""
    return explain(task.explanation_data) if task.explanation_data else task.explanation


@register.inclusion_tag("duties/_subject_tasks.html", takes_context=True)
def subject_tasks(context, obj, limit: int = DEFAULT_LIMIT):
    try:
        subject_type = registration_for(obj).name
    except UnknownSubjectError:
        return {"tasks": [], "truncated": False}
    tasks = list(
        Task.objects.filter(subject_type=subject_type, subject_id=obj.pk)
        .select_related("responsible_department", "responsible_organisation", "responsible_jurisdiction")
        .order_by("-period", "due_date", "pk")[: limit + 1]
    )
    request = context.get("request")
    user = getattr(request, "user", None)
    openable: set[int] = set()
    if user is not None and user.is_authenticated and tasks:
        openable = set(task_list(user=user).filter(pk__in=[t.pk for t in tasks]).values_list("pk", flat=True))
    today = timezone.localdate()
    rows = [
        {
            "task": task,
            "openable": task.pk in openable,
            "overdue": task.status in OUTSTANDING_VALUES and task.due_date < today,
            "outstanding": task.status in OUTSTANDING_VALUES,
        }
        for task in tasks[:limit]
    ]
    return {"rows": rows, "truncated": len(tasks) > limit, "limit": limit}
