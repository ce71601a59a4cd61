"""``{% timeline obj %}``: the action log of one record, newest first (DESIGN.md section 4).

The caller has already checked that the user may see ``obj``; the log of a visible record is visible, except its
access changes (which department was let see it), which are internal to the government: people outside it
(organizers, venue operators) do not see them. States and permissions are shown in words, never as the codes the
log stores (``crowdsafe.audit.labels``).
"""

from __future__ import annotations

from django import template

from crowdsafe.audit.labels import timeline_entry
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.org.access import get_scope

register = template.Library()

DEFAULT_LIMIT = 50


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
