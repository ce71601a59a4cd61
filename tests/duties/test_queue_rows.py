"""The task queue's rows and the task list API's items, written out for speed (issue 19: list pages near their
floor): the rows ``{% task_rows %}`` renders are the markup the queue template wrote, for tasks of every kind and
with names that need escaping; the queue reverses and translates nothing per row; the list serializer's
hand-written ``to_representation`` gives what DRF's generic one gives."""

from __future__ import annotations

import datetime as dt
import html
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.urls.resolvers import URLResolver
from django.utils import timezone, translation

from crowdsafe.org.models import Department, Jurisdiction, Organisation
from duties.api.serializers import TaskOutputSerializer
from duties.models import Task
from duties.templatetags.duty_tags import task_rows
from tests.duties.conftest import make_tasks
from tests.helpers.serializers import assert_items_are_drfs

# The queue's rows as templates/duties/queue.html wrote them before {% task_rows %} (the reference).
FORMER_ROWS = """{% load i18n %}{% for task in tasks %}
  <tr class="{% if task.is_overdue %}task-overdue{% endif %}" data-task="{{ task.pk }}">
    {% if is_head %}<td><input type="checkbox" name="tasks" value="{{ task.pk }}" aria-label="{% translate 'Select' %} {{ task.duty_name }}"></td>{% endif %}
    <td class="nowrap{% if task.is_overdue %} due-overdue{% endif %}" data-label="{% translate 'Due' %}"><time datetime="{{ task.due_date|date:'Y-m-d' }}">{{ task.due_date|date:"Y-m-d" }}</time></td>
    <td data-label="{% translate 'Duty' %}"><a href="{% url 'duties:detail' task.pk %}">{{ task.duty_name }}</a></td>
    <td data-label="{% translate 'Subject' %}">{{ task.subject_label }} <span class="muted small">{{ task.get_subject_type_display }} · {{ task.jurisdiction.name }}</span></td>
    <td class="hide-narrow" data-label="{% translate 'Held by' %}">{{ task.holder_label }}{% if task.responsible_person %} <span class="muted small">· {{ task.responsible_person.display_name }}</span>{% endif %}</td>
    <td class="hide-narrow" data-label="{% translate 'Basis' %}">{{ task.get_basis_display }}</td>
    <td class="nowrap" data-label="{% translate 'Status' %}">{% if task.is_overdue %}<span class="badge badge-overdue">{% translate "Overdue" %}</span>{% if task.status == "in_progress" %} <span class="badge">{{ task.get_status_display }}</span>{% endif %}{% elif task.status == "done" %}<span class="badge badge-done">{{ task.get_status_display }}</span>{% elif task.status == "cancelled" %}<span class="badge badge-muted">{{ task.get_status_display }}</span>{% else %}<span class="badge">{{ task.get_status_display }}</span>{% endif %}</td>
  </tr>
{% endfor %}"""  # noqa: E501


def _tags_only(html: str) -> str:
    """The markup without the line breaks and indentation between tags (the template's layout)."""
    return re.sub(r">\s*\n\s*<", "><", str(html)).strip()


def _tasks() -> list[Task]:
    """Tasks of every status and holder, overdue or not, with and without a person; names to be escaped."""
    place = Jurisdiction(pk=7, code="410502001", name="东大街街道 <b>&</b>")
    holders = [
        {"responsible_department": Department(pk=3, name='文峰区消防救援大队 "{x}"')},
        {"responsible_organisation": Organisation(pk=4, name="人民广场管理有限公司 <i>")},
        {"responsible_jurisdiction": Jurisdiction(pk=8, code="410502002", name="南关街道")},
        {},  # unassigned
    ]
    person = get_user_model()(pk=11, username="p", full_name="张三 <script>")
    tasks = []
    pk = 100
    for status in ("open", "in_progress", "overdue", "done", "cancelled"):
        for overdue in (False, True):
            for i, holder in enumerate(holders):
                pk += 1
                task = Task(
                    pk=pk,
                    subject_type=["venue", "gathering", "hazard", "permit_application"][i],
                    subject_id=pk,
                    subject_label=f"主体{pk} <&> {{}}",
                    jurisdiction=place,
                    duty_name=f"职责 {pk} '\"<x>",
                    basis=["approver", "territorial", "industry", "venue_operator"][i],
                    due_date=dt.date(2026, 12, 1) + dt.timedelta(days=pk % 9),
                    status=status,
                    responsible_person=person if pk % 3 == 0 else None,
                    **holder,
                )
                task.is_overdue = overdue
                tasks.append(task)
    return tasks


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("is_head", [False, True])
def test_the_rows_are_the_templates_markup(language, is_head):
    tasks = _tasks()
    with translation.override(language):
        former = engines["django"].from_string(FORMER_ROWS).render({"tasks": tasks, "is_head": is_head})
        rows = task_rows(tasks, is_head)
    assert _tags_only(rows) == _tags_only(former)
    assert rows.count("<tr ") == len(tasks)


def _counting_reverses():
    calls = []
    real = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    return calls, mock.patch.object(URLResolver, "_reverse_with_prefix", counted)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["culture_staff", "culture_head"])
def test_the_queue_reverses_no_url_per_row(linzhou, linzhou_users, role):
    """Each row's link is the detail URL's prefix and the id: 3 rows or 50, the page reverses the same URLs."""
    client = Client()
    client.force_login(getattr(linzhou_users, role))
    make_tasks(3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client.get(reverse("duties:queue"))
    calls, patch = _counting_reverses()
    with patch:
        few = client.get(reverse("duties:queue")).content.decode()
    few_calls = list(calls)
    make_tasks(
        57,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        start_id=30_000,
    )
    calls.clear()
    with patch:
        many = client.get(reverse("duties:queue")).content.decode()
    assert (few.count('data-task="'), many.count('data-task="')) == (3, 50)
    assert sorted(calls) == sorted(few_calls)
    task = Task.objects.order_by("due_date", "id").first()
    assert f'<a href="{reverse("duties:detail", args=[task.pk])}">' in many


@pytest.mark.django_db
def test_the_rows_look_the_labels_up_once(linzhou, monkeypatch):
    """The subject type's, the basis's and the status's labels of the active language are read once for the rows."""
    from crowdsafe.common import labels

    make_tasks(4, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    tasks = list(Task.objects.select_related("jurisdiction", "responsible_department", "responsible_person"))
    for task in tasks:
        task.is_overdue = False
    calls = []
    real = translation.get_language
    monkeypatch.setattr(labels, "get_language", lambda: calls.append(1) or real())
    task_rows(tasks[:1])
    once = len(calls)
    calls.clear()
    assert str(task_rows(tasks)).count('data-task="') == 4
    assert len(calls) == once


@pytest.mark.django_db
def test_the_list_serializer_gives_what_drf_gives(linzhou, linzhou_users):
    """The hand-written list item equals DRF's generic output field for field, for tasks of every status and
    holder, with dates and times set or not, explained from facts or from the stored sentence."""
    make_tasks(2, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    make_tasks(1, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, status="done", start_id=20)
    tasks = list(Task.objects.all())
    tasks[0].responsible_department = None
    tasks[0].responsible_organisation = linzhou.operator
    tasks[0].responsible_person = linzhou_users.culture_staff
    tasks[0].started_at = timezone.now()
    tasks[1].responsible_department = None
    tasks[1].responsible_jurisdiction = linzhou.town
    tasks[1].explanation_data = {"holder": "石板岩镇", "rule": "规则", "basis": "territorial", "due": "2026-12-01"}
    tasks[1].cancelled_at = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    tasks[2].is_overdue = True
    assert_items_are_drfs(TaskOutputSerializer, tasks, contexts=({"today": dt.date(2026, 12, 7)},))


@pytest.mark.django_db
def test_the_task_list_api_builds_its_filters_once(linzhou, linzhou_users):
    """The FilterSet the selector filters with is the one that refuses a malformed filter (18 filters and a form,
    deep-copied for each FilterSet made): one per request."""
    from rest_framework.test import APIClient

    from duties.filters import TaskFilterSet

    client = APIClient()
    client.force_authenticate(linzhou_users.culture_staff)
    made = []
    real = TaskFilterSet.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        real(self, *args, **kwargs)

    with mock.patch.object(TaskFilterSet, "__init__", counted):
        assert client.get(reverse("v1:task-list"), {"due": "overdue"}).status_code == 200
        assert len(made) == 1
        response = client.get(reverse("v1:task-list"), {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert len(made) == 2


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_queue_filter_fields_are_rendered_once_per_values_and_choices(language):
    """The memo gives what the form renders, for values valid and not; a request with the same values, language
    and department choices renders no form field; other values, choices or language are rendered anew."""
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from duties import filters as task_filters
    from duties.filters import TaskFilterSet, queue_filter_fields

    departments = [Department(pk=3, name="文峰区消防救援大队"), Department(pk=4, name="文峰区<公安>分局")]
    queries = [
        "",
        "page=2",
        "q=%3Cb%3E%E9%98%B2%E7%81%AB&status=all&due=overdue",
        "status=bogus&department=x&due=never&party=organisation",
        "department=4&mine=on&held=area&subject_type=venue&subject_id=9&completed_within=7",
        "responsible_jurisdiction=-1&q=" + "x" * 70,
    ]
    task_filters._QUEUE_FILTERS.clear()
    with translation.override(language):
        for query in queries:
            filterset = TaskFilterSet(QueryDict(query), departments=departments)
            expected = render_to_string("duties/_queue_filters.html", {"form": filterset.form})
            assert queue_filter_fields(TaskFilterSet(QueryDict(query), departments=departments)) == expected
        with mock.patch.object(task_filters, "render_to_string") as render:
            for query in queries:
                queue_filter_fields(TaskFilterSet(QueryDict(query), departments=departments))
            render.assert_not_called()
        renamed = [departments[0], Department(pk=4, name="文峰区公安分局")]
        html = queue_filter_fields(TaskFilterSet(QueryDict(""), departments=renamed))
        assert "文峰区公安分局" in html
        assert "&lt;公安&gt;" not in html
    with translation.override("en" if language != "en" else "zh-hans"):
        other = queue_filter_fields(TaskFilterSet(QueryDict(""), departments=departments))
        assert other == render_to_string(
            "duties/_queue_filters.html", {"form": TaskFilterSet(QueryDict(""), departments=departments).form}
        )


@pytest.mark.django_db
def test_the_heads_bulk_form_lists_departments_without_making_their_objects(linzhou, linzhou_users):
    """Every department of the city is an option of the heads' bulk form (136 in the demo city): read as (id, name),
    so the page makes as many Department objects with 30 more departments as without them."""
    from tests.factories import DepartmentFactory

    make_tasks(3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client = Client()
    client.force_login(linzhou_users.culture_head)
    client.get(reverse("duties:queue"))
    made = []
    real = Department.from_db.__func__

    def counted(cls, *args, **kwargs):
        made.append(cls)
        return real(cls, *args, **kwargs)

    with mock.patch.object(Department, "from_db", classmethod(counted)):
        client.get(reverse("duties:queue"))
        before = len(made)
        for i in range(30):
            DepartmentFactory(name=f"林州市第{i}局 <&>", jurisdiction=linzhou.linzhou)
        made.clear()
        body = client.get(reverse("duties:queue")).content.decode()
    assert len(made) == before
    assert (
        '<option value="{}">林州市第7局 &lt;&amp;&gt;</option>'.format(
            Department.objects.get(name="林州市第7局 <&>").pk
        )
        in body
    )


@pytest.mark.django_db
def test_the_heads_bulk_form_lists_the_people_of_their_departments_escaped(linzhou, linzhou_users):
    """The "to person" options: the staff and heads of the departments the user heads, name · department, each
    escaped; no one of another department (read in one statement compiled once, issue 19)."""
    make_tasks(2, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    staff = linzhou_users.culture_staff2
    staff.full_name = "王<五> & 'x'"
    staff.save()
    client = Client()
    client.force_login(linzhou_users.culture_head)
    body = client.get(reverse("duties:queue")).content.decode()
    person = re.search(r'<select name="person">(.*?)</select>', body, re.S).group(1)
    options = re.findall(r'<option value="(\d*)">([^<]*)</option>', person)
    department = html.escape(linzhou.culture.name)
    assert (str(staff.pk), f"王&lt;五&gt; &amp; &#x27;x&#x27; · {department}") in options
    ids = {int(value) for value, _ in options if value}
    assert ids == {linzhou_users.culture_staff.pk, linzhou_users.culture_head.pk, staff.pk}
