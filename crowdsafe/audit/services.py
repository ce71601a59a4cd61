"""Writing the action log. Every service that changes state calls ``log_action`` inside its transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from crowdsafe.audit.models import ActionLog


class NotInTransactionError(RuntimeError):
    pass


def log_action(
    *,
    actor,
    subject: models.Model,
    verb: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> ActionLog:
    """Append one entry. Must run inside the transaction that makes the change it records, so that the
    change and its record commit or roll back together."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransactionError("log_action must be called inside transaction.atomic()")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return ActionLog.objects.create(
        actor=actor,
        actor_label=(actor.display_name if actor is not None else "系统")[:128],
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        subject_id=subject.pk,
        subject_label=str(subject)[:255],
        verb=verb,
        from_state=str(from_state or ""),
        to_state=str(to_state or ""),
        reason=reason or "",
        data=data or {},
    )
