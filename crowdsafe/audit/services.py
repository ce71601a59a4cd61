"""Writing the action log. Every service that changes state calls ``log_action`` inside its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class LogEntry:
    """One entry of ``log_actions``: what ``log_action`` takes, but the actor."""

    subject: models.Model
    verb: str
    from_state: str = ""
    to_state: str = ""
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


# How many entries one INSERT of ``log_actions`` carries.
LOG_BATCH = 2000


def log_actions(*, actor, entries: Sequence[LogEntry]) -> list[ActionLog]:
    """Append many entries by one actor in a few INSERTs (an import of thousands of rows): the same rows
    ``log_action`` would write one by one, in the order given. Inside the transaction of the change, as
    ``log_action``."""
    if not entries:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransactionError("log_actions must be called inside transaction.atomic()")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    actor_label = (actor.display_name if actor is not None else "系统")[:128]
    rows = [
        ActionLog(
            actor=actor,
            actor_label=actor_label,
            subject_type=ContentType.objects.get_for_model(entry.subject, for_concrete_model=True),
            subject_id=entry.subject.pk,
            subject_label=str(entry.subject)[:255],
            verb=entry.verb,
            from_state=str(entry.from_state or ""),
            to_state=str(entry.to_state or ""),
            reason=entry.reason or "",
            data=entry.data or {},
        )
        for entry in entries
    ]
    return ActionLog.objects.bulk_create(rows, batch_size=LOG_BATCH)
