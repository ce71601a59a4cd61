"""Issue 15 point 7: the beat runs the silence scan (every 30 s by default) and the day partitions (daily)."""

from __future__ import annotations

import datetime as dt

from celery.schedules import crontab

from crowdsafe.celery import app


def test_the_beat_schedule_names_the_silence_scan_and_the_partitions():
    by_task = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    silent = by_task["monitoring.tasks.check_silent"]
    assert silent["schedule"] == dt.timedelta(seconds=30)
    assert silent["options"]["expires"] < 30
    assert isinstance(by_task["monitoring.tasks.partitions"]["schedule"], crontab)


def test_the_scheduled_tasks_are_registered():
    import monitoring.tasks  # noqa: F401

    assert {"monitoring.tasks.check_silent", "monitoring.tasks.partitions"} <= set(app.tasks.keys())
