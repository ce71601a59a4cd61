"""What other apps may hear of from events without events importing them (the dependency runs the other way):
a headcount recorded. ``monitoring`` registers a listener in its ``AppConfig.ready`` (the gathering's headcounts
feed its monitored zone). Listeners run inside the service's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_headcount_listeners: list[Callable[[Any], None]] = []


def on_headcount(listener: Callable[[Any], None]) -> None:
    if listener not in _headcount_listeners:
        _headcount_listeners.append(listener)


def headcount_recorded(update: Any) -> None:
    for listener in list(_headcount_listeners):
        listener(update)
