"""Celery tasks of the risk app: thin, ids in, one service call each."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model


@shared_task(name="risk.assign_campaign_targets", ignore_result=True)
def assign_campaign_targets(campaign_id: int, actor_id: int | None = None) -> None:
    """Make the tasks of a large campaign's venues. Idempotent: targets whose task is made are skipped, and the
    engine's dedupe key makes one task per target even if two workers run it at once."""
    from risk.services import campaign_assign_targets

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    campaign_assign_targets(campaign_id=campaign_id, actor=actor)


@shared_task(name="risk.tasks.hazardcounts_compact")
def hazardcounts_compact() -> int:
    """Every few minutes (beat): fold the hazard list's counter rows (``risk.counts``). Returns the rows folded."""
    from risk.counts import hazardcounts_compact as compact

    return compact()[0]


@shared_task(name="risk.tasks.hazardcounts_check")
def hazardcounts_check() -> dict:
    """Nightly (beat): fold, verify the counters against a recount of the hazards, rebuild them if they differ."""
    from risk.counts import hazardcounts_check as check

    return check()
