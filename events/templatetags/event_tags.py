"""Template tags of the gathering pages.

``{% gathering_rows rows %}`` renders the body of the gathering table in Python (``crowdsafe.common.html``): the
list shows 50 rows of a dozen values each, and the template engine's per-variable cost (lookups, localisation,
escaping) made those rows most of the list page's time at city scale (bench/bench_events.py). The output is the same
markup the template wrote, escaped the same way.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crowdsafe.common.html import format_html, format_rows, format_words

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
    prefix = reverse("events:gathering_detail", args=[0])[: -len("0/")]

    def row(g):
        starts = timezone.localtime(g.starts_at)
        return (
            g.risk_level,
            g.pk,
            starts.isoformat(),
            starts.strftime("%Y-%m-%d %H:%M"),
            f"{prefix}{g.pk}/",
            g.title,
            _place(g),
            g.kind_label,
            _people(g),
            g.risk_level,
            g.risk_level,
            g.risk_label,
            g.status,
            g.status,
            g.status_label,
            g.source_label,
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
