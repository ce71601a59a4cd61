"""Template tags of the gathering pages.

``{% gathering_rows rows %}`` renders the body of the gathering table in Python (``crowdsafe.common.html``): the
list shows 50 rows of a dozen values each, and the template engine's per-variable cost (lookups, localisation,
escaping) made those rows most of the list page's time at city scale (bench/bench_events.py). The output is the same
markup the template wrote, escaped the same way.
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crowdsafe.common.api import paths_of
from crowdsafe.common.html import format_html, format_rows, format_words
from crowdsafe.common.labels import labels_of
from events.models import Gathering

register = template.Library()


def _place(g) -> str:
    parts = [g.venue.name] if g.venue_id else []
    if g.location_name:
        parts.append(g.location_name)
    return " · ".join([*parts, g.grid.name])


def _people(g):
    label = g.attendance_label
    if g.latest_headcount is None:
        return format_html("{}", label)
    now = _("now %(n)s") % {"n": number_format(g.latest_headcount, force_grouping=True)}
    return format_html('{}<span class="item-meta">{}</span>', label, now)


@register.simple_tag
def gathering_rows(rows):
    path = paths_of("events:gathering_detail")
    # Looked up once for the rows, not per row: the time zone and the labels of the active language.
    zone = timezone.get_current_timezone()
    kinds, risks, statuses, sources = (
        labels_of(Gathering._meta.get_field(name)) for name in ("kind", "risk_level", "status", "source")
    )

    def row(g):
        starts = g.starts_at.astimezone(zone)
        return (
            g.risk_level,
            g.pk,
            starts.isoformat(),
            starts.strftime("%Y-%m-%d %H:%M"),
            path(g.pk),
            g.title,
            _place(g),
            kinds.get(g.kind, g.kind),
            _people(g),
            g.risk_level,
            g.risk_level,
            risks.get(g.risk_level, g.risk_level),
            g.status,
            g.status,
            statuses.get(g.status, g.status),
            sources.get(g.source, g.source),
        )

    # Each cell names its column (data-label, the header's words): on a phone the rows are cards (app.css).
    starts, gathering, kind, people, risk, status, source = format_words(
        *(_(word) for word in ("Starts", "Gathering", "Kind", "People", "Risk", "Status", "Source"))
    )
    return format_rows(
        "\n",
        '<tr class="row-{}" data-gathering="{}">'
        f'<td class="nowrap" data-label="{starts}"><time datetime="{{}}">{{}}</time></td>'
        f'<td data-label="{gathering}"><a href="{{}}">{{}}</a><span class="item-meta">{{}}</span></td>'
        f'<td class="hide-narrow" data-label="{kind}">{{}}</td>'
        f'<td class="num" data-label="{people}">{{}}</td>'
        f'<td data-label="{risk}"><span class="risk risk-{{}}" data-risk="{{}}">{{}}</span></td>'
        f'<td data-label="{status}"><span class="badge status-badge status-{{}}" data-status="{{}}">{{}}</span></td>'
        f'<td class="hide-narrow" data-label="{source}">{{}}</td></tr>',
        (row(g) for g in rows),
    )
