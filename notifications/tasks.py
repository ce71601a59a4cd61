"""Celery tasks of the notifications app: thin, each takes ids and calls one service. Idempotent: the claim token
and the row states make a duplicate or late message a no-op (see notifications/services/reminders.py)."""

from __future__ import annotations

from celery import shared_task

from notifications import services


@shared_task(name="notifications.tasks.scan")
def scan() -> str:
    """Every minute (beat): plan, claim and hand over due reminders and deliveries; send due digests."""
    return str(services.scan())


@shared_task(name="notifications.tasks.send_reminders")
def send_reminders(reminder_ids: list[int], token: str) -> int:
    """Send the reminders of one claim (their rows say whether they are still this claim's to send)."""
    return services.reminders_send(reminder_ids=reminder_ids, token=token).sent


@shared_task(name="notifications.tasks.deliver")
def deliver(delivery_ids: list[int], token: str | None = None) -> dict:
    """Attempt the deliveries of one claim, or claim these new ones first (``token`` None)."""
    return dict(services.deliveries_send(delivery_ids=delivery_ids, token=token))
