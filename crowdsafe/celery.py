"""The one Celery app. Tasks are thin (ids in, one service call); the beat schedule is kept here in code."""

from __future__ import annotations

import datetime as dt
import os

from celery import Celery
from celery.schedules import crontab

from crowdsafe.env import envint

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdsafe.settings")

app = Celery("crowdsafe")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Picks up a newly published State Council holiday schedule once the calendar library is upgraded.
    "workdays-sync-calendar": {
        "task": "crowdsafe.workdays.tasks.sync_calendar",
        "schedule": crontab(hour=3, minute=17),
    },
    # Marks tasks past their due date as overdue (lists also compute it live, so this only settles the status).
    "duties-mark-overdue": {
        "task": "duties.tasks.mark_overdue",
        "schedule": crontab(hour=0, minute=5),
    },
    # The overview's task counters (duties/counts.py): their deltas folded every five minutes, and each night
    # verified against a recount of the tasks (rebuilt, with an error logged, if they differ).
    "duties-taskcounts-compact": {
        "task": "duties.tasks.taskcounts_compact",
        "schedule": dt.timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "duties-taskcounts-check": {
        "task": "duties.tasks.taskcounts_check",
        "schedule": crontab(hour=0, minute=35),
    },
    # The hazard list's counters (risk/counts.py), the same way: folded every five minutes, verified each night.
    "risk-hazardcounts-compact": {
        "task": "risk.tasks.hazardcounts_compact",
        "schedule": dt.timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "risk-hazardcounts-check": {
        "task": "risk.tasks.hazardcounts_check",
        "schedule": crontab(hour=0, minute=40),
    },
    # Expected gatherings for the key dates coming up (events/services/keydates.py); idempotent.
    "events-expected-gatherings": {
        "task": "events.create_expected_gatherings",
        "schedule": crontab(hour=1, minute=20),
    },
    # Every city, district, township and street owes a drill at least every two years (drills rule
    # drills.government_drill): a jurisdiction added since the last run gets its first duty. Idempotent.
    "drills-government-drill-duties": {
        "task": "drills.tasks.sync_government_drill_duties",
        "schedule": crontab(hour=1, minute=40),
    },
    # Reminders, escalations, delivery retries and digests: a scan over rows that say what is due, claimed with
    # SKIP LOCKED (notifications/services/scan.py). A scan left in the queue while the workers were down expires
    # instead of running many times over.
    "notifications-scan": {
        "task": "notifications.tasks.scan",
        "schedule": dt.timedelta(seconds=envint("NOTIFICATIONS_SCAN_INTERVAL_SECONDS", 60)),
        "options": {"expires": max(5, envint("NOTIFICATIONS_SCAN_INTERVAL_SECONDS", 60))},
    },
    # Inspections before the key dates coming up (inspections/services/rounds.py), due the day before; idempotent.
    "inspections-key-date-rounds": {
        "task": "inspections.tasks.plan_key_date_inspections",
        "schedule": crontab(hour=1, minute=30),
    },
    # Buildings past their design service life with no safety appraisal since: the owner's and the housing
    # department's appraisal duties (venues/duties.py, issue 21 point 4). Idempotent.
    "venues-appraisal-scan": {
        "task": "venues.appraisal_scan",
        "schedule": crontab(hour=1, minute=50),
    },
    # Urgent alerts not acknowledged within ALERTS_ACK_MINUTES: sent again and passed one person up, each once
    # (alerts/services.py, claimed with SKIP LOCKED). Expires rather than piling up while the workers are down.
    "alerts-escalate": {
        "task": "alerts.tasks.escalate",
        "schedule": dt.timedelta(seconds=60),
        "options": {"expires": 55},
    },
    # Situation reports due on open incidents (the cadence the commander sets): the commander is reminded once per
    # due time (response/services/command.py, claimed with SKIP LOCKED). Expires rather than piling up.
    "response-remind-reports": {
        "task": "response.tasks.remind_reports",
        "schedule": dt.timedelta(seconds=60),
        "options": {"expires": 55},
    },
    # Next year's holiday schedule: on 1 November (the State Council publishes it in November), a task for each
    # city's administrator while it is missing; run daily in November and December so that the tasks are settled once it
    # is entered (duties/calendar.py). Idempotent.
    "duties-holiday-schedule-check": {
        "task": "duties.tasks.holiday_schedule_check",
        "schedule": crontab(hour=6, minute=30, day_of_month="1-31", month_of_year="11,12"),
    },
    # Callers' numbers past their retention (CALLER_PHONE_RETENTION_DAYS, crowdsafe/common/pii.py): blanked and logged.
    # Idempotent: a blanked number is not selected again.
    "audit-caller-phones-expire": {
        "task": "crowdsafe.audit.tasks.caller_phones_expire",
        "schedule": crontab(hour=2, minute=40),
    },
    # Recipient coverage: a task for the city administrator for each holder nobody can remind and each
    # department whose deliveries failed in the last day (alerts/coverage.py). Idempotent.
    "alerts-coverage-check": {
        "task": "alerts.tasks.coverage_check",
        "schedule": crontab(hour=7, minute=10),
    },
    # The leaders' weekly briefing (安全形势简报, dashboard/services.py): last week's, every Monday at 07:30, for every
    # territory with a leader — once per week and territory (a unique key: a second run issues nothing).
    "dashboard-weekly-briefings": {
        "task": "dashboard.tasks.issue_weekly_briefings",
        "schedule": crontab(hour=7, minute=30, day_of_week=1),
    },
    # Official documents whose render task was lost (broker down when they were issued): rendered by a scan over
    # the documents still without a PDF a while after issue. Rendering is idempotent; the scan expires if late.
    "notices-render-pending": {
        "task": "notices.render_pending",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 240},
    },
    # Crowd monitoring: sources silent for MONITORING_SILENT_FACTOR x their interval raise 监测中断 (urgent), every
    # MONITORING_SILENT_SCAN_SECONDS (default 30 s). Idempotent; expires rather than piling up.
    "monitoring-check-silent": {
        "task": "monitoring.tasks.check_silent",
        "schedule": dt.timedelta(seconds=envint("MONITORING_SILENT_SCAN_SECONDS", 30)),
        "options": {"expires": max(5, envint("MONITORING_SILENT_SCAN_SECONDS", 30) - 2)},
    },
    # The readings' day partitions: the next days created, raw days past MONITORING_RAW_RETENTION_DAYS dropped.
    "monitoring-partitions": {
        "task": "monitoring.tasks.partitions",
        "schedule": crontab(hour=0, minute=45),
    },
}
