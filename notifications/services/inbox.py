"""A person's own notifications and settings, and the departments' group robots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Department
from notifications.channels.webhooks import check_url
from notifications.choices import MessageKind, WebhookProvider
from notifications.models import DepartmentWebhook, Message, Notification, NotificationPreference
from notifications.services.dispatch import Outgoing, fan_out


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Mark one of the actor's own notifications read (a second call changes nothing)."""
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionDeniedError(_("This is not your notification."))
    if notification.read_at is None:
        # A conditional UPDATE: two tabs marking it at once both succeed, and the first time stays.
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


def preference_for(user) -> NotificationPreference:
    """The person's settings (defaults, unsaved, if they never changed them)."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def preferences_update(
    *,
    user,
    actor,
    email_enabled: bool,
    sms_enabled: bool,
    quiet_start: dt.time | None,
    quiet_end: dt.time | None,
    digest: bool,
    digest_time: dt.time | None = None,
) -> NotificationPreference:
    """Save a person's notification settings (their own, or any for a superuser)."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDeniedError(_("You may only change your own notification settings."))
    if (quiet_start is None) != (quiet_end is None):
        raise DomainError(_("Give both the start and the end of the quiet hours, or neither."), field="quiet_end")
    if quiet_start is not None and quiet_start == quiet_end:
        raise DomainError(_("The quiet hours must start and end at different times."), field="quiet_end")
    if digest and digest_time is None:
        raise DomainError(_("Choose the time of the daily digest."), field="digest_time")
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        before = {
            "email": preference.email_enabled,
            "sms": preference.sms_enabled,
            "quiet": f"{preference.quiet_start or ''}-{preference.quiet_end or ''}",
            "digest": preference.digest,
        }
        preference.email_enabled = email_enabled
        preference.sms_enabled = sms_enabled
        preference.quiet_start = quiet_start
        preference.quiet_end = quiet_end
        preference.digest = digest
        if digest_time is not None:
            preference.digest_time = digest_time
        preference.save()
        log_action(
            actor=actor,
            subject=preference,
            verb="settings_changed",
            data={
                "before": before,
                "after": {
                    "email": email_enabled,
                    "sms": sms_enabled,
                    "quiet": f"{quiet_start or ''}-{quiet_end or ''}",
                    "digest": digest,
                },
            },
        )
    return preference


# --- group robots -------------------------------------------------------------------------------------------


def can_manage_webhooks(actor, department: Department) -> bool:
    """Superusers, the administrators of a territory the department lies in, and the department's heads (and the
    system itself, ``actor=None``: the demo seeding)."""
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    if department.pk in scope.head_of_department_ids:
        return True
    path = department.jurisdiction.path
    return any(path.startswith(p) for p in scope.admin_paths)


def webhook_save(*, webhook: DepartmentWebhook, actor, changed: Sequence[str] = ()) -> DepartmentWebhook:
    """Validate and save a department's group robot (new or edited), logging it (never the secret)."""
    if webhook.department_id and not can_manage_webhooks(actor, webhook.department):
        raise PermissionDeniedError(_("You may not configure this department's group robots."))
    problem = check_url(webhook.url or "")
    if problem:
        raise DomainError(problem, field="url")
    if webhook.provider != WebhookProvider.DINGTALK and (webhook.secret or webhook.keyword):
        raise DomainError(_("Only DingTalk robots use a signing secret or a keyword."), field="secret")
    try:
        webhook.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError("; ".join(messages), field=None if field == "__all__" else field) from exc
    with transaction.atomic():
        created = webhook.pk is None
        webhook.save()
        log_action(
            actor=actor,
            subject=webhook,
            verb="created" if created else "updated",
            to_state="active" if webhook.is_active else "inactive",
            data={"changed": [name for name in changed if name != "secret"], "secret_changed": "secret" in changed},
        )
    return webhook


def webhook_send_test(*, webhook: DepartmentWebhook, actor) -> Message:
    """Post a test message to one robot (the delivery log then shows whether it arrived)."""
    if not can_manage_webhooks(actor, webhook.department):
        raise PermissionDeniedError(_("You may not configure this department's group robots."))
    message = Message(
        kind=MessageKind.TEST,
        title=_("Test message from CrowdSafe"),
        body=_("If this appears in the group, reminders and escalations for %(department)s will arrive here.")
        % {"department": webhook.department.name},
        department=webhook.department,
        actor=actor,
    )
    with transaction.atomic():
        fan_out([Outgoing(message=message, webhooks=[webhook])], now=timezone.now())
        log_action(actor=actor, subject=webhook, verb="test_sent", data={"message": message.pk})
    return message
