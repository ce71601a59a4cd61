"""The notifications settings (crowdsafe/settings.py, from the environment), read and checked in one place.

Read on every use, not at import, so that tests can change them with the ``settings`` fixture."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ReminderPolicy:
    """When reminders fall due: ``offsets`` working days before the due date (0: on the day), at ``time`` (local),
    then every working day while overdue (``overdue_daily``); escalation to the department head and the leader
    after so many working days overdue."""

    offsets: tuple[int, ...]
    time: dt.time
    overdue_daily: bool
    escalate_head_after: int
    escalate_leader_after: int

    @property
    def max_offset(self) -> int:
        return max(self.offsets, default=0)


def _time(value: str, name: str) -> dt.time:
    try:
        hour, minute = (int(part) for part in str(value).split(":"))
        return dt.time(hour, minute)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be a time like 09:00, not {value!r}") from exc


def reminder_policy() -> ReminderPolicy:
    offsets = tuple(sorted({int(n) for n in settings.NOTIFICATIONS_REMINDER_OFFSETS}, reverse=True))
    if any(n < 0 or n > 60 for n in offsets):
        raise ImproperlyConfigured("NOTIFICATIONS_REMINDER_OFFSETS are working days before the due date, 0 to 60.")
    head, leader = settings.NOTIFICATIONS_ESCALATE_HEAD_AFTER, settings.NOTIFICATIONS_ESCALATE_LEADER_AFTER
    if not (1 <= head <= 60 and 1 <= leader <= 60):
        raise ImproperlyConfigured("NOTIFICATIONS_ESCALATE_*_AFTER are working days overdue, 1 to 60.")
    return ReminderPolicy(
        offsets=offsets,
        time=_time(settings.NOTIFICATIONS_REMINDER_TIME, "NOTIFICATIONS_REMINDER_TIME"),
        overdue_daily=bool(settings.NOTIFICATIONS_OVERDUE_DAILY),
        escalate_head_after=head,
        escalate_leader_after=leader,
    )


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=max(1, int(settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)))


def batch_size() -> int:
    return max(1, int(settings.NOTIFICATIONS_SEND_BATCH_SIZE))


def max_claims() -> int:
    return max(1, int(settings.NOTIFICATIONS_SCAN_MAX_CLAIMS))


def max_attempts() -> int:
    return max(1, int(settings.NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff after the ``attempts``-th failed attempt: base, 2·base, 4·base … up to the maximum."""
    base = max(1, int(settings.NOTIFICATIONS_RETRY_BASE_SECONDS))
    cap = max(base, int(settings.NOTIFICATIONS_RETRY_MAX_SECONDS))
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def webhook_timeout() -> float:
    return float(settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS)


def webhook_allowed_hosts() -> tuple[str, ...]:
    return tuple(host.strip().lower() for host in settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS if host.strip())


def bell_poll_seconds() -> int:
    return max(1, int(settings.NOTIFICATIONS_BELL_POLL_SECONDS))
