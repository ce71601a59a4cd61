"""Deliveries over email, SMS and group robots: claimed for a lease, attempted outside any transaction, recorded.

- ``deliveries_claim`` takes waiting deliveries whose time has come (new, deferred past quiet hours, or waiting
  to be retried) and claimed ones whose lease has expired, with SELECT … FOR UPDATE SKIP LOCKED, and marks them
  claimed under a new token, counting the attempt.
- ``deliveries_send`` makes the attempts of one claim, one delivery at a time, and records each (an attempt row
  and the delivery's new state) with a conditional UPDATE … WHERE claim_token = token.
- A transient failure (timeout, 5xx, rate limit, SMTP 4xx) is tried again after an exponential backoff
  (``NOTIFICATIONS_RETRY_BASE_SECONDS`` · 2^(n-1), capped), at most ``NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS`` times;
  then it fails. A permanent failure fails at once. Retries are rows the scan picks up, never long-ETA tasks.

External channels are at least once, not exactly once: if a worker dies after the robot accepted a message and
before the result is recorded, the lease expires, the attempt is logged as *interrupted* (outcome unknown) and it
is tried again — a possible duplicate in the group chat rather than a lost escalation. The window is the length
of one HTTP call. Nothing is ever marked delivered that the channel did not accept.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.channels import Outcome, PermanentError, TransientError
from notifications.channels import email as email_channel
from notifications.channels import sms as sms_channel
from notifications.channels import webhooks as webhook_channel
from notifications.choices import AttemptOutcome, Channel, DeliveryStatus
from notifications.conf import lease, max_attempts, retry_delay, webhook_timeout
from notifications.models import Delivery, DeliveryAttempt
from notifications.services.reminders import CLAIM_CHUNK, Claim

logger = logging.getLogger(__name__)


def _clock(now: dt.datetime | None) -> Callable[[], dt.datetime]:
    """A frozen clock when the caller passes ``now`` (tests), the real one otherwise."""
    return (lambda: now) if now is not None else timezone.now


def deliveries_claim(
    *, now: dt.datetime | None = None, limit: int = 20000, ids: Sequence[int] | None = None
) -> list[Claim]:
    """Claim deliveries whose time has come, and those whose claim expired (an interrupted attempt: logged as such,
    failed if it was the last allowed one)."""
    now = now or timezone.now()
    claims: list[Claim] = []
    remaining = limit
    while remaining > 0:
        size = min(CLAIM_CHUNK, remaining)
        with transaction.atomic():
            qs = Delivery.objects.filter(
                Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                | Q(status=DeliveryStatus.CLAIMED, lease_expires_at__lt=now)
            )
            if ids is not None:
                qs = qs.filter(pk__in=list(ids))
            # The race: two scans, or a scan and the worker handed new deliveries right after a commit, claiming
            # at once. SKIP LOCKED gives each only rows the other has not locked: one claim per row.
            picked = list(
                qs.select_for_update(skip_locked=True)
                .order_by("next_attempt_at", "id")
                .values_list("id", "status", "attempts")[:size]
            )
            if not picked:
                break
            expired = [(pk, attempts) for pk, status, attempts in picked if status == DeliveryStatus.CLAIMED]
            if expired:
                DeliveryAttempt.objects.bulk_create(
                    [
                        DeliveryAttempt(
                            delivery_id=pk,
                            number=attempts,
                            started_at=now,
                            finished_at=now,
                            outcome=AttemptOutcome.INTERRUPTED,
                            error=_(
                                "The attempt did not finish before its lease expired (the worker stopped, or the "
                                "task was lost): whether the channel received it is unknown."
                            ),
                        )
                        for pk, attempts in expired
                    ],
                    ignore_conflicts=True,  # the slow worker may still record its own result for that number
                )
            exhausted = [pk for pk, attempts in expired if attempts >= max_attempts()]
            if exhausted:
                Delivery.objects.filter(pk__in=exhausted).update(
                    status=DeliveryStatus.FAILED,
                    claim_token=None,
                    lease_expires_at=None,
                    next_attempt_at=None,
                    last_error=_("Interrupted on the last allowed attempt."),
                )
            gone = set(exhausted)
            take = [pk for pk, _status, _attempts in picked if pk not in gone]
            token = uuid.uuid4()
            if take:
                Delivery.objects.filter(pk__in=take).update(
                    status=DeliveryStatus.CLAIMED,
                    claim_token=token,
                    lease_expires_at=now + lease(),
                    attempts=F("attempts") + 1,
                )
        if take:
            claims.append(Claim(token=token, ids=take))
        remaining -= len(picked)
        if len(picked) < size:
            break
    return claims


def _attempt(delivery: Delivery) -> Outcome:
    message = delivery.message
    if delivery.channel == Channel.EMAIL:
        email = email_channel.build(
            to=delivery.address, title=message.title, body=message.body, url=message.url, urgent=message.urgent
        )
        return email_channel.send(email)
    if delivery.channel == Channel.SMS:
        return sms_channel.get_backend().send(
            delivery.address, sms_channel.sms_text(title=message.title, urgent=message.urgent, url=message.url)
        )
    if delivery.channel in (Channel.WECOM, Channel.DINGTALK):
        hook = delivery.webhook
        if hook is None or not hook.is_active:
            raise PermanentError(_("The group robot was removed or switched off."))
        data = webhook_channel.payload(
            provider=hook.provider,
            title=message.title,
            body=message.body,
            url=message.url,
            urgent=message.urgent,
            keyword=hook.keyword,
        )
        return webhook_channel.post(provider=hook.provider, url=hook.url, secret=hook.secret, data=data)
    raise PermanentError(_("Nothing to send over this channel."))


def _record(
    delivery: Delivery,
    token: uuid.UUID,
    *,
    started: dt.datetime,
    finished: dt.datetime,
    outcome: str,
    response: str = "",
    error: str = "",
) -> str:
    """Write the attempt and the delivery's new state; returns the new status."""
    fields: dict = {"claim_token": None, "lease_expires_at": None, "last_error": error[:2000]}
    if outcome == AttemptOutcome.DELIVERED:
        fields.update(status=DeliveryStatus.DELIVERED, delivered_at=finished, next_attempt_at=None)
    elif outcome == AttemptOutcome.LOGGED:
        fields.update(status=DeliveryStatus.LOGGED, next_attempt_at=None)
    elif outcome == AttemptOutcome.TRANSIENT and delivery.attempts < max_attempts():
        fields.update(status=DeliveryStatus.PENDING, next_attempt_at=finished + retry_delay(delivery.attempts))
    else:
        fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery_id=delivery.pk,
                    number=delivery.attempts,
                    started_at=started,
                    finished_at=finished,
                    outcome=outcome,
                    response=(response or "")[:500],
                    error=error,
                )
            ],
            ignore_conflicts=True,
        )
        # The race: this worker was slow, its lease expired and a scan claimed the row again for another worker.
        # The conditional UPDATE leaves that claim alone: the attempt is logged, the state is the new claim's.
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.CLAIMED, claim_token=token).update(**fields)
    return fields["status"]


def deliveries_send(
    *, delivery_ids: Sequence[int], token: uuid.UUID | str | None = None, now: dt.datetime | None = None
) -> Counter:
    """Attempt the deliveries of a claim (``token``), or claim these ids first (``token`` None: deliveries just
    created, handed over after their transaction committed). Returns a count of the new statuses."""
    clock = _clock(now)
    if token is None:
        claims = deliveries_claim(ids=delivery_ids, now=clock(), limit=max(1, len(delivery_ids)))
    else:
        claims = [Claim(token=uuid.UUID(str(token)), ids=list(delivery_ids))]
    counts: Counter = Counter()
    # Never start an attempt that could outlive the lease (then another worker could take the row meanwhile).
    margin = dt.timedelta(seconds=webhook_timeout() + 5)
    for claim in claims:
        rows = (
            Delivery.objects.filter(pk__in=claim.ids, status=DeliveryStatus.CLAIMED, claim_token=claim.token)
            .select_related("message", "webhook", "recipient")
            .order_by("id")
        )
        for delivery in rows:
            started = clock()
            if delivery.lease_expires_at - started < margin:
                counts["left_for_later"] += 1
                continue
            response, error = "", ""
            try:
                outcome = _attempt(delivery)
                result = AttemptOutcome.DELIVERED if outcome.delivered else AttemptOutcome.LOGGED
                response = outcome.response
            except TransientError as exc:
                result, response, error = AttemptOutcome.TRANSIENT, exc.response, str(exc)
            except PermanentError as exc:
                result, response, error = AttemptOutcome.PERMANENT, exc.response, str(exc)
            except Exception as exc:  # a bug or an unforeseen error: retried within the bound, and logged loudly
                logger.exception("delivery %s failed unexpectedly", delivery.pk)
                result, error = AttemptOutcome.TRANSIENT, f"{type(exc).__name__}: {exc}"
            status = _record(
                delivery,
                claim.token,
                started=started,
                finished=clock(),
                outcome=result,
                response=response,
                error=error,
            )
            counts[status] += 1
    return counts
