"""Every write of the notifications app (STYLE.md: keyword-only, actor explicit where there is one, transactions,
claims with SKIP LOCKED and the races they close named where they are closed):

- ``notifications.services.messages``: ``notify`` — the entry point for other apps (alerts, notices);
- ``notifications.services.reminders``: ``reminders_plan``, ``reminders_claim``, ``reminders_send``;
- ``notifications.services.deliveries``: ``deliveries_claim``, ``deliveries_send`` (retries with backoff);
- ``notifications.services.digests``: ``digests_send``;
- ``notifications.services.scan``: ``scan`` — what the beat schedule runs every minute;
- ``notifications.services.inbox``: marking read, a person's settings, departments' group robots.
"""

from notifications.services.deliveries import deliveries_claim, deliveries_send
from notifications.services.digests import digests_send
from notifications.services.inbox import (
    can_manage_webhooks,
    notification_mark_read,
    notifications_mark_all_read,
    preference_for,
    preferences_update,
    webhook_save,
    webhook_send_test,
)
from notifications.services.messages import notify
from notifications.services.reminders import reminders_claim, reminders_plan, reminders_send
from notifications.services.scan import ScanReport, scan

__all__ = [
    "ScanReport",
    "can_manage_webhooks",
    "deliveries_claim",
    "deliveries_send",
    "digests_send",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "preference_for",
    "preferences_update",
    "reminders_claim",
    "reminders_plan",
    "reminders_send",
    "scan",
    "webhook_save",
    "webhook_send_test",
]
