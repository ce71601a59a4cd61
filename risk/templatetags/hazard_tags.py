"""Template tags of the hazard pages.

``{% hazard_rows hazards today %}`` renders the body of the hazard table (``risk/_hazard_table.html``: the hazard
list and a subject's risk page) in Python (``crowdsafe.common.html``). Written in the template, each of the 50 rows
cost six ``{% translate %}`` lookups, a ``{% url %}`` (``reverse()``), two ``{% include %}`` (a context push and a
template render each) and the engine's per-variable lookups and escaping: most of the list's server time at city
scale (issue 19, bench/run). Here the column words are translated and the detail URL's prefix reversed once per
table. The markup is the one the template and its two includes (``_hazard_level.html``, ``_hazard_state.html``)
wrote, escaped the same way.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crowdsafe.common.api import paths_of
from crowdsafe.common.html import format_html, format_rows, format_words
from crowdsafe.common.labels import labels_of
from risk.choices import HazardLevel, HazardState
from risk.models import Hazard

register = template.Library()

# The badge of each state and level, as _hazard_state.html and _hazard_level.html choose it.
STATE_BADGES = {
    HazardState.CLOSED: "badge badge-done",
    HazardState.CANCELLED: "badge badge-muted",
    HazardState.AWAITING_VERIFICATION: "badge badge-due",
}


@register.simple_tag
def hazard_rows(hazards, today: dt.date | None = None) -> SafeString:
    """The ``<tr>`` of each hazard (``risk.selectors.hazard_visible``: joined to the venue and the organisation);
    a hazard still open with its deadline before ``today`` is shown overdue (none when ``today`` is not a date)."""
    path = paths_of("risk:hazard_detail")
    today = today if isinstance(today, dt.date) else None  # "" when the page's context has none
    # The labels of the active language, looked up once for the table (not twice a row).
    levels, states = labels_of(Hazard._meta.get_field("level")), labels_of(Hazard._meta.get_field("state"))
    # Each cell names its column (data-label, the header's words): on a phone the rows are cards (app.css).
    hazard, level, deadline, unit, status = format_words(
        _("Hazard"), pgettext("hazard", "Level"), _("Deadline"), _("Responsible unit"), _("Status")
    )
    overdue_badge = format_html(' <span class="badge badge-overdue">{}</span>', _("Overdue"))
    row_format = (
        '<tr data-hazard="{}">'
        f'<td data-label="{hazard}"><a href="{{}}">{{}}</a><span class="item-meta">{{}}{{}}</span></td>'
        f'<td data-label="{level}"><span class="badge {{}}" data-hazard-level="{{}}">{{}}</span>\n</td>'
        f'<td class="nowrap{{}}" data-label="{deadline}">{{}}</td>'
        f'<td class="hide-sm" data-label="{unit}">{{}}</td>'
        f'<td class="nowrap" data-label="{status}"><span class="{{}}" data-hazard-state="{{}}">{{}}</span>{{}}\n</td>'
        "</tr>"
    )

    def row(h: Hazard) -> tuple:
        overdue = today is not None and h.is_open and h.rectification_deadline < today
        venue = h.venue
        return (
            h.pk,
            path(h.pk),
            h.title,
            format_html("{} · ", venue.name) if venue else "",
            h.location,
            "badge-overdue" if h.level == HazardLevel.MAJOR else "badge-due",
            h.level,
            levels.get(h.level, h.level),
            " due-overdue" if overdue else "",
            h.rectification_deadline.isoformat() if h.rectification_deadline else "",
            h.responsible_label or "—",
            STATE_BADGES.get(h.state, "badge badge-start"),
            h.state,
            states.get(h.state, h.state),
            overdue_badge if overdue else "",
        )

    return format_rows("\n", row_format, (row(h) for h in hazards))
