"""Choices of spontaneous gatherings (群众自发性聚集活动). The values are stable: responsibility rules, the API and
the spreadsheets refer to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class GatheringKind(models.TextChoices):
    """What brings the crowd together (安阳市公安局 reply to proposal 355, 一: 自发祈福、娱乐庆祝、商场促销、
    线上转线下, and holiday crowds)."""

    FESTIVAL_RELIGIOUS = "festival_religious", _("Festival or religious gathering")
    CELEBRATION = "celebration", _("Celebration or entertainment")
    MALL_PROMOTION = "mall_promotion", _("Mall promotion")
    ONLINE_TO_OFFLINE = "online_to_offline", _("Online-to-offline check-in crowd")
    HOLIDAY_SIGHTSEEING = "holiday_sightseeing", _("Holiday sightseeing crowd")
    OTHER = "other", pgettext_lazy("gathering kind", "Other")


class GatheringStatus(models.TextChoices):
    """The life of a gathering record.

    expected → verified (confirmed by the township) | dismissed;
    reported → verified → monitoring (measures active) → ended;
    reported | expected | verified → merged (a duplicate of another record);
    reported | verified | monitoring → suspended | cancelled | postponed, each by a recorded decision;
    suspended → monitoring (the suspension lifted); postponed → verified (rescheduled).
    """

    EXPECTED = "expected", _("Expected")
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    MONITORING = "monitoring", _("Monitoring (measures active)")
    SUSPENDED = "suspended", _("Suspended")
    POSTPONED = "postponed", _("Postponed")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", pgettext_lazy("gathering status", "Cancelled")
    MERGED = "merged", _("Merged into a duplicate")
    DISMISSED = "dismissed", _("Dismissed")


TERMINAL_STATUSES = frozenset(
    {GatheringStatus.ENDED, GatheringStatus.CANCELLED, GatheringStatus.MERGED, GatheringStatus.DISMISSED}
)
OPEN_STATUSES = tuple(s.value for s in GatheringStatus if s not in TERMINAL_STATUSES)
# Statuses in which the gathering is known to be real (verified by the township or public security).
VERIFIED_STATUSES = (
    GatheringStatus.VERIFIED,
    GatheringStatus.MONITORING,
    GatheringStatus.SUSPENDED,
    GatheringStatus.POSTPONED,
    GatheringStatus.ENDED,
)


class GatheringSource(models.TextChoices):
    """How the gathering became known (三（四）, 四（十一）: grid patrols, 110 and citizen hotlines …)."""

    GRID_PATROL = "grid_patrol", _("Grid patrol")
    HOTLINE = "hotline", _("110 / 12345 hotline")
    ONLINE_MONITORING = "online_monitoring", _("Online monitoring")
    DEPARTMENT = "department", _("Department")
    VENUE_OPERATOR = "venue_operator", _("Venue operator")
    KEY_DATE = "key_date", _("Key-date calendar")


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    DAILY = "daily", _("Every day")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    YEARLY = "yearly", _("Every year")


class RiskLevel(models.TextChoices):
    """The four risk levels, coloured (DESIGN.md section 6): 低 blue, 一般 yellow, 较大 orange, 重大 red."""

    BLUE = "blue", _("Blue (low)")
    YELLOW = "yellow", _("Yellow (moderate)")
    ORANGE = "orange", _("Orange (high)")
    RED = "red", _("Red (major)")


RISK_ORDER = (RiskLevel.BLUE, RiskLevel.YELLOW, RiskLevel.ORANGE, RiskLevel.RED)
ESCALATED_LEVELS = (RiskLevel.ORANGE.value, RiskLevel.RED.value)


def risk_rank(level: str) -> int:
    return [str(v) for v in RISK_ORDER].index(str(level))


class RiskSource(models.TextChoices):
    """Where the current risk level comes from."""

    TRIAGE = "triage", _("Automatic pre-level")
    OVERRIDE = "override", _("Set by staff")
    ASSESSMENT = "assessment", _("Signed-off risk assessment")
    # Translators: 人流实时监测
    MONITORING = "monitoring", _("Live crowd monitoring")


class DecisionKind(models.TextChoices):
    """A recorded decision on a gathering (对存在较大安全风险隐患且无法排除的，暂停、取消或推迟举办)."""

    SUSPEND = "suspend", _("Suspend")
    CANCEL = "cancel", _("Cancel")
    POSTPONE = "postpone", _("Postpone")
    RESUME = "resume", _("Lift the suspension")
    RESCHEDULE = "reschedule", _("Reschedule")


class MeasureKind(models.TextChoices):
    """Crowd-control measures (远端控制、分流限流、疏出阻入、单向通行 …)."""

    UPSTREAM_HOLDING = "upstream_holding", _("Upstream holding")
    DIVERSION = "diversion", _("Diversion and flow limiting")
    LET_OUT_BLOCK_IN = "let_out_block_in", _("Let out and block in")
    ONE_WAY = "one_way", _("One-way flow")
    PATROL = "patrol", _("Patrols")
    EXTRA_STAFF = "extra_staff", _("Extra staff")
    SUSPENSION = "suspension", _("Suspension")
    OTHER = "other", pgettext_lazy("measure kind", "Other")


class DateRule(models.TextChoices):
    """How a key date falls each year."""

    FIXED = "fixed", _("Fixed solar date")
    HOLIDAY = "holiday", _("Statutory holiday (from the holiday calendar library)")
    EXPLICIT = "explicit", _("Dates entered for each year")


class Festival(models.TextChoices):
    """Statutory holidays, named as the chinese-calendar library names them (``chinese_calendar.Holiday``)."""

    NEW_YEARS_DAY = "new_years_day", _("New Year's Day")
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    TOMB_SWEEPING_DAY = "tomb_sweeping_day", _("Qingming (Tomb-sweeping Day)")
    LABOUR_DAY = "labour_day", _("May Day (Labour Day)")
    DRAGON_BOAT_FESTIVAL = "dragon_boat_festival", _("Dragon Boat Festival")
    MID_AUTUMN_FESTIVAL = "mid_autumn_festival", _("Mid-Autumn Festival")
    NATIONAL_DAY = "national_day", _("National Day")
