"""Venues as subjects of the responsibility engine (谁的场地谁负责, 管行业必须管安全, 属地管理).

Registers ``Venue`` with the duties app and evaluates the responsibility rules inside the transaction of every
venue change, so a venue and the duties it brings commit together (or not at all).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duties.services import tasks_evaluate, tasks_settle
from duties.subjects import register_subject
from venues.models import Venue

# Rule keys of the building safety appraisal (venues/migrations/0006): the owner appraises, housing supervises.
APPRAISAL_KEYS = ("venues.appraisal_owner", "venues.appraisal_housing")


def venue_attributes(venue: Venue) -> dict[str, Any]:
    """What rule conditions may test on a venue."""
    dues = sorted(venue.special_equipment.values_list("next_inspection_due", flat=True))
    return {
        "kind": venue.kind,
        "is_active": venue.is_active,
        "has_special_equipment": bool(dues),
        "special_equipment_next_inspection": dues[0] if dues else None,
        # Issue 21 point 4: past its design service life with no appraisal since (the "safety appraisal required"
        # badge) — the owner's and the housing department's duty (rules ``venues.appraisal_*``).
        "safety_appraisal_required": venue.safety_appraisal_required(),
    }


def evaluate_venue_duties(*, venue: Venue, event: str, actor) -> None:
    if not venue.safety_appraisal_required():
        # An appraisal recorded (or a service life corrected) settles the appraisal duties still open as done
        # (before the engine would cancel them as no longer matching).
        tasks_settle(
            subject=venue, keys=list(APPRAISAL_KEYS), actor=actor, note=_("The building safety appraisal is recorded.")
        )
    tasks_evaluate(subject=venue, event=event, actor=actor)


def appraisal_scan(*, actor=None, today=None) -> int:
    """Venues whose building reached its design service life this year or before and has no appraisal since: their
    appraisal duties open (a building crosses the line with time, not only when its record is saved). Run daily
    by beat (``venues.appraisal_scan``); ``tasks_evaluate`` opens a rule's task once per subject, so it is
    idempotent. Returns the number of venues evaluated."""
    year = (today or timezone.localdate()).year
    candidates = (
        Venue.objects.filter(is_active=True, built_year__isnull=False, design_service_life_years__isnull=False)
        .annotate(ends=F("built_year") + F("design_service_life_years"))
        .filter(ends__lte=year)
    )
    candidates = candidates.filter(Q(safety_appraisal_date__isnull=True) | Q(safety_appraisal_date__year__lt=F("ends")))
    count = 0
    for venue in candidates.iterator():
        tasks_evaluate(subject=venue, event="updated", actor=actor)
        count += 1
    return count


def connect() -> None:
    from venues.services import VENUE_CHANGED_HOOKS

    register_subject(
        Venue,
        subject_type="venue",
        jurisdiction=lambda venue: venue.grid,
        organisation=lambda venue: venue.operator,
        attributes=venue_attributes,
        label=lambda venue: venue.name,
    )
    if evaluate_venue_duties not in VENUE_CHANGED_HOOKS:
        VENUE_CHANGED_HOOKS.append(evaluate_venue_duties)
