"""Field work on a gathering: crowd-control measures (远端控制, 分流限流, 疏出阻入, 单向通行, patrols, extra staff,
suspension) and headcounts over time."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from events import hooks
from events.choices import GatheringStatus, MeasureKind
from events.models import MAX_ATTENDANCE, Gathering, HeadcountUpdate, Measure
from events.services.common import check_work, evaluate, locked, refuse
from events.services.gatherings import retriage

# A field record may be dated a little in the future (a phone's clock runs ahead), not more.
CLOCK_SLACK = dt.timedelta(minutes=5)
TEXT_MAX = 2000


def _moment(value: dt.datetime | None, *, field: str, gathering: Gathering) -> dt.datetime:
    now = timezone.now()
    value = value or now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SLACK:
        raise DomainError(_("This time is in the future."), field=field)
    if value < gathering.starts_at - dt.timedelta(days=7):
        raise DomainError(_("This time is long before the gathering starts."), field=field)
    return value


def _text(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise DomainError(_("The text is too long (at most 2,000 characters)."), field=field)
    return value


def _check_open(row: Gathering) -> None:
    if not row.can_record_field_data():
        refuse(
            _(
                "Field records are kept while the gathering is reported, verified, under monitoring or suspended; "
                "this one is %(status)s."
            )
            % {"status": row.get_status_display()}
        )


def measure_record(
    *,
    gathering: Gathering,
    actor,
    kind: str,
    applied_at: dt.datetime | None = None,
    description: str = "",
    applied_by_unit: str = "",
    effect: str = "",
) -> Measure:
    """Record a measure applied on site. The first measure on a verified gathering puts it under monitoring."""
    if kind not in MeasureKind.values:
        raise DomainError(_("Choose the measure."), field="kind")
    description = _text(description, field="description")
    effect = _text(effect, field="effect")
    applied_by_unit = (applied_by_unit or "").strip()[:128]
    with transaction.atomic():
        row = locked(gathering)
        check_work(actor=actor, gathering=row)
        _check_open(row)
        applied_at = _moment(applied_at, field="applied_at", gathering=row)
        measure = Measure.objects.create(
            gathering=row,
            kind=kind,
            description=description,
            applied_by=actor if getattr(actor, "pk", None) else None,
            applied_by_unit=applied_by_unit or (actor.display_name if getattr(actor, "pk", None) else ""),
            applied_at=applied_at,
            effect=effect,
        )
        log_action(
            actor=actor,
            subject=row,
            verb="measure_applied",
            reason=description,
            data={"measure": measure.pk, "kind": kind, "applied_at": applied_at.isoformat()},
        )
        if row.status == GatheringStatus.VERIFIED:
            previous = row.status
            row.status = GatheringStatus.MONITORING
            row.save(update_fields=["status", "updated_at"])
            log_action(
                actor=actor,
                subject=row,
                verb="monitoring_started",
                from_state=previous,
                to_state=row.status,
                reason=str(MeasureKind(kind).label),
            )
            evaluate(row, actor=actor, events=("state_changed", "updated"))
    return measure


def measure_update(
    *, measure: Measure, actor, effect: str | None = None, ended_at: dt.datetime | None = None
) -> Measure:
    """Record a measure's effect, or that it was lifted."""
    with transaction.atomic():
        row = locked(measure.gathering)
        check_work(actor=actor, gathering=row)
        item = Measure.objects.select_for_update().get(pk=measure.pk, gathering=row)
        fields = []
        if effect is not None:
            item.effect = _text(effect, field="effect")
            fields.append("effect")
        if ended_at is not None:
            if item.ended_at is not None:
                refuse(_("This measure was already lifted."))
            ended_at = _moment(ended_at, field="ended_at", gathering=row)
            if ended_at < item.applied_at:
                raise DomainError(_("A measure cannot be lifted before it was applied."), field="ended_at")
            item.ended_at = ended_at
            fields.append("ended_at")
        if not fields:
            return item
        item.save(update_fields=[*fields, "updated_at"])
        log_action(
            actor=actor,
            subject=row,
            verb="measure_lifted" if "ended_at" in fields else "measure_effect",
            reason=item.effect if "effect" in fields else "",
            data={"measure": item.pk, "kind": item.kind},
        )
    return item


def headcount_record(
    *, gathering: Gathering, actor, count: int, observed_at: dt.datetime | None = None, note: str = ""
) -> HeadcountUpdate:
    """A headcount from the field. The gathering keeps the latest one, and a count above the estimate re-runs
    the pre-level (a crowd growing past the venue's capacity is escalated at once)."""
    if count is None or count < 0:
        raise DomainError(_("Enter the number of people."), field="count")
    if count > MAX_ATTENDANCE:
        raise DomainError(_("The number is too large."), field="count")
    note = (note or "").strip()[:255]
    with transaction.atomic():
        # Locked so two counts sent together both land and the later observation is kept as the latest.
        row = locked(gathering)
        check_work(actor=actor, gathering=row)
        _check_open(row)
        observed_at = _moment(observed_at, field="observed_at", gathering=row)
        update = HeadcountUpdate.objects.create(
            gathering=row,
            count=count,
            observed_at=observed_at,
            reported_by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
        log_action(
            actor=actor,
            subject=row,
            verb="headcount",
            reason=note,
            data={"headcount": update.pk, "count": count, "observed_at": observed_at.isoformat()},
        )
        if row.latest_headcount_at is None or observed_at >= row.latest_headcount_at:
            row.latest_headcount = count
            row.latest_headcount_at = observed_at
            row.save(update_fields=["latest_headcount", "latest_headcount_at", "updated_at"])
            if retriage(row, actor=actor):
                evaluate(row, actor=actor)
        hooks.headcount_recorded(update)  # the gathering's monitored zone (monitoring.hooks), same transaction
    return update
