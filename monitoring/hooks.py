"""Where monitoring meets other apps without them importing it, and the hooks later apps fill.

- events → monitoring: a gathering's headcount feeds the gathering's monitored zone (``events.hooks``).
- monitoring → events: a gathering's risk level follows its zone's level (``gathering_follow_monitoring``).
- exercise (issue 15 point 6): ``register_exercise_dispatcher(fn)``; an exercise zone's episodes go only there.
- response (incidents): ``register_incident_opener(fn)``; ``fn(alert, actor) -> url`` behind the URL name
  ``monitoring:alert_incident``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_exercise_dispatchers: list[Callable[[Any], None]] = []
_incident_openers: list[Callable[[Any, Any], str]] = []


def register_exercise_dispatcher(fn: Callable[[Any], None]) -> None:
    if fn not in _exercise_dispatchers:
        _exercise_dispatchers.append(fn)


def dispatch_exercise(episode: Any) -> None:
    """An exercise episode: only the exercise's dispatchers hear of it (none registered: nobody)."""
    for fn in list(_exercise_dispatchers):
        fn(episode)


def register_incident_opener(fn: Callable[[Any, Any], str]) -> None:
    if fn not in _incident_openers:
        _incident_openers.append(fn)


def incident_opener() -> Callable[[Any, Any], str] | None:
    return _incident_openers[-1] if _incident_openers else None


# drills' plan measure kinds → events' crowd-control measure kinds (ticks recorded on the gathering).
_MEASURE_KINDS = {"flow_limiting": "diversion", "evacuation_route": "other", "medical_point": "other"}


def events_measure_kind(plan_kind: str) -> str:
    from events.choices import MeasureKind

    kind = _MEASURE_KINDS.get(plan_kind, plan_kind)
    return kind if kind in MeasureKind.values else MeasureKind.OTHER.value


def zone_level_changed(*, zone: Any, level: str, reason: str) -> None:
    """A zone's level changed: its gathering's risk level follows it, with the reason."""
    if zone.gathering_id and not zone.exercise:
        from events.services.gatherings import gathering_follow_monitoring

        gathering_follow_monitoring(gathering=zone.gathering, level=level, reason=reason)


def _headcount(update: Any) -> None:
    from monitoring.services.zones import headcount_feed

    headcount_feed(update)


def connect() -> None:
    from events.hooks import on_headcount

    on_headcount(_headcount)
