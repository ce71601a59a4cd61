"""Scoring a risk assessment (DESIGN.md section 6): factors → likelihood and severity on 1–5 → score → level.

Pure functions of plain values, so they are easy to test and to explain:

1. Each **factor** is scored 0–3 by the assessor (0 none, 3 high); the platform suggests a score where its data
   allow (attendance against the venue's safe capacity, the venue's steps, ramps, bridges and narrow passages,
   the day type and hour from the working-day calendar, open hazards), and the assessor may change it.
2. **Likelihood** (可能性) before controls comes from the factors that make a crowd accident more likely:
   attendance against capacity, venue features, time, weather, online hype (线上转线下) and history. Their sum
   (0–18) maps to 1–5 (``1 + ceil(sum / 3)``, at most 5); attendance at or above 80 % of the safe capacity
   raises it to at least 3, above the safe capacity to at least 4.
3. **Severity** (严重程度) comes from the number of people (Order 505's 1,000 and 5,000 thresholds, then 20,000)
   plus half the crowd-composition (children, elderly) and venue-feature scores: a crush on a bridge among the
   elderly is worse than in an open square among adults.
4. **Controls in place** (管控措施) lower the likelihood after controls: 2–3 measures by 1, 4–6 by 2, 7 or more
   by 3 (never below 1); on-site medical cover together with a drilled emergency plan lowers the severity by 1.
5. The **score** is likelihood × severity (1–25) and the **level** is read from the bands (``RiskBand``, data
   with seeded defaults 1–3 blue 低, 4–8 yellow 一般, 9–16 orange 较大, 20–25 red 重大).

The assessor has the last word: the service stores the suggested figures beside the chosen ones and asks for a
written judgement when they differ.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from risk.choices import RiskLevel

MIN_RATING, MAX_RATING = 1, 5
MIN_FACTOR, MAX_FACTOR = 0, 3


@dataclass(frozen=True)
class Factor:
    key: str
    label: object
    # What 0, 1, 2 and 3 mean for this factor.
    scale: tuple
    likelihood: bool
    severity: bool


FACTORS: tuple[Factor, ...] = (
    Factor(
        "attendance",
        _("Expected attendance against the safe capacity"),
        (_("up to half"), _("half to 80 %"), _("80 % to full"), _("above the safe capacity")),
        likelihood=True,
        severity=False,
    ),
    Factor(
        "scale",
        _("Number of people"),
        (_("under 1,000"), _("1,000 to 4,999"), _("5,000 to 19,999"), _("20,000 or more")),
        likelihood=False,
        severity=True,
    ),
    Factor(
        "venue_features",
        _("Steps, ramps, bridges and narrow passages"),
        (_("none"), _("one kind"), _("two or three kinds, or a bridge or narrow passage"), _("four or more kinds")),
        likelihood=True,
        severity=True,
    ),
    Factor(
        "time",
        _("Time of day and holidays"),
        (
            _("a working day, in daytime"),
            _("a weekend, or a working-day evening"),
            _("a statutory holiday, or a weekend evening"),
            _("a statutory holiday evening or night"),
        ),
        likelihood=True,
        severity=False,
    ),
    Factor(
        "composition",
        _("Crowd composition: children and the elderly"),
        (
            _("mostly adults"),
            _("some children or elderly"),
            _("many children or elderly"),
            _("mainly children or elderly"),
        ),
        likelihood=False,
        severity=True,
    ),
    Factor(
        "weather",
        _("Weather"),
        (_("fine"), _("heat, wind or light rain"), _("heavy rain, snow or ice"), _("a severe-weather warning")),
        likelihood=True,
        severity=False,
    ),
    Factor(
        "online_hype",
        # Translators: 线上转线下
        _("Online hype drawing people in (online to offline)"),
        (_("none"), _("some"), _("trending locally"), _("viral")),
        likelihood=True,
        severity=False,
    ),
    Factor(
        "history",
        _("History of incidents and open hazards"),
        (
            _("none"),
            _("minor crowding or an open ordinary hazard"),
            _("a crush or near miss"),
            _("casualties, or an open major hazard"),
        ),
        likelihood=True,
        severity=False,
    ),
)
FACTOR_KEYS = tuple(f.key for f in FACTORS)
FACTORS_BY_KEY = {f.key: f for f in FACTORS}


@dataclass(frozen=True)
class Control:
    key: str
    label: object


# Crowd-control measures (管控措施) named in the notices: 远端控制、分流限流、疏出阻入、单向通行, stewards, barriers,
# monitoring, medical cover, the emergency plan and its drill, broadcasts.
CONTROLS: tuple[Control, ...] = (
    Control("stewards", _("Enough security staff and stewards on site")),
    Control("barriers", _("Barriers and crowd zones")),
    Control("one_way", _("One-way flow")),
    Control("flow_limiting", _("Diversion and flow limiting, timed entry")),
    Control("upstream_holding", _("Upstream holding (remote control of arrivals)")),
    Control("let_out_block_in", _("Let out, block in")),
    Control("monitoring", _("Live crowd monitoring (video, heat maps, counts)")),
    Control("broadcast", _("Broadcasts and safety signs")),
    Control("medical", _("On-site medical cover")),
    Control("emergency_plan", _("Emergency plan drilled")),
)
CONTROL_KEYS = tuple(c.key for c in CONTROLS)
CONTROLS_BY_KEY = {c.key: c for c in CONTROLS}


@dataclass(frozen=True)
class Band:
    """One band of the matrix: scores ``min_score``–``max_score`` give ``level``."""

    level: str
    min_score: int
    max_score: int


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(RiskLevel.BLUE, 1, 3),
    Band(RiskLevel.YELLOW, 4, 8),
    Band(RiskLevel.ORANGE, 9, 16),
    Band(RiskLevel.RED, 20, 25),
)


def level_for_score(score: int, bands: Iterable[Band] = DEFAULT_BANDS) -> str:
    """The level of ``score``: the band with the highest lower bound at or below it. Products of two 1–5
    ratings never fall between 16 and 20 (17, 18, 19 are not products), so a gap there in the bands is harmless:
    such a score would read as the band below."""
    if not MIN_RATING <= score <= MAX_RATING * MAX_RATING:
        raise ValueError(f"A score runs from 1 to 25, not {score}.")
    chosen = None
    for band in sorted(bands, key=lambda b: b.min_score):
        if band.min_score <= score:
            chosen = band
    if chosen is None:
        raise ValueError(f"No band starts at or below {score}.")
    return str(chosen.level)


@dataclass
class Suggestion:
    """What the platform suggests, and why (lines of working, in the reader's language)."""

    likelihood: int
    severity: int
    residual_likelihood: int
    residual_severity: int
    working: list[str] = field(default_factory=list)


def _clamp(value: int, low: int = MIN_RATING, high: int = MAX_RATING) -> int:
    return max(low, min(high, value))


def control_reduction(controls: Sequence[str]) -> int:
    n = len(set(controls) & set(CONTROL_KEYS))
    if n >= 7:
        return 3
    if n >= 4:
        return 2
    if n >= 2:
        return 1
    return 0


def suggest(factors: Mapping[str, int], controls: Sequence[str]) -> Suggestion:
    """Likelihood and severity before and after controls from the factor scores (missing factors count 0)."""
    # Called as gettext(), not through an alias: makemessages finds only the names it knows (it never saw g()).
    from django.utils.translation import gettext

    scores = {key: _clamp(int(factors.get(key) or 0), MIN_FACTOR, MAX_FACTOR) for key in FACTOR_KEYS}
    likely_sum = sum(scores[f.key] for f in FACTORS if f.likelihood)
    likelihood = _clamp(1 + math.ceil(likely_sum / 3))
    working = [
        gettext("Likelihood: the likelihood factors add up to %(sum)d of 18, which gives %(value)d.")
        % {"sum": likely_sum, "value": likelihood}
    ]
    floor = {2: 3, 3: 4}.get(scores["attendance"], 0)
    if floor > likelihood:
        likelihood = floor
        working.append(
            gettext("Attendance close to or above the safe capacity raises the likelihood to %(value)d.")
            % {"value": floor}
        )
    severity = _clamp(1 + scores["scale"] + math.ceil((scores["composition"] + scores["venue_features"]) / 2))
    working.append(
        gettext(
            "Severity: 1 + number of people (%(scale)d) + half of crowd composition and venue features "
            "(%(composition)d + %(features)d), which gives %(value)d."
        )
        % {
            "scale": scores["scale"],
            "composition": scores["composition"],
            "features": scores["venue_features"],
            "value": severity,
        }
    )
    reduction = control_reduction(controls)
    residual_likelihood = _clamp(likelihood - reduction)
    chosen = sorted(set(controls) & set(CONTROL_KEYS))
    working.append(
        gettext("After controls: %(n)d measures in place lower the likelihood by %(by)d, to %(value)d.")
        % {"n": len(chosen), "by": reduction, "value": residual_likelihood}
    )
    residual_severity = severity
    if {"medical", "emergency_plan"} <= set(chosen):
        residual_severity = _clamp(severity - 1)
        working.append(
            gettext("On-site medical cover and a drilled emergency plan lower the severity to %(value)d.")
            % {"value": residual_severity}
        )
    return Suggestion(
        likelihood=likelihood,
        severity=severity,
        residual_likelihood=residual_likelihood,
        residual_severity=residual_severity,
        working=working,
    )


# --- suggestions of factor scores from the platform's data -----------------------------------------------


def attendance_score(expected: int | None, safe_capacity: int | None) -> int | None:
    if not expected or not safe_capacity:
        return None
    ratio = expected / safe_capacity
    if ratio > 1:
        return 3
    if ratio > 0.8:
        return 2
    if ratio > 0.5:
        return 1
    return 0


def scale_score(expected: int | None) -> int | None:
    """Order 505 Art. 2 and 12: 1,000 makes a large event, 5,000 moves it to the city's public security."""
    if expected is None:
        return None
    if expected >= 20000:
        return 3
    if expected >= 5000:
        return 2
    if expected >= 1000:
        return 1
    return 0


# Venue features from the venue's risk points and zones: each kind counts once.
CRITICAL_FEATURES = frozenset({"bridge", "narrow_space", "narrow_passage"})


def features_score(kinds: Iterable[str]) -> int:
    kinds = {k for k in kinds if k and k != "other"}
    # A stairs/ramp zone and a steps or ramp risk point are the same feature.
    normalised = {"steps" if k in {"stairs_ramp", "steps"} else k for k in kinds}
    normalised = {"narrow" if k in {"narrow_space", "narrow_passage"} else k for k in normalised}
    n = len(normalised)
    if n >= 4:
        return 3
    if n >= 2 or kinds & CRITICAL_FEATURES:
        return 2
    return 1 if n == 1 else 0


EVENING_FROM_HOUR = 18
NIGHT_UNTIL_HOUR = 6


def time_score(moment: dt.datetime | None, day_type: str | None) -> int | None:
    """From the local time and the calendar's day type (working / weekend / holiday / adjusted working)."""
    if moment is None or day_type is None:
        return None
    base = {"holiday": 2, "weekend": 1}.get(day_type, 0)
    evening = moment.hour >= EVENING_FROM_HOUR or moment.hour < NIGHT_UNTIL_HOUR
    return min(MAX_FACTOR, base + (1 if evening else 0))


def history_score(open_ordinary: int, open_major: int) -> int:
    if open_major:
        return 3
    if open_ordinary:
        return 1
    return 0
