"""The set-based gathering import (issue 19 point 1): ``gatherings_report_many`` and ``tasks_evaluate_many`` make
exactly the gatherings, tasks, alerts and action-log entries that the row-by-row path (``gathering_report`` and
``tasks_evaluate`` for each row) makes for the same sheet, in a handful of queries per step instead of ~28 per
row; a refused row rejects the whole file with its row number, or is left out when chosen; the progress is
told while importing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert
from crowdsafe.audit.models import ActionLog
from crowdsafe.common import imports
from crowdsafe.common.imports import ImportStatus
from duties.models import Task
from duties.services import tasks_evaluate, tasks_evaluate_many
from events.models import Gathering, GatheringImportJob
from events.services import imports as event_imports
from events.services.gatherings import gatherings_report_many
from events.services.imports import GATHERING_IMPORT, gathering_import_start
from tests.events.conftest import a_working_afternoon, report
from tests.events.test_spreadsheets import row, sheet_upload

pytestmark = pytest.mark.django_db

ROW_BY_ROW = dataclasses.replace(GATHERING_IMPORT, create_many=None)
TIMES = {"id", "created_at", "updated_at", "risk_set_at"}


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def sheet(city, places, holiday_evening):
    """Rows of every kind the rules and the triage tell apart: a free location, the square (an operator: 谁的场地
    谁负责; red by capacity, so an alert), a holiday evening with online hype, an orange crowd by the bands, a
    second row at the square."""
    at = timezone.localtime(a_working_afternoon())
    evening = timezone.localtime(holiday_evening)
    return [
        row(city),
        row(
            city,
            title="文峰塔广场庙会",
            kind="节庆祈福、宗教活动",
            venue_name=places.square.name,
            location_name="",
            attendance_min=2500,
            attendance_max=3000,
        ),
        row(
            city,
            title="网红打卡",
            kind="线上转线下打卡聚集",
            location_name="仓巷街",
            starts_at=evening.strftime("%Y-%m-%d %H:%M"),
            online_hype="是",
            source="网络监测",
        ),
        row(city, title="大型聚集", location_name="人民大道", attendance_min=1000, attendance_max=1500),
        row(
            city,
            title="广场晨练",
            venue_name=places.square.name,
            location_name="",
            starts_at=(at + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            attendance_max=80,
        ),
    ]


def run(importer, user, rows) -> tuple[GatheringImportJob, int]:
    before = ActionLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    job = imports.start_import(importer, actor=user, file=sheet_upload(rows))
    job.refresh_from_db()
    return job, before


def snapshot(job: GatheringImportJob, after_log: int) -> dict[str, object]:
    """What the run made, keyed by the row of the sheet instead of ids and times."""
    gathering_type = ContentType.objects.get_for_model(Gathering)
    task_type = ContentType.objects.get_for_model(Task)
    created = ActionLog.objects.filter(id__gt=after_log, subject_type=gathering_type, verb="created")
    row_of = {log.subject_id: log.data["row"] for log in created}
    gatherings = {
        row_of[g.pk]: {k: v for k, v in g.__dict__.items() if not k.startswith("_") and k not in TIMES}
        for g in Gathering.objects.filter(pk__in=row_of)
    }
    tasks = {}
    task_row = {}
    for task in Task.objects.filter(subject_type="gathering", subject_id__in=row_of):
        values = {k: v for k, v in task.__dict__.items() if not k.startswith("_") and k not in TIMES}
        values.pop("subject_id")
        tasks[(row_of[task.subject_id], task.rule_id)] = values
        task_row[task.pk] = (row_of[task.subject_id], task.rule_id)
    logs: dict[object, list] = {}
    for log in ActionLog.objects.filter(id__gt=after_log).order_by("id"):
        data = dict(log.data)
        data.pop("import_job", None)
        if log.subject_type_id == gathering_type.id and log.subject_id in row_of:
            key: object = ("gathering", row_of[log.subject_id])
        elif log.subject_type_id == task_type.id and log.subject_id in task_row:
            key = ("task", task_row[log.subject_id])
            data["subject"] = data["subject"].split(":")[0]
        elif log.subject_type_id == ContentType.objects.get_for_model(GatheringImportJob).id:
            key = ("job", log.verb)
            data = {}
        else:
            key = (log.subject_type.model, log.verb)
            data = {}
        logs.setdefault(key, []).append((log.verb, log.from_state, log.to_state, log.reason, log.actor_id, data))
    alerts = {
        (row_of[a.subject_id], a.level): (a.rule_id, a.reason, a.title, a.jurisdiction_id)
        for a in Alert.objects.filter(subject_type=gathering_type, subject_id__in=row_of)
    }
    return {"gatherings": gatherings, "tasks": tasks, "logs": logs, "alerts": alerts, "status": job.status}


def test_the_batch_makes_exactly_what_the_row_by_row_path_makes(city, users, places, holiday_evening):
    rows = sheet(city, places, holiday_evening)
    job_a, after_a = run(ROW_BY_ROW, users.township_officer, rows)
    assert job_a.status == ImportStatus.DONE, job_a.errors
    one_by_one = snapshot(job_a, after_a)
    job_b, after_b = run(GATHERING_IMPORT, users.township_officer, rows)
    assert job_b.status == ImportStatus.DONE, job_b.errors
    batch = snapshot(job_b, after_b)

    assert len(batch["gatherings"]) == 5
    assert {g["risk_level"] for g in batch["gatherings"].values()} >= {"red", "orange"}
    assert len(batch["tasks"]) > 10
    assert batch["alerts"], "the red and orange rows raise their alerts"
    for part in ("gatherings", "tasks", "alerts", "logs"):
        assert batch[part] == one_by_one[part], part


def test_the_batch_takes_a_few_queries_per_step_not_per_row(city, users, places, holiday_evening):
    at = timezone.localtime(a_working_afternoon())
    rows = [row(city, title=f"聚集{i}", location_name=f"地点{i}") for i in range(40)]
    rows += [
        row(
            city,
            title=f"广场{i}",
            venue_name=places.square.name,
            location_name="",
            starts_at=(at + dt.timedelta(hours=i)).strftime("%Y-%m-%d %H:%M"),
        )
        for i in range(10)
    ]
    run(GATHERING_IMPORT, users.township_officer, rows[:2])  # warm the caches both paths use
    with CaptureQueriesContext(connection) as batch:
        job, _after = run(GATHERING_IMPORT, users.township_officer, rows)
    assert job.status == ImportStatus.DONE and job.imported_rows == 50, job.errors
    with CaptureQueriesContext(connection) as one_by_one:
        job, _after = run(ROW_BY_ROW, users.township_officer, rows)
    assert job.status == ImportStatus.DONE and job.imported_rows == 50
    assert len(one_by_one) > 50 * 10, len(one_by_one)
    # Checking and the job's own bookkeeping are the same in both (about 60 statements with the upload); creating
    # the 50 rows is a few statements more, not ~28 per row.
    assert len(batch) < 120 and len(batch) * 5 < len(one_by_one), (len(batch), len(one_by_one))


def test_a_row_the_service_refuses_rejects_the_file_with_its_row_and_nothing_is_written(city, users):
    far = timezone.localtime(timezone.now() + dt.timedelta(days=800)).strftime("%Y-%m-%d %H:%M")
    rows = [
        row(city),
        row(city, title="太远", location_name="别处", starts_at=far),
        row(city, title="也太远", starts_at=far),
    ]
    logs = ActionLog.objects.count()
    job = gathering_import_start(actor=users.township_officer, file=sheet_upload(rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED
    assert job.imported_rows == 0 and not Gathering.objects.exists() and not Task.objects.exists()
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "开始时间"), (4, "开始时间")]
    assert "two years" in job.errors[0]["message"]
    # Only the job's own entries (started, rejected) were logged.
    assert ActionLog.objects.count() == logs + 2


def test_a_refused_row_is_left_out_when_only_the_valid_rows_are_wanted(city, users):
    far = timezone.localtime(timezone.now() + dt.timedelta(days=800)).strftime("%Y-%m-%d %H:%M")
    rows = [row(city), row(city, title="太远", location_name="别处", starts_at=far)]
    job = gathering_import_start(actor=users.township_officer, file=sheet_upload(rows), valid_rows_only=True)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.imported_rows, job.invalid_rows) == (1, 1)
    assert job.errors[-1]["row"] == 3
    assert list(Gathering.objects.values_list("title", flat=True)) == ["人民公园广场舞"]


def test_the_progress_is_told_after_each_step(city, users, monkeypatch):
    monkeypatch.setattr("events.services.gatherings.BATCH_STEP", 2)
    told: list[int] = []
    real_set = cache.set

    def spy(key, value, *args, **kwargs):
        if str(key).endswith(":progress"):
            told.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(imports.cache, "set", spy)
    rows = [row(city, title=f"聚集{i}", location_name=f"地点{i}") for i in range(5)]
    job = gathering_import_start(actor=users.township_officer, file=sheet_upload(rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported_rows == 5
    assert told == [0, 2, 4, 5]
    processed, total = imports.import_progress(job)
    assert (processed, total) == (5, 5)


def test_tasks_evaluate_many_equals_tasks_evaluate_for_subjects_that_already_have_some_tasks(city, users, places):
    first = report(users.grid_worker, grid=city.grid, title="一")
    second = report(users.grid_worker, venue=places.square, title="二")
    Task.objects.filter(subject_type="gathering", subject_id=second.pk).first().delete()
    before = Task.objects.count()
    assert tasks_evaluate_many(subjects=[first, second], event="created", actor=None)
    assert Task.objects.count() == before + 1
    assert tasks_evaluate(subject=second, event="created", actor=None) == []
    assert tasks_evaluate_many(subjects=[first, second], event="created", actor=None) == []


def test_gatherings_report_many_writes_nothing_when_a_row_is_refused(city, users):
    good = {"kind": "celebration", "grid": city.grid, "location_name": "甲", "starts_at": a_working_afternoon()}
    good |= {"estimated_attendance_max": 100, "source": "grid_patrol"}
    bad = good | {"starts_at": timezone.now() - dt.timedelta(days=4 * 366)}
    report_ = gatherings_report_many(actor=users.township_officer, items=[(good, None), (bad, None)])
    assert report_.created == [] and [i for i, _e in report_.refused] == [1]
    assert not Gathering.objects.exists()
    assert event_imports.GATHERING_IMPORT.create_many is not None
