"""The task queue's page of rows is read branch by branch of the visibility rule (issue 19: at a million tasks a
department's queue walked the city's outstanding tasks by due date to keep its 50): one ordered, limited read per
holder — each department, organisation, the person, each territory, the shares — combined with ``UNION ALL``.
Same rows in the same order as the plain query, for every user, filter and page; a task in two branches once; the
count and a queryset changed afterwards read as before."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.services import grant_to_department
from duties.access import task_queue_visibility, task_visible_branches
from duties.models import Task
from duties.selectors import task_queue
from tests.duties.conftest import EVENT_DAY, make_tasks
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

RULE = "旅游景区人员聚集活动安全管理"
FILTERS = [
    {},
    {"due": "overdue"},
    {"due": "later"},
    {"status": "all"},
    {"status": "done"},
    {"status": "cancelled"},
    {"status": "in_progress"},
    {"q": "场所1"},
    {"held": "mine"},
    {"held": "area"},
    {"mine": "on"},
    {"party": "department"},
]
SLICES = [(0, 7), (7, 14), (3, 20), (0, 50), (45, 60)]


@pytest.fixture
def tasks(linzhou, linzhou_users):
    """Tasks of three departments, an organisation and nobody, in the county, two townships and a village, of every
    status, with many due dates shared (the order's ties fall to the id); some held by a person of another branch
    (in two branches), some shared with a department."""
    culture = make_tasks(30, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, start_id=1)
    fire = make_tasks(25, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, start_id=100)
    make_tasks(12, rule_name=RULE, jurisdiction=linzhou.town, department=linzhou.fire, status="done", start_id=200)
    make_tasks(6, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, status="cancelled")
    health = make_tasks(10, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.health, start_id=300)
    nobody = make_tasks(8, rule_name=RULE, jurisdiction=linzhou.linzhou, start_id=400)
    Task.objects.filter(status="cancelled").update(cancelled_at=timezone.now())
    for i, task in enumerate(Task.objects.filter(status="done").order_by("id")):
        task.completed_at = dt.datetime(2026, 11, 1 + i % 4, tzinfo=dt.UTC)
        task.save(update_fields=["completed_at"])
    Task.objects.filter(pk__in=[t.pk for t in culture[::7]]).update(status="in_progress")
    # Held by culture's staff member personally: fire's (person and department: two branches of fire's own
    # people), culture's (the same task in the department's and the person's branch).
    Task.objects.filter(pk__in=[t.pk for t in fire[:6] + culture[:3]]).update(
        responsible_person=linzhou_users.culture_staff
    )
    Task.objects.filter(pk__in=[t.pk for t in nobody[:4]]).update(
        responsible_organisation=linzhou.operator, party_kind="organisation"
    )
    for task in health[:3]:
        grant_to_department(obj=task, codename="view_task", department=linzhou.culture, actor=None)
    return Task.objects.all()


@pytest.fixture
def users(linzhou, linzhou_users):
    two = member(UserFactory(username="lz_two_departments"), role=Role.STAFF, department=linzhou.culture).user
    member(two, role=Role.STAFF, department=linzhou.fire)
    return [
        linzhou_users.culture_staff,  # department, person, shares
        linzhou_users.culture_head,
        two,  # two departments, each read in order from its own index
        linzhou_users.fire_staff,
        linzhou_users.township_officer,  # territory and person
        linzhou_users.leader,
        linzhou_users.operator,  # organisation and person
        linzhou_users.outsider,
    ]


def _page(qs, start: int, stop: int) -> list[tuple[int, bool]]:
    return [(task.pk, task.is_overdue) for task in qs[start:stop]]


def test_each_page_has_the_rows_of_the_plain_query(tasks, users):
    checked = 0
    for user in users:
        for filters in FILTERS:
            queue = task_queue(user=user, filters=filters, today=EVENT_DAY)
            plain = queue.all()  # a clone: read as written, without the branches
            everything = [task.pk for task in plain]
            assert len(everything) == len(set(everything))
            for start, stop in SLICES:
                rows = _page(queue, start, stop)
                assert rows == _page(plain, start, stop), (user.username, filters, start, stop)
                assert len({pk for pk, _overdue in rows}) == len(rows)
                checked += bool(rows)
    assert checked > 200  # the pages compared hold rows, not only empty ones


def test_paging_through_the_queue_gives_every_task_once_in_order(tasks, linzhou_users):
    for user, filters in (
        (linzhou_users.culture_staff, {}),
        (linzhou_users.culture_staff, {"status": "all"}),
        (linzhou_users.fire_staff, {"status": "done"}),
    ):
        queue = task_queue(user=user, filters=filters, today=EVENT_DAY)
        paginator = Paginator(queue, 7)
        read = [task.pk for number in paginator.page_range for task in paginator.page(number)]
        assert read == [task.pk for task in queue.all()]
        assert paginator.count == len(read) > 7


def test_the_page_is_one_statement_of_ordered_limited_reads_per_holder(tasks, linzhou, users):
    two = users[2]
    queue = task_queue(user=two, today=EVENT_DAY)
    shared = sorted(Task.objects.filter(responsible_department=linzhou.health).values_list("pk", flat=True))[:3]
    with CaptureQueriesContext(connection) as ctx:
        rows = list(queue[10:20])
    assert len(rows) == 10
    assert len(ctx.captured_queries) == 1
    sql = ctx.captured_queries[0]["sql"]
    assert '"id" = ANY(ARRAY((SELECT' in sql
    assert sql.count("UNION ALL") == 3  # culture, fire, the person, the shares
    assert sql.count("LIMIT 20") == 4 and sql.endswith("LIMIT 10 OFFSET 10")
    for holder in (
        f'"responsible_department_id" = {linzhou.culture.pk}',
        f'"responsible_department_id" = {linzhou.fire.pk}',
        f'"responsible_person_id" = {two.pk}',
        f'"id" IN ({", ".join(map(str, shared))})',
    ):
        assert sql.count(holder) == 1, holder
    assert '"responsible_department_id" IN' not in sql  # no OR of holders left to read


def test_the_count_and_a_changed_queryset_read_as_before(tasks, linzhou_users):
    queue = task_queue(user=linzhou_users.culture_staff, today=EVENT_DAY)
    with CaptureQueriesContext(connection) as ctx:
        count = queue.count()
        narrowed = list(queue.filter(due_date__gte=EVENT_DAY)[:5])
    assert "UNION" not in ctx.captured_queries[0]["sql"] and "UNION" not in ctx.captured_queries[1]["sql"]
    assert count == len(list(queue.all()))
    assert [t.pk for t in narrowed] == [t.pk for t in queue.all() if t.due_date >= EVENT_DAY][:5]


def test_a_superuser_reads_the_plain_query(tasks):
    admin = UserFactory(username="lz_root", is_superuser=True)
    with CaptureQueriesContext(connection) as ctx:
        rows = list(task_queue(user=admin, today=EVENT_DAY)[:10])
    assert len(rows) == 10 and "UNION" not in ctx.captured_queries[-1]["sql"]


def test_the_branches_together_are_the_rule(tasks, users):
    for user in users:
        branches = task_visible_branches(get_scope(user))
        together = Task.objects.filter(functools.reduce(operator.or_, branches))
        assert set(together.values_list("pk", flat=True)) == set(
            Task.objects.visible_to(user).values_list("pk", flat=True)
        )


def test_the_queue_page_reads_its_rows_by_branch(tasks, linzhou_users, monkeypatch):
    monkeypatch.setattr("duties.views.PAGE_SIZE", 10)
    client = Client()
    client.force_login(linzhou_users.culture_staff)
    client.get(reverse("duties:queue"))
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("duties:queue"), {"status": "all", "page": 2}).content.decode()
    assert sum("UNION ALL" in q["sql"] for q in ctx.captured_queries) == 1
    queue = task_queue(user=linzhou_users.culture_staff, filters={"status": "all"})
    want = [t.pk for t in queue.all()[10:20]]
    assert len(want) == 10 and [int(pk) for pk in re.findall(r'data-task="(\d+)"', body)] == want


def test_the_queue_as_it_opens_is_compiled_once_for_every_user(tasks, users, monkeypatch):
    """The queue with no filter but its status (what everyone opens) is read by statements compiled once per shape of
    the visibility rule (how many departments, organisations, territories, shares), not per user or request: a page
    and the count are what the plain query gives."""
    from duties import selectors
    from tests.helpers.statements import counted_builds

    pages = counted_builds(selectors._QUEUE_PAGE, monkeypatch)
    counts = counted_builds(selectors._QUEUE_COUNT, monkeypatch)
    shapes = set()
    rounds = []
    for _ in range(2):
        for user in users:
            for filters in ({}, {"status": "done"}, {"status": "all"}):
                queue = task_queue(user=user, filters=filters, today=EVENT_DAY)
                plain = queue.all()
                assert _page(queue, 0, 7) == _page(plain, 0, 7), (user.username, filters)
                assert queue.count() == len(list(plain)), (user.username, filters)
                values = task_queue_visibility(user).values
                if values is not None:
                    shapes.add((filters.get("status"), tuple(len(v) for v in values.values())))
        rounds.append(len(pages) + len(counts))
    # Each shape: the page (one slice) and the count, each compiled twice with stand-ins; the second round none.
    assert 0 < rounds[0] <= 2 * 2 * len(shapes)
    assert rounds[1] == rounds[0]


def test_a_filtered_queue_is_read_by_the_orm(tasks, linzhou_users, monkeypatch):
    from duties import selectors

    monkeypatch.setattr(selectors, "_default_queue", None)  # would fail if called
    queue = task_queue(user=linzhou_users.culture_staff, filters={"due": "overdue"}, today=EVENT_DAY)
    assert _page(queue, 0, 5) == _page(queue.all(), 0, 5)
