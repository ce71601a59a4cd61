"""The overview's counters (``duties.counts``, issue 19): kept by the database's triggers in the transaction of every
kind of task write — the services, the cascade cancellation of an update, the overdue scan, ``bulk_create``,
``QuerySet.update``, raw SQL, ``COPY``, deletion — they equal a recount of the tasks after each; the overview read
from them shows the same figures as the tasks grouped (done window boundary included); folding keeps the figures;
a write that bypassed the triggers is found by the check and the counters rebuilt."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from crowdsafe.celery import app
from duties import counts
from duties.choices import TaskStatus
from duties.filters import DONE_WINDOW_DAYS
from duties.models import Task, TaskCount
from duties.selectors import _overview_counters, _overview_counts, responsibility_overview
from duties.services import (
    task_cancel,
    task_complete,
    task_reassign,
    task_start,
    tasks_evaluate,
    tasks_mark_overdue,
)
from tests.duties.conftest import make_tasks

pytestmark = pytest.mark.django_db

RULE = "旅游景区人员聚集活动安全管理"


def assert_counted():
    assert counts.taskcounts_verify() == []


def _copy_tasks(source_ids: list[int], shift: int) -> None:
    """Tasks written by COPY (as the benchmark's seed may): copies of ``source_ids`` about other subjects."""
    columns = [f.column for f in Task._meta.concrete_fields if not f.primary_key]
    select = ", ".join(
        {"subject_id": f"subject_id + {shift}", "previous_id": "NULL"}.get(column, column) for column in columns
    )
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        ids = ", ".join(str(i) for i in source_ids)
        cursor.cursor.copy_expert(f"COPY (SELECT {select} FROM duties_task WHERE id IN ({ids})) TO STDOUT", buffer)
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY duties_task ({', '.join(columns)}) FROM STDIN", buffer)


def test_every_kind_of_task_write_keeps_the_counters_equal_to_a_recount(scenic, linzhou, linzhou_users, venues):
    assert TaskCount.objects.exists()  # the scenic area's three tasks, made by tasks_evaluate (bulk_create)
    assert_counted()
    task_start(task=scenic.industry, actor=linzhou_users.culture_staff)
    assert_counted()
    task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="已检查")  # and its successor
    assert Task.objects.filter(period=2).exists()
    assert_counted()
    task_reassign(task=scenic.territorial, actor=linzhou_users.leader, reason="改派", department=linzhou.fire)
    assert_counted()
    tasks_mark_overdue(today=timezone.localdate() + dt.timedelta(days=800))
    assert Task.objects.filter(status=TaskStatus.OVERDUE).exists()
    assert_counted()
    # An update that makes the venue stop matching: the cascade cancels its descriptive rules' tasks.
    ktv = venues.make("星光KTV", kind="entertainment", under=linzhou.village, operator=linzhou.operator)
    tasks_evaluate(subject=ktv, event="created", actor=None)
    assert_counted()
    venues.set(ktv, kind="square")
    tasks_evaluate(subject=ktv, event="updated", actor=None)
    assert Task.objects.filter(subject_id=ktv.pk, status=TaskStatus.CANCELLED).exists()
    assert_counted()
    task_cancel(
        task=Task.objects.filter(subject_id=ktv.pk, status=TaskStatus.OPEN).first(),
        actor=linzhou_users.leader,
        reason="不适用",
    )
    assert_counted()
    made = make_tasks(30, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture)
    make_tasks(5, rule_name=RULE, jurisdiction=linzhou.town2, status="done", start_id=30_000)
    assert_counted()
    Task.objects.filter(pk__in=[t.pk for t in made[:10]]).update(due_date=dt.date(2027, 1, 4))
    Task.objects.filter(pk__in=[t.pk for t in made[10:15]]).update(status=TaskStatus.DONE, completed_at=timezone.now())
    Task.objects.filter(pk__in=[t.pk for t in made[15:18]]).update(responsible_department=linzhou.fire)
    assert_counted()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO duties_task (subject_type, subject_id, subject_label, jurisdiction_id, jurisdiction_path,"
            " rule_id, period, event, duty_name, duty_description, basis, party_kind, responsible_jurisdiction_id,"
            " anchor_date, due_date, status, explanation, explanation_data, completion_note, cancel_reason,"
            " created_at, updated_at)"
            " SELECT subject_type, subject_id + 500000, subject_label, jurisdiction_id, jurisdiction_path, rule_id,"
            " period, event, duty_name, duty_description, basis, 'territorial', %s, anchor_date, due_date, 'open',"
            " explanation, explanation_data, '', '', now(), now() FROM duties_task WHERE id = ANY(%s)",
            [linzhou.town.pk, [t.pk for t in made[18:25]]],
        )
    assert_counted()
    _copy_tasks([t.pk for t in made[20:30]], shift=700_000)
    assert Task.objects.filter(subject_id__gte=700_000).count() == 10
    assert_counted()
    Task.objects.filter(pk__in=[t.pk for t in made[25:]]).delete()
    assert_counted()
    counts.taskcounts_compact()
    assert_counted()


def _figures(rows):
    return sorted(
        (
            r["responsible_department_id"] or 0,
            r["responsible_jurisdiction_id"] or 0,
            r["org_held"],
            r["n_open"],
            r["n_due_soon"],
            r["n_overdue"],
            r["n_done"],
        )
        for r in rows
    )


@pytest.fixture
def mixed(linzhou, scenic):
    """Outstanding tasks due over 80 days around today, done ones on both sides of the window's first moment."""
    today = timezone.localdate()
    make_tasks(40, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture, due=today)
    make_tasks(40, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, due=today, start_id=20_000)
    make_tasks(6, rule_name=RULE, jurisdiction=linzhou.anyang, department=linzhou.city_culture, start_id=40_000)
    done = make_tasks(8, rule_name=RULE, jurisdiction=linzhou.village, status="done", start_id=50_000)
    since = timezone.now() - dt.timedelta(days=DONE_WINDOW_DAYS)
    moments = [
        since + dt.timedelta(minutes=1),  # in, on the window's first day
        since - dt.timedelta(minutes=1),  # out
        since + dt.timedelta(hours=30),  # in, a whole day later
        since - dt.timedelta(days=20),  # out, long ago (folded)
        timezone.now(),
        timezone.now() - dt.timedelta(days=29),
        since + dt.timedelta(minutes=10),
        since - dt.timedelta(days=2),
    ]
    for task, moment in zip(done, moments, strict=True):
        Task.objects.filter(pk=task.pk).update(completed_at=moment, responsible_department=linzhou.culture)
    return since


@pytest.mark.parametrize("who", ["leader", "superuser", "township"])
def test_the_overview_from_the_counters_equals_the_tasks_grouped(mixed, linzhou, linzhou_users, who):
    since = mixed
    today = timezone.localdate()
    paths = {"leader": (linzhou.linzhou.path,), "superuser": None, "township": (linzhou.town.path,)}[who]
    tasks = Task.objects.all()
    if paths is not None:
        tasks = tasks.filter(jurisdiction_path__startswith=paths[0])
    expected = _figures(_overview_counts(tasks, today=today, since=since))
    assert expected  # something to compare
    assert _figures(_overview_counters(paths, today=today, since=since)) == expected
    counts.taskcounts_compact()
    assert _figures(_overview_counters(paths, today=today, since=since)) == expected
    assert any(row[-1] for row in expected)  # done figures counted


def test_folding_puts_the_past_due_days_and_the_deltas_together(mixed, linzhou_users):
    before = TaskCount.objects.count()
    overview = responsibility_overview(user=linzhou_users.leader)
    deleted, written = counts.taskcounts_compact()
    assert deleted > written > 0
    assert TaskCount.objects.count() < before
    assert not TaskCount.objects.filter(kind="o", day__lt=timezone.localdate()).exclude(day=counts.NO_DAY).exists()
    assert counts.taskcounts_compact() == (0, 0)  # nothing left to fold
    again = responsibility_overview(user=linzhou_users.leader)
    assert [(r.label, r.open, r.due_soon, r.overdue, r.done) for r in again.rows] == [
        (r.label, r.open, r.due_soon, r.overdue, r.done) for r in overview.rows
    ]
    assert_counted()


def test_the_overview_reads_the_counters_only_for_today_and_territories_of_townships_or_more(linzhou):
    today = timezone.localdate()
    assert counts.usable_for((linzhou.linzhou.path, linzhou.town.path), today)
    assert counts.usable_for(None, today)
    assert not counts.usable_for((linzhou.village.path,), today)  # below a township: from the tasks
    assert not counts.usable_for((linzhou.linzhou.path,), today - dt.timedelta(days=1))


def test_a_write_that_bypassed_the_triggers_is_found_and_the_counters_rebuilt(scenic):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks of the fixture's rows
        cursor.execute("ALTER TABLE duties_task DISABLE TRIGGER duties_taskcount_update")
        Task.objects.filter(pk=scenic.industry.pk).update(status=TaskStatus.CANCELLED)
        cursor.execute("ALTER TABLE duties_task ENABLE TRIGGER duties_taskcount_update")
    assert counts.taskcounts_verify()
    with pytest.raises(CommandError, match="differ"):
        call_command("taskcounts", stdout=io.StringIO(), stderr=io.StringIO())
    result = counts.taskcounts_check()
    assert result["differences"] and result["rebuilt"]
    assert_counted()
    out = io.StringIO()
    call_command("taskcounts", "--rebuild", "--compact", stdout=out)
    assert "equal a recount" in out.getvalue()


def test_truncating_the_tasks_empties_the_counters(scenic):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks of the fixture's rows
        cursor.execute("TRUNCATE duties_task CASCADE")
    assert not TaskCount.objects.exists()


def test_the_triggers_count_with_the_same_keys_as_the_recount():
    migration = importlib.import_module("duties.migrations.0010_taskcount")
    assert " ".join(migration.KEYS.split()) == " ".join(counts.KEYS_SQL.replace("{source}", "%s").split())


def test_the_beat_folds_the_counters_and_checks_them_nightly():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"duties.tasks.taskcounts_compact", "duties.tasks.taskcounts_check"} <= tasks


def test_the_overview_page_looks_its_column_names_up_once_whatever_the_number_of_holders(linzhou, linzhou_users):
    """A city's overview has a few hundred rows: the five column names (also each cell's data-label for phones) are
    translated once per page, not once per row and column."""
    from unittest import mock

    from django.templatetags.i18n import TranslateNode
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(linzhou_users.leader)

    def translations() -> int:
        with mock.patch.object(TranslateNode, "render", autospec=True, side_effect=TranslateNode.render) as render:
            response = client.get(reverse("duties:overview"))
        assert response.status_code == 200
        return render.call_count

    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture)
    translations()  # the first request of a process translates a few things once (menus, caches)
    few = translations()
    for i, department in enumerate((linzhou.fire, linzhou.health, linzhou.city_culture, linzhou.township_gov)):
        make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=department, start_id=20_000 + i * 10)
    body = client.get(reverse("duties:overview")).content.decode()
    assert body.count('data-label="Overdue"') == 5
    assert translations() == few


def test_the_overview_links_encode_each_rows_filters_once_and_say_the_same(linzhou, linzhou_users):
    from unittest import mock
    from urllib.parse import parse_qs, urlsplit

    from duties import selectors

    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture)
    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.fire, start_id=20_000)
    rows = responsibility_overview(user=linzhou_users.leader).rows
    with mock.patch.object(selectors, "urlencode", wraps=selectors.urlencode) as encode:
        urls = [(r, r.open_url, r.due_soon_url, r.overdue_url, r.done_url) for r in rows]
    assert encode.call_count == len(rows) == 2
    for row, open_url, soon, overdue, done in urls:
        department = [str(row.filters["department"])]
        assert parse_qs(urlsplit(open_url).query) == {"department": department}
        assert parse_qs(urlsplit(soon).query) == {"department": department, "due": ["soon"]}
        assert parse_qs(urlsplit(overdue).query) == {"department": department, "due": ["overdue"]}
        assert parse_qs(urlsplit(done).query) == {
            "department": department,
            "status": ["done"],
            "completed_within": [str(DONE_WINDOW_DAYS)],
        }
