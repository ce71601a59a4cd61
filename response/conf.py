"""Settings of the response app, with their defaults (override in settings.py or the environment)."""

from __future__ import annotations

from django.conf import settings


def measure_minutes() -> int:
    """Minutes a department has to carry out a measure of an activated plan (due in minutes, not days)."""
    return int(getattr(settings, "RESPONSE_MEASURE_MINUTES", 15))


def match_radius_m() -> int:
    """A public report is suggested as the same as a gathering/incident within this distance (metres)."""
    return int(getattr(settings, "RESPONSE_MATCH_RADIUS_M", 500))


def match_window_minutes() -> int:
    """… and within this many minutes of its start (or while it is open)."""
    return int(getattr(settings, "RESPONSE_MATCH_WINDOW_MINUTES", 60))


def public_rate() -> str:
    """Reports and status look-ups per client address on the public page (django-ratelimit)."""
    return str(getattr(settings, "RESPONSE_PUBLIC_RATE", "10/m"))
