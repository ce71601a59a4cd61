"""``{% subject_tasks obj %}``: the duties about one subject (a venue, a gathering, a permit application …) on
that subject's page: what is owed, by whom, by when, and why.

The caller has already checked that the user may see ``obj``; the duties about a visible subject are shown to
them (who must do what is part of the record), but only the tasks the user may open are links.

``{% task_rows tasks with_select %}``: the rows of the task queue's table, rendered in Python
(``crowdsafe.common.html``). The queue shows 50 rows of a dozen values each; written in the template, each row cost
seven ``{% translate %}`` lookups, a ``{% url %}`` (``reverse()``) and the engine's per-variable lookups, escaping
and localisation: most of the page's server time at city scale (issue 19, bench/run). Here the column words are
translated and the task URL's prefix reversed once per table. The markup is the template's, escaped the same way.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crowdsafe.common.api import paths_of
from crowdsafe.common.html import escape, format_html, format_rows, format_words
from crowdsafe.common.labels import labels_of
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


@register.simple_tag
def options(choices) -> SafeString:
    """``<option>`` of each (value, label): the heads' bulk form lists every department of the city (136 in the demo
    city), an option each, without a template loop."""
    return format_rows("", '<option value="{}">{}</option>', choices)


STATUS_BADGES = {"done": "badge badge-done", "cancelled": "badge badge-muted"}  # the others: "badge"


def _status_badge(task: Task, overdue_word: str, statuses: dict) -> SafeString:
    label = statuses.get(task.status, task.status)
    if task.is_overdue:
        if task.status == "in_progress":
            return format_html(
                '<span class="badge badge-overdue">{}</span> <span class="badge">{}</span>', overdue_word, label
            )
        return format_html('<span class="badge badge-overdue">{}</span>', overdue_word)
    return format_html('<span class="{}">{}</span>', STATUS_BADGES.get(task.status, "badge"), label)


@register.simple_tag
def task_rows(tasks, with_select: bool = False) -> SafeString:
    """The ``<tr>`` of each task of the queue (``duties.selectors.task_queue``: annotated ``is_overdue``, joined to
    the jurisdiction, the holder and the person); ``with_select``: the heads' checkbox column."""
    path = paths_of("duties:detail")
    # The labels of the active language, looked up once for the rows (not three times a row).
    subject_types, bases, statuses = (
        labels_of(Task._meta.get_field(name)) for name in ("subject_type", "basis", "status")
    )
    # Each cell names its column (data-label, the header's words): on a phone the rows are cards (app.css).
    select, due, duty, subject, held_by, basis, status = format_words(
        _("Select"), _("Due"), _("Duty"), _("Subject"), _("Held by"), _("Basis"), _("Status")
    )
    overdue_word = _("Overdue")
    checkbox = f'<td><input type="checkbox" name="tasks" value="{{}}" aria-label="{select} {{}}"></td>'
    row_format = (
        '<tr class="{}" data-task="{}">'
        + (checkbox if with_select else "")
        + f'<td class="nowrap{{}}" data-label="{due}"><time datetime="{{}}">{{}}</time></td>'
        f'<td data-label="{duty}"><a href="{{}}">{{}}</a></td>'
        f'<td data-label="{subject}">{{}} <span class="muted small">{{}} · {{}}</span></td>'
        f'<td class="hide-narrow" data-label="{held_by}">{{}}{{}}</td>'
        f'<td class="hide-narrow" data-label="{basis}">{{}}</td>'
        f'<td class="nowrap" data-label="{status}">{{}}</td></tr>'
    )

    def row(task: Task) -> tuple:
        due_date = task.due_date.isoformat()
        person = task.responsible_person
        return (
            "task-overdue" if task.is_overdue else "",
            task.pk,
            *((task.pk, task.duty_name) if with_select else ()),
            " due-overdue" if task.is_overdue else "",
            due_date,
            due_date,
            path(task.pk),
            task.duty_name,
            task.subject_label,
            subject_types.get(task.subject_type, task.subject_type),
            task.jurisdiction.name,
            task.holder_label,
            format_html(' <span class="muted small">· {}</span>', person.display_name) if person else "",
            bases.get(task.basis, task.basis),
            _status_badge(task, overdue_word, statuses),
        )

    return format_rows("\n", row_format, (row(task) for task in tasks))


@register.simple_tag
def overview_rows(rows, held: str, outstanding: str, due_soon: str, overdue: str, done: str) -> SafeString:
    """The ``<tr>`` of each holder of the responsibility overview (``duties.selectors.OverviewRow``), with the
    markup and whitespace the template's loop wrote. A city's overview has a few hundred holders, four count links
    each: in the template each row cost about seventy variable lookups, escapes and localisations (a third of the
    page's time at a million outstanding tasks, issue 19). The column words (each cell's ``data-label``) are the
    template's, given once; each row's links are its filters encoded once (``OverviewRow``); the text and the links
    are escaped as the template escapes them, the counts written as it writes them."""
    held, outstanding, due_soon, overdue, done = (escape(word) for word in (held, outstanding, due_soon, overdue, done))
    # An int as ``{{ }}`` writes it: without a thousand separator, its digits (what localize() returns then).
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    cell = '              <td class="num" data-label="{}"><a class="count-link{}" href="{}">{}</a></td>\n'
    parts: list[str] = []
    for r in rows:
        parts += (
            f'\n            <tr class="{"task-overdue" if r.overdue else ""}" data-row="{escape(r.party)}">\n'
            f'              <td data-label="{held}">{escape(r.label)} <span class="muted small">'
            f"{escape(r.detail)}</span></td>\n",
            cell.format(outstanding, "" if r.open else " count-zero", escape(r.open_url), number(r.open)),
            cell.format(due_soon, "" if r.due_soon else " count-zero", escape(r.due_soon_url), number(r.due_soon)),
            cell.format(
                overdue,
                " count-overdue" if r.overdue else " count-zero",
                escape(r.overdue_url),
                number(r.overdue),
            ),
            cell.format(done, "" if r.done else " count-zero", escape(r.done_url), number(r.done)),
            "            </tr>\n          ",
        )
    return mark_safe("".join(parts))  # every value above escaped
