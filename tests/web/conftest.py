from __future__ import annotations

import datetime

import pytest
from django.test import Client


@pytest.fixture
def login():
    """``login(user)`` → a test client signed in as ``user``."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def today(monkeypatch):
    """``today(date)`` makes that the date the home page is built for (``timezone.localdate``)."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return set_today
