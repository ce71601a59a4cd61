from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from monitoring.models import Zone
from monitoring.services import readings_ingest, source_create, zone_create
from tests.alerts.conftest import alerted

__all__ = ["alerted", "feed", "minutes_ago", "street_zone"]


def minutes_ago(minutes: float, *, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(minutes=minutes)


@pytest.fixture
def street_zone(city, users):
    """A 200 m² section of 东大街 (no venue), standing crowd, drawn in the grid."""
    return zone_create(
        actor=users.township_officer,
        jurisdiction=city.grid,
        name="东大街步行街（鼓楼段）",
        kind="standing",
        area_m2="200",
    )


def make_zone(city, users, *, area: str, kind: str = "standing", **extra) -> Zone:
    return zone_create(
        actor=users.township_officer,
        jurisdiction=city.grid,
        name=f"区域{area}{kind}",
        kind=kind,
        area_m2=Decimal(area),
        **extra,
    )


def feed(zone: Zone, users, *, kind: str = "camera", interval_s: int = 30):
    """A source for ``zone``; returns (source, token)."""
    return source_create(
        actor=users.township_officer,
        name=f"摄像头·{zone.name}",
        kind=kind,
        jurisdiction=zone.jurisdiction,
        zones=[zone],
        interval_s=interval_s,
    )


def send(source, zone, counts, *, start: dt.datetime, step_s: int = 30, now: dt.datetime | None = None):
    results = []
    for i, count in enumerate(counts):
        at = start + dt.timedelta(seconds=step_s * i)
        results.append(
            readings_ingest(
                source=source,
                rows=[{"zone": zone.pk, "observed_at": at.isoformat(), "count": count}],
                now=now or max(at, timezone.now()),
            )
        )
    return results
