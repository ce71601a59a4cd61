"""Inspections before key dates (节假日、重大活动前安全检查, 梅河口市安委办通知 三（七）: 重要节假日和重大活动举办前 …
开展安全检查，及时整改安全隐患): the daily scan, for each active key date of the events app's calendar (重点时段:
New Year's Day, Spring Festival, Lantern Festival, National Day, local temple fairs …) whose next occurrence starts
within its ``lead_days``, starts an inspection of every active venue of its kinds of venue (every venue when it
names none) in its territory, due the day before the occasion, for the township (属地) to fill in.

Idempotent: an inspection before a key date is known by its venue, its origin and its due date, so a second run the
same day, the next day, or two workers at once make nothing new (the scan locks the key date's row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from events.models import KeyDate
from events.occasions import next_occurrence
from inspections.choices import Origin
from inspections.models import Inspection
from inspections.services.inspections import inspection_start
from venues.models import Venue


@dataclass
class RoundResult:
    created: list[Inspection] = field(default_factory=list)
    skipped: int = 0


def key_date_rounds(*, today: dt.date | None = None) -> RoundResult:
    """The daily scan (Celery beat, ``inspections.tasks.plan_key_date_inspections``)."""
    today = today or timezone.localdate()
    result = RoundResult()
    for key_date in KeyDate.objects.filter(is_active=True).select_related("jurisdiction").prefetch_related("dates"):
        occurrence = next_occurrence(key_date, today, explicit=list(key_date.dates.all()))
        if occurrence is None or today < occurrence.starts_on - dt.timedelta(days=key_date.lead_days):
            continue
        due_on = max(today, occurrence.starts_on - dt.timedelta(days=1))
        venues = Venue.objects.filter(is_active=True).select_related("grid", "operator").order_by("pk")
        if key_date.venue_kinds:
            venues = venues.filter(kind__in=key_date.venue_kinds)
        if key_date.jurisdiction is not None:
            venues = venues.filter(jurisdiction_path__startswith=key_date.jurisdiction.path)
        with transaction.atomic():
            KeyDate.objects.select_for_update().get(pk=key_date.pk)  # two scans at once: one after the other
            planned = set(
                Inspection.objects.filter(origin=Origin.KEY_DATE, due_on=due_on).values_list("venue_id", flat=True)
            )
            for venue in venues:
                if venue.pk in planned:
                    result.skipped += 1
                    continue
                result.created.append(inspection_start(actor=None, venue=venue, origin=Origin.KEY_DATE, due_on=due_on))
    return result
