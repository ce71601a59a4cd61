"""The key-date calendar (重点时段): saving key dates and the triage thresholds (admins), and the daily scan
that, ``lead_days`` before an occasion, makes an expected gathering for every place that had one at the
previous occurrence — each with a task for the township to confirm or dismiss it (rule
``events.confirm_expected``).

The scan is idempotent: each expected gathering's form key is derived from (key date, occurrence, place), so a
second run the same day, the next day, or two workers at once make nothing new — and a prediction the
township dismissed is not made again.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from events.choices import DateRule, GatheringKind, GatheringSource, GatheringStatus
from events.models import Gathering, KeyDate, KeyDateOccurrence, TriageSettings
from events.occasions import Occurrence, next_occurrence, previous_occurrence
from events.services.common import full_clean
from events.services.gatherings import gathering_report
from venues.choices import VenueKind

logger = logging.getLogger(__name__)

KEY_NAMESPACE = uuid.UUID("6f1d2c1e-5b8a-4c39-9d0e-3a7f6b2e8c41")
# A previous occurrence's gathering in one of these states did not take place, or was only a prediction.
NOT_HELD = (GatheringStatus.EXPECTED, GatheringStatus.MERGED, GatheringStatus.DISMISSED, GatheringStatus.CANCELLED)


def _check_admin(actor) -> None:
    if actor is None:
        return
    scope = get_scope(actor)
    if not (scope.is_superuser or scope.admin_paths):
        raise PermissionDeniedError(_("Only a system administrator may change this."))


def key_date_save(*, key_date: KeyDate, actor, changed: list[str] | tuple = ()) -> KeyDate:
    """Validate and save a key date (new or edited, from the admin), logging it."""
    _check_admin(actor)
    if key_date.rule == DateRule.FIXED:
        if key_date.month is None or key_date.day is None:
            raise DomainError(_("Give the month and day of a fixed date."), field="month")
        try:
            dt.date(2000, key_date.month, key_date.day)  # a leap year: 29 February is allowed
        except ValueError as exc:
            raise DomainError(_("There is no such day in that month."), field="day") from exc
    if key_date.rule == DateRule.HOLIDAY and not key_date.festival:
        raise DomainError(_("Choose the statutory holiday."), field="festival")
    for value in key_date.gathering_kinds or []:
        if value not in GatheringKind.values:
            raise DomainError(_("Unknown kind of gathering “%(value)s”.") % {"value": value}, field="gathering_kinds")
    for value in key_date.venue_kinds or []:
        if value not in VenueKind.values:
            raise DomainError(_("Unknown kind of venue “%(value)s”.") % {"value": value}, field="venue_kinds")
    full_clean(key_date, exclude=["jurisdiction"])
    with transaction.atomic():
        created = key_date.pk is None
        key_date.save()
        log_action(
            actor=actor,
            subject=key_date,
            verb="created" if created else "updated",
            data={"changed": list(changed)} if changed else {},
        )
    return key_date


def key_date_occurrence_save(*, occurrence: KeyDateOccurrence, actor) -> KeyDateOccurrence:
    """Enter or correct one year's dates of a key date whose dates are entered by hand (a local temple fair)."""
    _check_admin(actor)
    if occurrence.ends_on is None:
        occurrence.ends_on = occurrence.starts_on
    if occurrence.ends_on < occurrence.starts_on:
        raise DomainError(_("The last day is before the first day."), field="ends_on")
    full_clean(occurrence, exclude=["key_date"])
    with transaction.atomic():
        occurrence.save()
        log_action(
            actor=actor,
            subject=occurrence.key_date,
            verb="key_date_dates_set",
            data={"starts_on": occurrence.starts_on.isoformat(), "ends_on": occurrence.ends_on.isoformat()},
        )
    return occurrence


def key_date_occurrence_delete(*, occurrence: KeyDateOccurrence, actor) -> None:
    _check_admin(actor)
    with transaction.atomic():
        log_action(
            actor=actor,
            subject=occurrence.key_date,
            verb="key_date_dates_removed",
            data={"starts_on": occurrence.starts_on.isoformat(), "ends_on": occurrence.ends_on.isoformat()},
        )
        occurrence.delete()


def triage_settings_save(*, settings_row: TriageSettings, actor, changed: list[str] | tuple = ()) -> TriageSettings:
    """Validate and save the thresholds of the automatic pre-level (they apply to the next triage of each
    gathering: a new report, a change of its facts or a headcount)."""
    _check_admin(actor)
    if not settings_row.ratio_yellow <= settings_row.ratio_orange <= settings_row.ratio_red:
        raise DomainError(_("The shares must rise from yellow to orange to red."), field="ratio_orange")
    if not settings_row.band_yellow <= settings_row.band_orange <= settings_row.band_red:
        raise DomainError(_("The bands must rise from yellow to orange to red."), field="band_orange")
    full_clean(settings_row)
    with transaction.atomic():
        settings_row.save()
        log_action(actor=actor, subject=settings_row, verb="updated", data={"changed": list(changed)})
    return settings_row


# --- the daily scan ------------------------------------------------------------------------------------


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def place_key(gathering: Gathering) -> str:
    if gathering.venue_id:
        return f"venue:{gathering.venue_id}"
    name = "".join((gathering.location_name or "").split()).lower()
    return f"place:{gathering.grid_id}:{name}"


def held_at(key_date: KeyDate, occurrence: Occurrence) -> list[Gathering]:
    """The gatherings of an occurrence, one per place (the latest), filtered as the key date says."""
    start, end = _day_bounds(occurrence.starts_on, occurrence.ends_on)
    qs = (
        Gathering.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=NOT_HELD)
        .select_related("venue", "grid", "organizer")
        .order_by("-starts_at", "-pk")
    )
    if key_date.gathering_kinds:
        qs = qs.filter(kind__in=key_date.gathering_kinds)
    if key_date.venue_kinds:
        qs = qs.filter(venue__kind__in=key_date.venue_kinds)
    if key_date.jurisdiction_id:
        qs = qs.filter(jurisdiction_path__startswith=key_date.jurisdiction.path)
    by_place: dict[str, Gathering] = {}
    for gathering in qs:
        by_place.setdefault(place_key(gathering), gathering)
    return list(by_place.values())


def _shift(moment: dt.datetime | None, days: int) -> dt.datetime | None:
    """The same wall-clock time ``days`` later (across a daylight-saving change, were there one)."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=days), local.time()))


@dataclass
class ScanResult:
    created: list[Gathering]
    skipped: int = 0


def expected_gathering_for(*, key_date: KeyDate, occurrence: Occurrence, previous: Occurrence, template: Gathering):
    """Make (or find) the expected gathering predicted from ``template``. Returns (gathering, created)."""
    days = (occurrence.starts_on - previous.starts_on).days
    key = uuid.uuid5(KEY_NAMESPACE, f"{key_date.pk}:{occurrence.starts_on.isoformat()}:{place_key(template)}")
    description = _("Expected for %(occasion)s: a gathering took place here on %(date)s (“%(title)s”).") % {
        "occasion": key_date.name,
        "date": timezone.localtime(template.starts_at).date().isoformat(),
        "title": template.title,
    }
    return gathering_report(
        actor=None,
        idempotency_key=key,
        status=GatheringStatus.EXPECTED,
        key_date=key_date,
        occurrence_on=occurrence.starts_on,
        expected_from=template,
        title=template.title,
        kind=template.kind,
        venue=template.venue,
        grid=template.grid,
        location_name=template.location_name,
        latitude=template.latitude,
        longitude=template.longitude,
        starts_at=_shift(template.starts_at, days),
        ends_at=_shift(template.ends_at, days),
        recurrence=template.recurrence,
        organizer=template.organizer,
        organizer_name=template.organizer_name,
        organizer_phone=template.organizer_phone,
        estimated_attendance_min=template.estimated_attendance_min,
        estimated_attendance_max=max(template.estimated_attendance_max, template.latest_headcount or 0),
        source=GatheringSource.KEY_DATE,
        source_reference=key_date.name[:64],
        online_hype=template.online_hype,
        description=description,
    )


def expected_gatherings_create(*, today: dt.date | None = None) -> ScanResult:
    """The daily scan (Celery beat): for each active key date whose next occurrence starts within its
    ``lead_days``, make the expected gatherings of the places that had one at the previous occurrence."""
    today = today or timezone.localdate()
    result = ScanResult(created=[])
    for key_date in KeyDate.objects.filter(is_active=True).select_related("jurisdiction").prefetch_related("dates"):
        explicit = list(key_date.dates.all())
        occurrence = next_occurrence(key_date, today, explicit=explicit)
        if occurrence is None or today < occurrence.starts_on - dt.timedelta(days=key_date.lead_days):
            continue
        previous = previous_occurrence(key_date, occurrence.starts_on, explicit=explicit)
        if previous is None:
            continue
        for template in held_at(key_date, previous):
            if template.venue_id and not template.venue.is_active:
                result.skipped += 1
                continue
            try:
                gathering, created = expected_gathering_for(
                    key_date=key_date, occurrence=occurrence, previous=previous, template=template
                )
            except DomainError as exc:  # a place that no longer fits (e.g. its grid was moved): skip it
                logger.warning("expected gathering from %s for %s skipped: %s", template.pk, key_date, exc.message)
                result.skipped += 1
                continue
            if created:
                result.created.append(gathering)
    return result
