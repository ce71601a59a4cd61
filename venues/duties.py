"""Venues as subjects of the responsibility engine (谁的场地谁负责, 管行业必须管安全, 属地管理).

Registers ``Venue`` with the duties app and evaluates the responsibility rules inside the transaction of every
venue change, so a venue and the duties it brings commit together (or not at all).
"""

from __future__ import annotations

from typing import Any

from duties.services import tasks_evaluate
from duties.subjects import register_subject
from venues.models import Venue


def venue_attributes(venue: Venue) -> dict[str, Any]:
    """What rule conditions may test on a venue."""
    dues = sorted(venue.special_equipment.values_list("next_inspection_due", flat=True))
    return {
        "kind": venue.kind,
        "is_active": venue.is_active,
        "has_special_equipment": bool(dues),
        "special_equipment_next_inspection": dues[0] if dues else None,
    }


def evaluate_venue_duties(*, venue: Venue, event: str, actor) -> None:
    tasks_evaluate(subject=venue, event=event, actor=actor)


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
