"""Gatherings as subjects of the responsibility engine (属地管理, 谁的场地谁负责, 管行业必须管安全).

The rules themselves are data, seeded by ``events/migrations/0002_seed_rules_and_defaults.py`` with the keys
below (and ``events.territorial_control``, seeded by the duties app). The gathering services evaluate them inside
the transaction of every change and settle the tasks of a gathering when it ends, is cancelled, merged or
dismissed (``tasks_settle``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from duties.subjects import register_subject
from events.choices import TERMINAL_STATUSES, VERIFIED_STATUSES
from events.models import Gathering

TERRITORIAL_CONTROL = "events.territorial_control"  # seeded by duties 0002/0004: risk ≥ orange → township
TERRITORIAL_VERIFY = "events.territorial_verify"
CONFIRM_EXPECTED = "events.confirm_expected"
ON_DUTY_POLICE = "events.on_duty_police"
PUBLIC_ORDER = "events.public_order"
VENUE_OPERATOR = "events.venue_operator"
ORGANIZER = "events.organizer"
# Departments that a kind of venue brings (the venue rules of duties 0002): key → (department kind, venue kinds).
INDUSTRY_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "events.industry_fire_rescue": (
        "fire_rescue",
        ("commercial", "stadium", "theatre", "exhibition", "entertainment", "station", "hospital"),
    ),
    "events.industry_culture_tourism": ("culture_tourism", ("scenic_area", "entertainment", "theatre")),
    "events.industry_housing": ("housing", ("park",)),
    "events.industry_education": ("education", ("school",)),
    "events.industry_health": ("health", ("hospital",)),
    "events.industry_transport": ("transport", ("station",)),
    "events.industry_civil_affairs": ("civil_affairs", ("elderly_care",)),
}
SPECIAL_EQUIPMENT = "events.industry_special_equipment"
# Duties only red (重大) calls for, beyond orange's: seeded by alerts/migrations/0002_seed_rules.py.
RED_KEYS = (
    "events.red_emergency_readiness",
    "events.red_flow_control",
    "events.red_fire_standby",
    "events.red_territorial_command",
)
ALL_KEYS = (
    *RED_KEYS,
    TERRITORIAL_CONTROL,
    TERRITORIAL_VERIFY,
    CONFIRM_EXPECTED,
    ON_DUTY_POLICE,
    PUBLIC_ORDER,
    VENUE_OPERATOR,
    ORGANIZER,
    SPECIAL_EQUIPMENT,
    *INDUSTRY_RULES,
)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def gathering_attributes(gathering: Gathering) -> dict[str, Any]:
    """What rule conditions may test on a gathering (and the dates deadlines count from)."""
    today = timezone.localdate()
    starts_on = local_date(gathering.starts_at)
    venue = gathering.venue if gathering.venue_id else None
    return {
        "kind": gathering.kind,
        "status": gathering.status,
        "risk_level": gathering.risk_level,
        "is_active": gathering.status not in TERMINAL_STATUSES,
        "is_verified": gathering.status in VERIFIED_STATUSES,
        "source": gathering.source,
        "online_hype": gathering.online_hype,
        "estimated_attendance": gathering.estimated_attendance_max,
        "has_venue": venue is not None,
        "venue_kind": venue.kind if venue is not None else "",
        "has_operator": venue is not None and venue.operator_id is not None,
        "venue_has_special_equipment": venue is not None and venue.special_equipment.exists(),
        "has_organizer": gathering.organizer_id is not None,
        "starts_on": starts_on,
        # Due on the day it starts, or at once for one already under way.
        "respond_by": max(starts_on, today),
        # An expected gathering is confirmed or dismissed the day before it starts at the latest.
        "confirm_by": max(starts_on - dt.timedelta(days=1), today),
    }


def connect() -> None:
    register_subject(
        Gathering,
        subject_type="gathering",
        jurisdiction=lambda gathering: gathering.grid,
        # The venue operator (谁的场地谁负责); an organizer known as a registered organisation is named through
        # ``assignee`` for the organizer's rule.
        organisation=lambda gathering: gathering.venue.operator if gathering.venue_id else None,
        attributes=gathering_attributes,
        label=lambda gathering: gathering.title,
        assignee=lambda gathering: gathering.organizer,
    )
