"""The filters of the task queue and of the responsibility rules: one FilterSet each for the page's form, the API
and the selector (the shape is in ``crowdsafe.common.filters``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.filters import CheckboxFilter, IntegerFilter, ListFilterSet, TerritoryFilter
from crowdsafe.common.rendered import HtmlCache
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Department
from crowdsafe.workdays.selectors import add_working_days
from duties.access import held_q
from duties.choices import OUTSTANDING_VALUES, SubjectKind, TaskStatus
from duties.models import ResponsibilityRule, Task

DUE_SOON_DAYS = 3  # "due soon" on the overview and in the queue filter: due today or in the next three days
DONE_WINDOW_DAYS = 30  # the overview counts tasks completed in the last thirty days
DUE_SOON_WORKING_DAYS = 3  # the leaders' matrix: due today or within the next three working days (issue 17)


class DueFilter:
    OVERDUE = "overdue"
    SOON = "soon"
    SOON_WORKING = "soon_working"
    LATER = "later"


class StatusFilter:
    OUTSTANDING = "outstanding"
    ALL = "all"


class HeldFilter:
    MINE = "mine"
    AREA = "area"


HELD_CHOICES = [
    # Translators: the task list's tabs: 分配给我/本部门 · 辖区内其他任务
    (HeldFilter.MINE, _("Assigned to me / my department")),
    (HeldFilter.AREA, _("In my area")),
]


class PartyFilter:
    DEPARTMENT = "department"
    ORGANISATION = "organisation"
    JURISDICTION = "jurisdiction"
    UNASSIGNED = "unassigned"


UNASSIGNED_Q = Q(
    responsible_department__isnull=True, responsible_organisation__isnull=True, responsible_jurisdiction__isnull=True
)

STATUS_CHOICES = [
    (StatusFilter.OUTSTANDING, _("Outstanding (open, in progress, overdue)")),
    *TaskStatus.choices,
    (StatusFilter.ALL, _("All")),
]
DUE_CHOICES = [
    (DueFilter.OVERDUE, _("Overdue")),
    (DueFilter.SOON, _("Due within 3 days")),
    (DueFilter.SOON_WORKING, _("Due within 3 working days")),
    (DueFilter.LATER, _("Due later")),
]
PARTY_CHOICES = [
    (PartyFilter.DEPARTMENT, _("Departments")),
    (PartyFilter.JURISDICTION, _("Townships / streets")),
    (PartyFilter.ORGANISATION, _("Organizers and venue operators")),
    (PartyFilter.UNASSIGNED, _("Unassigned")),
]
PARTY_Q = {
    PartyFilter.DEPARTMENT: Q(responsible_department__isnull=False),
    PartyFilter.ORGANISATION: Q(responsible_organisation__isnull=False),
    PartyFilter.JURISDICTION: Q(responsible_jurisdiction__isnull=False),
    PartyFilter.UNASSIGNED: UNASSIGNED_Q,
}


class TaskFilterSet(ListFilterSet):
    """``q``: duty or subject contains; ``status``: ``outstanding`` (open, in progress, overdue: the default, also
    when the value is not valid), ``all`` or a task status; ``due`` (overdue / soon / later, as of the selector's
    ``today``); ``department``: the responsible department's id; ``party``: who holds the task; ``mine``: held by
    the user personally (the selector passes ``user``). Set by links from the overview and from subject pages,
    hidden on the page: ``responsible_jurisdiction`` (id), ``completed_within`` (days), ``subject_type`` and
    ``subject_id``."""

    q = django_filters.CharFilter(
        label=_("Duty or subject"),
        method="filter_search",
        max_length=64,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text="Duty or subject contains.",
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        empty_label=None,
        method="filter_status",
        help_text="Default: outstanding (open, in progress, overdue).",
    )
    due = django_filters.ChoiceFilter(
        label=_("Due"), choices=DUE_CHOICES, empty_label=_("Any due date"), method="filter_due"
    )
    department = IntegerFilter(
        field_name="responsible_department_id",
        label=_("Department"),
        min_value=1,
        widget=forms.Select,
        help_text="Responsible department id.",
    )
    party = django_filters.ChoiceFilter(
        label=_("Held by"), choices=PARTY_CHOICES, empty_label=_("Any holder"), method="filter_party"
    )
    mine = CheckboxFilter(label=_("Only mine"), method="filter_mine", help_text="Held by me personally.")
    held = django_filters.ChoiceFilter(
        label=_("Whose"),
        choices=HELD_CHOICES,
        empty_label=_("All"),
        method="filter_held",
        widget=forms.HiddenInput,
        help_text="mine: held by me, my departments or organisations, my jurisdiction; area: the rest I see.",
    )
    responsible_jurisdiction = IntegerFilter(
        field_name="responsible_jurisdiction_id", min_value=1, widget=forms.HiddenInput
    )
    completed_within = IntegerFilter(
        min_value=1,
        max_value=3660,
        widget=forms.HiddenInput,
        initial=DONE_WINDOW_DAYS,
        method="filter_completed_within",
        help_text="Days.",
    )
    subject_type = django_filters.ChoiceFilter(choices=SubjectKind.choices, empty_label="", widget=forms.HiddenInput)
    subject_id = IntegerFilter(min_value=1, widget=forms.HiddenInput)
    # Set by the leaders' responsibility matrix (dashboard, issue 17): a cell's list is these filters exactly.
    territory = TerritoryFilter(widget=forms.HiddenInput, help_text="Division code: tasks in its subtree.")
    at_jurisdiction = IntegerFilter(
        field_name="jurisdiction_id", min_value=1, widget=forms.HiddenInput, help_text="Tasks about this place itself."
    )
    department_kind = django_filters.ChoiceFilter(
        field_name="responsible_department__kind",
        choices=DepartmentKind.choices,
        widget=forms.HiddenInput,
        help_text="Held by a department of this kind.",
    )
    completed_from = django_filters.DateFilter(
        method="filter_completed_from", widget=forms.HiddenInput, help_text="Done on or after this day."
    )
    completed_to = django_filters.DateFilter(
        method="filter_completed_to", widget=forms.HiddenInput, help_text="Done on or before this day."
    )
    on_time = CheckboxFilter(method="filter_on_time", widget=forms.HiddenInput, help_text="Done by the due date.")

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args, departments: Iterable[Department] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.departments = [("", _("All departments")), *((d.pk, d.name) for d in departments)]

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.fields["department"].widget.choices = self.departments
        return form

    def status_value(self) -> str:
        """The status asked for, ``outstanding`` when none (or a malformed one) is given: it also sets the order."""
        return self.valid("status") or StatusFilter.OUTSTANDING

    def filter_queryset(self, queryset: QuerySet[Task]) -> QuerySet[Task]:
        queryset = super().filter_queryset(queryset)
        if not self.valid("status"):
            # Outstanding tasks unless another status is asked for (a status with an error counts as not given).
            queryset = self.filter_status(queryset, "status", StatusFilter.OUTSTANDING)
        return queryset

    def _today(self) -> dt.date:
        return self.context.get("today") or timezone.localdate()

    def filter_status(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        if value == StatusFilter.OUTSTANDING:
            return qs.filter(status__in=OUTSTANDING_VALUES)
        if value == StatusFilter.ALL:
            return qs
        return qs.filter(status=value)

    def filter_due(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        today = self._today()
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        if value == DueFilter.OVERDUE:
            return qs.filter(status__in=OUTSTANDING_VALUES, due_date__lt=today)
        if value == DueFilter.SOON:
            return qs.filter(status__in=OUTSTANDING_VALUES, due_date__gte=today, due_date__lte=soon)
        if value == DueFilter.SOON_WORKING:
            until = add_working_days(today, DUE_SOON_WORKING_DAYS).due
            return qs.filter(status__in=OUTSTANDING_VALUES, due_date__gte=today, due_date__lte=until)
        return qs.filter(due_date__gt=soon)

    def filter_party(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return qs.filter(PARTY_Q[value])

    def filter_completed_within(self, qs: QuerySet[Task], name: str, value: int) -> QuerySet[Task]:
        since = timezone.now() - dt.timedelta(days=value)
        return qs.filter(status=TaskStatus.DONE, completed_at__gte=since)

    # Done on a day: the day of ``completed_at`` in the city's time zone (the current one), as the matrix counts it.
    def filter_completed_from(self, qs: QuerySet[Task], name: str, value: dt.date) -> QuerySet[Task]:
        return qs.filter(status=TaskStatus.DONE, completed_at__date__gte=value)

    def filter_completed_to(self, qs: QuerySet[Task], name: str, value: dt.date) -> QuerySet[Task]:
        return qs.filter(status=TaskStatus.DONE, completed_at__date__lte=value)

    def filter_on_time(self, qs: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        if not value:
            return qs
        return qs.filter(status=TaskStatus.DONE, completed_at__date__lte=F("due_date"))

    def filter_mine(self, qs: QuerySet[Task], name: str, value: bool) -> QuerySet[Task]:
        if not value:
            return qs
        return qs.filter(responsible_person_id=getattr(self.context.get("user"), "pk", None))

    def filter_held(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        user = self.context.get("user")
        if user is None:
            return qs
        # Once per FilterSet: the task queue applies it to each of its branch reads.
        held = self.__dict__.get("_held_q")
        if held is None:
            held = self.__dict__["_held_q"] = held_q(get_scope(user))
        return qs.filter(held) if value == HeldFilter.MINE else qs.exclude(held)

    def filter_search(self, qs: QuerySet[Task], name: str, value: str) -> QuerySet[Task]:
        return qs.filter(Q(duty_name__icontains=value) | Q(subject_label__icontains=value))


# The queue's filter fields, rendered: (language, the rendered fields' values, the department choices) → HTML.
_QUEUE_FILTERS = HtmlCache("task queue filters")
#: What templates/duties/_queue_filters.html shows: six fields with their labels and errors, five hidden ones.
QUEUE_FILTER_FIELDS = (
    *("q", "status", "due", "department", "party", "mine"),
    *("held", "responsible_jurisdiction", "completed_within", "subject_type", "subject_id"),
)


def queue_filter_fields(filterset: TaskFilterSet) -> SafeString:
    """The task queue's filter fields as HTML, rendered once per language, filter values and department choices.

    Django renders a form field through templates (the field, its label, its widget, each ``<option>`` and its
    attributes: a dozen template renders per select): the queue's eleven fields cost about a quarter of the page's
    CPU time (issue 19). What they show depends only on the language, the values the request gives for them
    (their errors too: each is checked on its own value) and the department choices, so the HTML is kept per
    those (``crowdsafe.common.rendered.HtmlCache``; every list's fields are also kept one by one: ``CachedBoundField``
    in crowdsafe/common/filters.py). The common requests — the queue unfiltered, its next
    pages, the tabs — then render no form field at all."""
    data = filterset.data
    values = tuple(
        (name, tuple(data.getlist(name)) if hasattr(data, "getlist") else data.get(name))
        for name in QUEUE_FILTER_FIELDS
    )
    key = (get_language(), values, tuple((value, str(label)) for value, label in filterset.departments))
    return _QUEUE_FILTERS.get(key, lambda: render_to_string("duties/_queue_filters.html", {"form": filterset.form}))


class RuleFilterSet(ListFilterSet):
    """``subject_type``; ``active``: active rules only (API; the rules page lists them all)."""

    subject_type = django_filters.ChoiceFilter(choices=SubjectKind.choices)
    active = CheckboxFilter(field_name="is_active", help_text="Only active rules.")

    class Meta:
        model = ResponsibilityRule
        fields: list[str] = []
