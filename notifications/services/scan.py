"""The scan the beat schedule runs every minute (``crowdsafe/celery.py``): plan the reminders that have come due,
claim them and hand each batch to a worker, claim the deliveries whose time has come (retries, the end of quiet
hours, claims whose worker died), and send the daily digests that are due.

It is safe to run anywhere and any number of times at once (every step is idempotent or claims with SKIP
LOCKED), and it needs nothing from the web requests that made the tasks: a task made while the broker was down is
found by the next scan after the broker is back.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.utils import timezone

from notifications.conf import batch_size, max_claims
from notifications.services.deliveries import deliveries_claim, deliveries_send
from notifications.services.digests import digests_send
from notifications.services.reminders import reminders_claim, reminders_plan_and_claim, reminders_send

logger = logging.getLogger(__name__)


@dataclass
class ScanReport:
    planned: int = 0
    reminders_claimed: int = 0
    reminder_batches: int = 0
    deliveries_claimed: int = 0
    digests: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        timings = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in self.seconds.items())
        return (
            f"planned {self.planned}, claimed {self.reminders_claimed} reminders in {self.reminder_batches} batches "
            f"and {self.deliveries_claimed} deliveries, {self.digests} digests ({timings})"
        )


def _hand_over(task, batches: list[tuple]) -> None:
    """Enqueue one message per batch, all through one producer (one broker connection for the lot). If the broker
    is unreachable the claimed rows simply wait for their lease to expire and the next scan claims them again —
    nothing is lost."""
    from crowdsafe.celery import app

    if not batches:
        return
    try:
        with app.producer_or_acquire() as producer:
            for ids, token in batches:
                # A short argsrepr: Celery would otherwise build a "safe repr" of every id for its monitoring.
                task.apply_async(args=(ids, token), producer=producer, argsrepr=f"([{len(ids)} ids], {token!r})")
    except Exception:
        logger.warning("could not enqueue %s; the claims will expire and be taken again", task.name, exc_info=True)


def scan(*, now: dt.datetime | None = None, inline: bool = False) -> ScanReport:
    """One scan at ``now``. ``inline`` sends in this process instead of handing batches to workers (management
    commands, the demo, tests with a frozen clock)."""
    from notifications import tasks

    now = now or timezone.now()
    report = ScanReport()
    started = time.perf_counter()
    report.planned, claims = reminders_plan_and_claim(now=now, limit=max_claims())
    report.seconds["plan"] = time.perf_counter() - started

    started = time.perf_counter()
    size = batch_size()
    # What this scan planned is claimed already; then what earlier scans left waiting, and expired claims.
    claimed = sum(len(claim.ids) for claim in claims)
    claims += reminders_claim(now=now, limit=max(0, max_claims() - claimed))
    batches = []
    for claim in claims:
        report.reminders_claimed += len(claim.ids)
        for start in range(0, len(claim.ids), size):
            chunk = claim.ids[start : start + size]
            report.reminder_batches += 1
            if inline:
                result = reminders_send(reminder_ids=chunk, token=claim.token, now=now, enqueue=False)
                if result.delivery_ids:
                    deliveries_send(delivery_ids=result.delivery_ids, now=now)
            else:
                batches.append((chunk, str(claim.token)))
    _hand_over(tasks.send_reminders, batches)
    report.seconds["claim_reminders"] = time.perf_counter() - started

    started = time.perf_counter()
    from notifications.services.dispatch import DELIVERY_BATCH

    batches = []
    for claim in deliveries_claim(now=now, limit=max_claims()):
        report.deliveries_claimed += len(claim.ids)
        for start in range(0, len(claim.ids), DELIVERY_BATCH):
            chunk = claim.ids[start : start + DELIVERY_BATCH]
            if inline:
                deliveries_send(delivery_ids=chunk, token=claim.token, now=now)
            else:
                batches.append((chunk, str(claim.token)))
    _hand_over(tasks.deliver, batches)
    report.seconds["claim_deliveries"] = time.perf_counter() - started

    started = time.perf_counter()
    digest_deliveries = digests_send(now=now, enqueue=not inline)
    report.digests = len(digest_deliveries)
    if inline and digest_deliveries:
        deliveries_send(delivery_ids=digest_deliveries, now=now)
    report.seconds["digests"] = time.perf_counter() - started
    return report
