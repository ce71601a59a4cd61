"""``{% timeline obj %}``: the action log of one record, newest first (DESIGN.md section 4).

The caller has already checked that the user may see ``obj``; the log of a visible record is visible, except its
access changes (which department was let see it), which are internal to the government: people outside it
(organizers, venue operators) do not see them. States and permissions are shown in words, never as the codes the
log stores (``crowdsafe.audit.labels``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from crowdsafe.audit.labels import ACCESS_VERBS, permission_label, state_label
from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.audit.verbs import label
from crowdsafe.org.access import get_scope

register = template.Library()

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class TimelineEntry:
    entry: ActionLog
    verb: str
    from_label: str = ""
    to_label: str = ""
    access: str = ""  # an access change: what was opened or closed, and to whom

    @property
    def has_change(self) -> bool:
        return bool(self.from_label or self.to_label)


def timeline_entry(entry: ActionLog, model) -> TimelineEntry:
    """One log entry in words, for a record of ``model``."""
    if entry.verb in ACCESS_VERBS:
        codename = entry.to_state or entry.from_state
        access = permission_label(codename, model)
        department = (entry.data or {}).get("department_name")
        if department:
            access = f"{department} · {access}"
        return TimelineEntry(entry=entry, verb=label(entry.verb), access=access)
    return TimelineEntry(
        entry=entry,
        verb=label(entry.verb),
        from_label=state_label(model, entry.from_state),
        to_label=state_label(model, entry.to_state),
    )


@register.inclusion_tag("audit/_timeline.html", takes_context=True)
def timeline(context, obj, limit: int = DEFAULT_LIMIT):
    """Render the timeline of ``obj``: time, who, what (the verb's label), from → to, and why."""
    request = context.get("request")
    user = getattr(request, "user", None)
    internal = user is not None and user.is_authenticated and (user.is_superuser or get_scope(user).is_government)
    entries = list(timeline_for(subject=obj, limit=limit + 1, include_access=internal))
    model = type(obj)
    return {
        "entries": [timeline_entry(e, model) for e in entries[:limit]],
        "truncated": len(entries) > limit,
        "limit": limit,
    }
