"""Tags for other apps' pages: the task assignment sheet action on a task's page."""

from __future__ import annotations

from django import template

from crowdsafe.org.access import get_scope
from notices import selectors, services

register = template.Library()


@register.inclusion_tag("notices/_task_sheet_action.html", takes_context=True)
def task_sheet_action(context, task):
    """On a task's page: its assignment sheets, and the link to issue one for a head of the holding department."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "task": task,
        "may_issue": user is not None and services.can_issue_task_sheet(get_scope(user), task),
        "sheets": list(selectors.notices_for(task)),
    }
