"""The queue's outstanding counts read as what they show (issue 19): the unfiltered queue's count and the home
panel's area figures from the counters for the territory (``duties.counts``) plus the few tasks outside it that the
rest of the visibility rule shows; the panel's "assigned to me / my department" part from the holders' own indexes.
Same figures and rows as counting the tasks one by one, for a township officer and for a city-wide user who also
works in a department; no statement reads the territory's tasks (a city leader's panel read the city's outstanding
tasks twice, about a second at a million)."""

from __future__ import annotations

import json
import os

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.web.home import HomeContext, effective_roles
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from duties.panels import queue_context
from duties.selectors import queue_counts, task_queue
from tests.duties.conftest import make_tasks
from tests.factories import UserFactory, member
from tests.helpers.plans import plan_with_only

pytestmark = pytest.mark.django_db

RULE = "旅游景区人员聚集活动安全管理"
MANY = 300  # the area's tasks, held by a department: none of them may be read one by one


@pytest.fixture
def city_user(linzhou):
    """A city-wide user with a queue role: the city's leader who is also on the city's culture bureau staff."""
    user = member(UserFactory(username="aa_city_leader_staff"), role=Role.LEADER, jurisdiction=linzhou.anyang).user
    member(user, role=Role.STAFF, department=linzhou.city_culture)
    return user


@pytest.fixture
def tasks(linzhou, linzhou_users, city_user):
    today = timezone.localdate()
    officer = linzhou_users.township_officer
    make_tasks(MANY, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, due=today)
    territorial = make_tasks(5, rule_name=RULE, jurisdiction=linzhou.village, due=today, start_id=1000)
    Task.objects.filter(pk__in=[t.pk for t in territorial]).update(
        responsible_jurisdiction=linzhou.town, party_kind="territorial"
    )
    make_tasks(4, rule_name=RULE, jurisdiction=linzhou.town, department=linzhou.township_gov, due=today, start_id=1100)
    # The officer's own, outside the township: seen through the person, not the territory.
    own = make_tasks(3, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, due=today, start_id=1200)
    Task.objects.filter(pk__in=[t.pk for t in own]).update(responsible_person=officer)
    make_tasks(20, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, due=today, start_id=1300)
    make_tasks(
        6, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.city_culture, due=today, start_id=1400
    )
    make_tasks(
        10, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, status="done", start_id=2000
    )
    # The city itself holds one (a territorial duty of the city): the city user's own.
    city_held = make_tasks(1, rule_name=RULE, jurisdiction=linzhou.town, due=today, start_id=3000)
    Task.objects.filter(pk__in=[t.pk for t in city_held]).update(responsible_jurisdiction=linzhou.anyang)
    return Task.objects.all()


def _home(user) -> HomeContext:
    request = RequestFactory().get("/")
    request.user = user
    scope = get_scope(user)
    return HomeContext(
        request=request, user=user, scope=scope, roles=effective_roles(user, scope), today=timezone.localdate()
    )


def _figures(tasks, today) -> dict[str, int]:
    tasks = list(tasks.filter(status__in=OUTSTANDING_VALUES))
    return {
        "open": len(tasks),
        "overdue": sum(t.due_date < today for t in tasks),
        "due_soon": sum(today <= t.due_date <= today + timezone.timedelta(days=3) for t in tasks),
    }


def _rows_read_from_tasks(statements: list[str]) -> int:
    """The most rows any scan of duties_task returned in these statements (EXPLAIN ANALYZE)."""
    most = 0

    def walk(node):
        nonlocal most
        if node.get("Relation Name") == "duties_task":
            most = max(most, node["Actual Rows"] * node.get("Actual Loops", 1))
        for child in node.get("Plans", []):
            walk(child)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE duties_task")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few hundred rows: a scan would be the cheapest read
        for sql in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            if os.environ.get("SHOW_PLANS"):
                print(sql[:300], json.dumps(plan, indent=1))
            walk((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    return most


@pytest.mark.parametrize("who", ["township_officer", "city_user"])
def test_the_panel_shows_the_held_and_the_area_figures_without_reading_the_area(
    tasks, linzhou, linzhou_users, city_user, who
):
    user = city_user if who == "city_user" else getattr(linzhou_users, who)
    today = timezone.localdate()
    visible = Task.objects.visible_to(user)
    if who == "township_officer":
        held = (
            visible.filter(responsible_jurisdiction=linzhou.town)
            | visible.filter(responsible_department=linzhou.township_gov)
            | visible.filter(responsible_person=user)
        )
    else:
        held = visible.filter(responsible_department=linzhou.city_culture) | visible.filter(
            responsible_jurisdiction=linzhou.anyang
        )
    mine = _figures(held, today)
    area = _figures(visible.exclude(pk__in=held.values("pk")), today)
    assert mine["open"] == (12 if who == "township_officer" else 7)
    assert area["open"] >= MANY
    with CaptureQueriesContext(connection) as captured:
        context = queue_context(_home(user))
    assert context["mine"]["counts"] == mine
    shown = context["area"]["counts"]  # the template shows the area's outstanding and overdue tasks
    assert {"open": shown["open"], "overdue": shown["overdue"]} == {"open": area["open"], "overdue": area["overdue"]}
    expected = held.filter(status__in=OUTSTANDING_VALUES).order_by("due_date", "id").values_list("pk", flat=True)
    assert [t.pk for t in context["mine"]["tasks"]] == list(expected[:5])
    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) <= 6, "\n".join(s[:150] for s in statements)
    assert _rows_read_from_tasks([s for s in statements if '"duties_task"' in s]) < 40


@pytest.mark.parametrize("who", ["township_officer", "city_user", "leader", "culture_staff", "operator"])
def test_the_unfiltered_queue_counts_what_the_user_sees(tasks, linzhou_users, city_user, who):
    user = city_user if who == "city_user" else getattr(linzhou_users, who)
    today = timezone.localdate()
    seen = Task.objects.visible_to(user)
    assert queue_counts(user=user, today=today) == _figures(seen, today)
    queue = task_queue(user=user, today=today)
    expected = seen.filter(status__in=OUTSTANDING_VALUES).count()
    with CaptureQueriesContext(connection) as captured:
        assert queue.count() == expected
    if who in ("township_officer", "city_user", "leader"):  # a territory of townships or larger: the counters
        [statement] = [q["sql"] for q in captured.captured_queries]
        assert "duties_taskcount" in statement
        assert _rows_read_from_tasks([statement]) < 40


def test_the_queue_page_says_the_count_from_the_counters(tasks, linzhou_users):
    client = Client()
    client.force_login(linzhou_users.township_officer)
    body = client.get(reverse("duties:queue")).content.decode()
    seen = Task.objects.visible_to(linzhou_users.township_officer).filter(status__in=OUTSTANDING_VALUES).count()
    assert f"{seen} tasks" in body
    # A filter counts the tasks themselves (the counters hold the unfiltered figures only).
    body = client.get(reverse("duties:queue"), {"due": "overdue"}).content.decode()
    overdue = _figures(Task.objects.visible_to(linzhou_users.township_officer), timezone.localdate())["overdue"]
    assert f"{overdue} tasks" in body


def test_a_townships_own_outstanding_tasks_are_read_from_their_index(tasks, linzhou, linzhou_users):
    """duties 0013: what a township holds itself, outstanding, by due date (at a million tasks the foreign key's index
    gave every task the township ever held: 2,778 rows read for none outstanding)."""
    done = make_tasks(200, rule_name=RULE, jurisdiction=linzhou.village, status="done", start_id=5000)
    Task.objects.filter(pk__in=[t.pk for t in done]).update(
        responsible_jurisdiction=linzhou.town, party_kind="territorial"
    )
    officer = linzhou_users.township_officer
    mine = task_queue(user=officer, filters={"held": "mine"}, today=timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        queue_context(_home(officer))
    [statement] = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT COUNT("duties_task"')]
    # For a test's few hundred rows the planner may prefer the foreign key's or the path's index (it did, depending on
    # what earlier tests left in pg_class): the statement must be one the partial index serves.
    plan = plan_with_only(statement, table="duties_task", keep="duties_task_township_open_idx")
    assert "duties_task_township_open_idx" in plan, plan
    assert mine.count() == 12


@pytest.mark.parametrize("who", ["township_officer", "city_user"])
def test_the_area_tab_counts_what_the_user_sees_less_what_they_hold(tasks, linzhou_users, city_user, who):
    user = city_user if who == "city_user" else getattr(linzhou_users, who)
    today = timezone.localdate()
    area = task_queue(user=user, filters={"held": "area"}, today=today)
    expected = area.all().count()  # a clone: the tasks counted one by one
    assert expected >= MANY
    with CaptureQueriesContext(connection) as captured:
        assert area.count() == expected
    statements = [q["sql"] for q in captured.captured_queries]
    assert any("duties_taskcount" in sql for sql in statements)
    assert _rows_read_from_tasks([sql for sql in statements if '"duties_task"' in sql]) < 40


def test_a_territorys_counter_rows_are_read_by_its_area(tasks, linzhou_users):
    """duties 0014: the township's counter rows by the area's prefix within a kind, not every row of the kind in the
    city (4,760 + 6,902 read for 272 kept at a million tasks)."""
    queue = task_queue(user=linzhou_users.township_officer, today=timezone.localdate())
    with CaptureQueriesContext(connection) as captured:
        queue.count()
    [statement] = [q["sql"] for q in captured.captured_queries]
    # The kind's index (a few dozen counter rows in a test) is the planner's other choice: each kind's rows must be
    # readable by the area's prefix. At a million tasks the planner's pick is bench/run --explain's.
    plan = plan_with_only(statement, table="duties_taskcount", keep="duties_taskcount_area_idx")
    assert plan.count("duties_taskcount_area_idx") == 2, plan


def test_the_tasks_outside_the_territory_are_counted_by_a_statement_compiled_once(
    tasks, linzhou_users, city_user, monkeypatch
):
    """The part of the count that the counters do not hold (the tasks outside the territory that the rest of the
    rule shows) is a statement compiled once for every user of the same shape, not built per request."""
    from duties import selectors
    from tests.helpers.statements import counted_builds

    built = counted_builds(selectors._OUTSIDE_TERRITORY, monkeypatch)
    today = timezone.localdate()
    rounds = []
    for _ in range(2):
        for user in (linzhou_users.township_officer, city_user, linzhou_users.leader):
            assert queue_counts(user=user, today=today) == _figures(Task.objects.visible_to(user), today)
        rounds.append(len(built))
    assert 0 < rounds[0] == rounds[1]
