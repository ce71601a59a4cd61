"""The automatic risk pre-level of a gathering (风险预判): blue, yellow, orange or red, with its reasons in words.

1. The base level comes from the attendance. A venue with a single exit, or with a zone that only one exit serves,
   is red: the calculator discounts the one exit (it may be blocked), so the safe capacity there is 0 and any
   attendance exceeds it. Otherwise, at a venue with a safe capacity, the estimated attendance (or the
   latest headcount, when it is higher) as a share of that capacity (``TriageSettings.ratio_*``); at a free
   location — which has no capacity — or at a venue whose capacity is not recorded, from attendance bands
   (``band_*``: by default 300 / 1,000 / 5,000, after Order 505's 1,000 for a large event and 5,000 for the city's
   public security).
2. Aggravating factors each raise it one step, at most ``max_raise`` steps, never above red: the venue's risk
   points (steps, ramps, bridges …), night time, a statutory holiday (the working-day calendar), online hype
   (线上转线下). These are the event risk factors of DESIGN.md section 6.

The result is a list of *facts* (small dicts), rendered into sentences in the reader's language by
``render_reasons``; the gathering keeps the facts, so the reasons read in Chinese or English alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from crowdsafe.workdays.choices import DayType
from crowdsafe.workdays.selectors import day_info
from events.choices import RISK_ORDER, RiskLevel, risk_rank
from events.models import TriageSettings
from venues.capacity import exit_redundancy
from venues.choices import RiskPointKind

# Holidays are looked for on at most this many days of a long gathering.
MAX_DAYS_CHECKED = 7
DEFAULT_DURATION = dt.timedelta(hours=2)


def load_triage_settings() -> TriageSettings:
    """The one settings row (made with the defaults if an admin deleted it)."""
    settings_row = TriageSettings.objects.order_by("pk").first()
    return settings_row if settings_row is not None else TriageSettings.objects.create()


@dataclass
class TriageResult:
    level: str
    facts: list[dict] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return render_reasons(self.facts)


def _level_from(value, thresholds: tuple) -> tuple[str, object | None]:
    """The highest level whose threshold ``value`` reaches (yellow, orange, red), else blue; with the threshold."""
    yellow, orange, red = thresholds
    for level, threshold in ((RiskLevel.RED, red), (RiskLevel.ORANGE, orange), (RiskLevel.YELLOW, yellow)):
        if value >= threshold:
            return level.value, threshold
    return RiskLevel.BLUE.value, yellow


def _percent(share: Decimal) -> int:
    return int((share * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _is_night(moment: dt.time, starts: dt.time, ends: dt.time) -> bool:
    if starts <= ends:
        return starts <= moment < ends
    return moment >= starts or moment < ends


def _night(starts_at: dt.datetime, ends_at: dt.datetime, settings_row: TriageSettings) -> bool:
    """Does any part of the gathering fall at night? Checked at the start, the end, and each evening between."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    night_starts, night_ends = settings_row.night_starts, settings_row.night_ends
    if _is_night(start.time(), night_starts, night_ends) or _is_night(end.time(), night_starts, night_ends):
        return True
    day = start.date()
    while day <= end.date():
        evening = timezone.make_aware(dt.datetime.combine(day, night_starts))
        if start <= evening <= end:
            return True
        day += dt.timedelta(days=1)
    return False


def _holiday(starts_at: dt.datetime, ends_at: dt.datetime, info_of=day_info):
    start, end = timezone.localtime(starts_at).date(), timezone.localtime(ends_at).date()
    for offset in range(min((end - start).days + 1, MAX_DAYS_CHECKED)):
        info = info_of(start + dt.timedelta(days=offset))
        if info.type in (DayType.HOLIDAY, DayType.PROVISIONAL_HOLIDAY):
            return info
    return None


def triage(
    *,
    venue,
    estimated_attendance_max: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None,
    online_hype: bool,
    latest_headcount: int | None = None,
    settings_row: TriageSettings | None = None,
    risk_point_kinds: list[str] | None = None,
    redundancy=None,
    day_info_of=None,
) -> TriageResult:
    """Pre-level a gathering from its facts. ``venue`` may be None (a free location). ``risk_point_kinds`` and
    ``redundancy`` (``exit_redundancy``) may pass the venue's risk point kinds and exits already read (else they
    are read here), ``day_info_of`` a memo of ``day_info`` (an import pre-levels thousands of rows)."""
    settings_row = settings_row or load_triage_settings()
    facts: list[dict] = []
    attendance = estimated_attendance_max
    if latest_headcount is not None and latest_headcount > attendance:
        attendance = latest_headcount
        facts.append({"code": "headcount", "count": latest_headcount, "estimate": estimated_attendance_max})

    capacity = venue.computed_capacity if venue is not None else None
    if redundancy is None and venue is not None:
        redundancy = exit_redundancy(venue)
    if redundancy is not None and (redundancy.single_exit or redundancy.single_exit_zones):
        # A single exit makes the safe capacity 0 (the calculator discounts the exit that may be blocked): any
        # attendance exceeds it, so this is red, at least as severe as any venue with more exits (issue 20).
        level = RiskLevel.RED.value
        if redundancy.single_exit:
            facts.append({"code": "single_exit", "venue": venue.name, "attendance": attendance, "level": level})
        else:
            facts.append(
                {
                    "code": "single_exit_zones",
                    "venue": venue.name,
                    "zones": list(redundancy.single_exit_zones),
                    "level": level,
                }
            )
    elif venue is not None and capacity:
        share = Decimal(attendance) / Decimal(capacity)
        thresholds = (settings_row.ratio_yellow, settings_row.ratio_orange, settings_row.ratio_red)
        level, threshold = _level_from(share, thresholds)
        facts.append(
            {
                "code": "capacity",
                "venue": venue.name,
                "attendance": attendance,
                "capacity": capacity,
                "percent": _percent(share),
                "level": level,
                "threshold_percent": _percent(Decimal(threshold)),
            }
        )
    else:
        if venue is not None:
            missing = (
                "zones_and_exits"
                if not redundancy.zones and not redundancy.exits
                else ("zones" if not redundancy.zones else "exits")
            )
            facts.append({"code": "venue_without_capacity", "venue": venue.name, "missing": missing})
        else:
            facts.append({"code": "free_location"})
        thresholds = (settings_row.band_yellow, settings_row.band_orange, settings_row.band_red)
        level, threshold = _level_from(attendance, thresholds)
        facts.append({"code": "band", "attendance": attendance, "level": level, "threshold": threshold})

    factors = 0
    if venue is not None:
        kinds = (
            risk_point_kinds if risk_point_kinds is not None else list(venue.risk_points.values_list("kind", flat=True))
        )
        if len(kinds) >= settings_row.risk_points_min:
            facts.append({"code": "risk_points", "venue": venue.name, "count": len(kinds), "kinds": sorted(set(kinds))})
            factors += 1
    ends = ends_at or starts_at + DEFAULT_DURATION
    if _night(starts_at, ends, settings_row):
        facts.append(
            {
                "code": "night",
                "from": settings_row.night_starts.strftime("%H:%M"),
                "to": settings_row.night_ends.strftime("%H:%M"),
            }
        )
        factors += 1
    holiday = _holiday(starts_at, ends, day_info_of or day_info)
    if holiday is not None:
        facts.append({"code": "holiday", "date": holiday.date.isoformat(), "name": holiday.name})
        factors += 1
    if online_hype:
        facts.append({"code": "online_hype"})
        factors += 1

    base = level
    steps = min(factors, settings_row.max_raise)
    final = RISK_ORDER[min(risk_rank(base) + steps, len(RISK_ORDER) - 1)].value
    if final != base:
        facts.append({"code": "raised", "from": base, "to": final, "factors": factors, "max": settings_row.max_raise})
    elif factors and base == RiskLevel.RED:
        facts.append({"code": "already_red", "factors": factors})
    elif factors and steps == 0:
        facts.append({"code": "not_raised", "factors": factors})
    return TriageResult(level=final, facts=facts)


def triage_gathering(gathering, *, settings_row: TriageSettings | None = None) -> TriageResult:
    return triage(
        venue=gathering.venue,
        estimated_attendance_max=gathering.estimated_attendance_max,
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        online_hype=gathering.online_hype,
        latest_headcount=gathering.latest_headcount,
        settings_row=settings_row,
    )


# --- reasons in words -------------------------------------------------------------------------------------


def level_label(level: str) -> str:
    try:
        return str(RiskLevel(level).label)
    except ValueError:
        return level


def _n(value) -> str:
    return number_format(value, force_grouping=True)


def _risk_point_names(kinds: list[str]) -> str:
    names = []
    for kind in kinds:
        try:
            names.append(str(RiskPointKind(kind).label))
        except ValueError:
            names.append(kind)
    return pgettext("list separator", ", ").join(names)


def render_fact(fact: dict) -> str:
    code = fact.get("code")
    if code == "capacity":
        return _(
            "Estimated attendance of up to %(attendance)s is %(percent)s%% of the safe capacity of %(venue)s "
            "(%(capacity)s): %(level)s (from %(threshold)s%%)."
        ) % {
            "attendance": _n(fact["attendance"]),
            "percent": fact["percent"],
            "venue": fact["venue"],
            "capacity": _n(fact["capacity"]),
            "level": level_label(fact["level"]),
            "threshold": fact["threshold_percent"],
        }
    if code == "single_exit":
        return _(
            "%(venue)s has a single exit: discounting it in case it is blocked leaves no way out, so its safe "
            "capacity is 0 and any attendance (here up to %(attendance)s) exceeds it: %(level)s."
        ) % {"venue": fact["venue"], "attendance": _n(fact["attendance"]), "level": level_label(fact["level"])}
    if code == "single_exit_zones":
        return ngettext(
            "In %(venue)s, %(zones)s has a single exit: discounting it in case it is blocked leaves no way out, so "
            "its safe capacity is 0 and any attendance there exceeds it: %(level)s.",
            "In %(venue)s, %(zones)s each have a single exit: discounting it in case it is blocked leaves no way "
            "out, so their safe capacity is 0 and any attendance there exceeds it: %(level)s.",
            len(fact["zones"]),
        ) % {
            "venue": fact["venue"],
            "zones": pgettext("list separator", ", ").join(fact["zones"]),
            "level": level_label(fact["level"]),
        }
    if code == "venue_without_capacity":
        missing = fact.get("missing", "zones_and_exits")
        if missing == "zones":
            return _("%(venue)s has no safe capacity recorded (no zones): the attendance bands apply.") % {
                "venue": fact["venue"]
            }
        if missing == "exits":
            return _("%(venue)s has no safe capacity recorded (no exits): the attendance bands apply.") % {
                "venue": fact["venue"]
            }
        return _("%(venue)s has no safe capacity recorded (no zones and exits): the attendance bands apply.") % {
            "venue": fact["venue"]
        }
    if code == "free_location":
        return _("A free location has no safe capacity: the attendance bands apply.")
    if code == "band":
        if fact["level"] == RiskLevel.BLUE:
            return _("Estimated attendance of up to %(attendance)s is below %(threshold)s people: %(level)s.") % {
                "attendance": _n(fact["attendance"]),
                "threshold": _n(fact["threshold"]),
                "level": level_label(fact["level"]),
            }
        return _("Estimated attendance of up to %(attendance)s: %(level)s (from %(threshold)s people).") % {
            "attendance": _n(fact["attendance"]),
            "threshold": _n(fact["threshold"]),
            "level": level_label(fact["level"]),
        }
    if code == "headcount":
        return _("The latest headcount (%(count)s) is above the estimate (%(estimate)s) and is used instead.") % {
            "count": _n(fact["count"]),
            "estimate": _n(fact["estimate"]),
        }
    if code == "risk_points":
        return ngettext(
            "%(venue)s has %(count)s risk point (%(kinds)s).",
            "%(venue)s has %(count)s risk points (%(kinds)s).",
            fact["count"],
        ) % {"venue": fact["venue"], "count": fact["count"], "kinds": _risk_point_names(fact["kinds"])}
    if code == "night":
        return _("It takes place at night (%(from)s–%(to)s).") % {"from": fact["from"], "to": fact["to"]}
    if code == "holiday":
        return _("It falls on a statutory holiday (%(name)s, %(date)s).") % {
            "name": fact["name"] or _("holiday"),
            "date": fact["date"],
        }
    if code == "online_hype":
        return _("It is hyped online (online-to-offline, 线上转线下).")
    if code == "raised":
        return ngettext(
            "%(factors)s aggravating factor raises the level from %(from)s to %(to)s (steps allowed: %(max)s).",
            "%(factors)s aggravating factors raise the level from %(from)s to %(to)s (steps allowed: %(max)s).",
            fact["factors"],
        ) % {
            "factors": fact["factors"],
            "from": level_label(fact["from"]),
            "to": level_label(fact["to"]),
            "max": fact["max"],
        }
    if code == "already_red":
        return _("The aggravating factors cannot raise it further: red is the highest level.")
    if code == "not_raised":
        return _("Aggravating factors do not raise the level (the thresholds allow no step).")
    return str(fact.get("text", ""))


def render_reasons(facts: list[dict]) -> list[str]:
    return [render_fact(fact) for fact in facts]


def display_reasons(gathering) -> list[str]:
    """The reasons of the gathering's current level in the reader's language: the automatic pre-level's facts
    rendered now, or the words staff or an assessment gave."""
    if gathering.risk_source == "triage" and gathering.risk_facts:
        return render_reasons(gathering.risk_facts)
    return list(gathering.risk_reasons or [])
