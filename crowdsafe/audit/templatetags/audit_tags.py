"""``{% timeline obj %}``: the action log of one record, newest first (DESIGN.md section 4).

The caller has already checked that the user may see ``obj``; the log of a visible record is visible.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.audit.verbs import label

register = template.Library()

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class TimelineEntry:
    entry: ActionLog
    verb: str

    @property
    def has_change(self) -> bool:
        return bool(self.entry.from_state or self.entry.to_state)


@register.inclusion_tag("audit/_timeline.html")
def timeline(obj, limit: int = DEFAULT_LIMIT):
    """Render the timeline of ``obj``: time, who, what (the verb's label), from → to, and why."""
    entries = list(timeline_for(subject=obj, limit=limit + 1))
    return {
        "entries": [TimelineEntry(entry=e, verb=label(e.verb)) for e in entries[:limit]],
        "truncated": len(entries) > limit,
        "limit": limit,
    }
