"""The alerts settings (crowdsafe/settings.py, from the environment), read on every use so tests can change them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def ack_delay() -> dt.timedelta:
    """How long a person has to acknowledge before the alert is sent again and passed one person up."""
    return dt.timedelta(minutes=max(1, int(getattr(settings, "ALERTS_ACK_MINUTES", 5))))


def token_lifetime() -> dt.timedelta:
    """How long an acknowledgment link stays valid."""
    return dt.timedelta(hours=max(1, int(getattr(settings, "ALERTS_ACK_LINK_HOURS", 24))))


def max_hops() -> int:
    """How far up the chain an unacknowledged alert climbs (head, leader, the leader above …)."""
    return max(1, int(getattr(settings, "ALERTS_MAX_HOPS", 3)))
