"""Helpers of the form tests: the demo-like city and users of tests/conftest.py, a signed-in client."""

from __future__ import annotations

import uuid

from django.test import Client
from django.utils import timezone

from events.choices import GatheringKind, GatheringSource
from tests.events.conftest import a_working_afternoon


def signed_in(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def gathering_form_data(city, **overrides) -> dict:
    start = timezone.localtime(a_working_afternoon())
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "kind": GatheringKind.MALL_PROMOTION,
        "grid": city.grid.pk,
        "venue": "",
        "location_name": "万达广场正门",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "estimated_attendance_min": "100",
        "estimated_attendance_max": "300",
        "source": GatheringSource.GRID_PATROL,
    }
    data.update(overrides)
    return data
