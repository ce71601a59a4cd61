"""Celery tasks of the official-documents app: thin, ids in, one service call each."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from notices import services
from notices.models import Notice

# A notice still without its PDF this long after issue lost its task (broker down at commit time, say).
RENDER_GRACE = dt.timedelta(minutes=2)
RENDER_SCAN_LIMIT = 200


@shared_task(
    name="notices.render_notice",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=5,
    max_retries=3,
)
def render_notice(notice_id: int) -> None:
    """Render one issued document's PDF. A second run does nothing: the service finds the stored PDF."""
    services.notice_render(notice_id=notice_id)


@shared_task(name="notices.render_pending", ignore_result=True)
def render_pending() -> int:
    """Enqueue the rendering of issued documents whose PDF is still missing a while after issue (their task was
    lost). Rendering is idempotent, so a document whose task is merely late is not rendered twice."""
    cutoff = timezone.now() - RENDER_GRACE
    ids = list(
        Notice.objects.filter(pdf="", issued_at__lt=cutoff)
        .order_by("issued_at")
        .values_list("pk", flat=True)[:RENDER_SCAN_LIMIT]
    )
    for notice_id in ids:
        render_notice.delay(notice_id)
    return len(ids)
