"""The headcount chart of a gathering page: an inline SVG drawn on the server (no chart library, no CDN, no
script), with the venue's safe capacity and the upper estimate as reference lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass(frozen=True)
class Reference:
    value: int
    label: str
    css: str


def _nice_ceiling(value: int) -> int:
    """A round upper bound for the y axis: 1, 2 or 5 times a power of ten."""
    if value <= 10:
        return 10
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def headcount_svg(points: list[tuple[dt.datetime, int]], *, references: list[Reference] = ()) -> SafeString:
    """The counts over time as a line with dots, one horizontal dashed line per reference value, the time on
    the x axis (local time) and the number of people on the y axis. Empty when there is no count."""
    if not points:
        return mark_safe("")
    points = sorted(points)
    times = [timezone.localtime(t) for t, _count in points]
    counts = [count for _t, count in points]
    top = _nice_ceiling(max([*counts, *(r.value for r in references)], default=10))
    start, end = times[0], times[-1]
    span = (end - start).total_seconds() or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(moment: dt.datetime) -> str:
        if len(times) == 1:
            return f"{LEFT + plot_w / 2:.1f}"
        return f"{LEFT + (moment - start).total_seconds() / span * plot_w:.1f}"

    def y(value: float) -> str:
        return f"{TOP + plot_h - value / top * plot_h:.1f}"

    grid_values = [top * i // 4 for i in range(5)]
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y(v), y(v), LEFT - 6, y(v - top / 50), number_format(v, force_grouping=True))
            for v in grid_values
        ),
    )
    refs = format_html_join(
        "",
        '<line class="chart-ref {}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-ref-label {}" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                r.css,
                LEFT,
                WIDTH - RIGHT,
                y(r.value),
                y(r.value),
                r.css,
                WIDTH - RIGHT - 4,
                y(r.value + top / 50),
                f"{r.label} {number_format(r.value, force_grouping=True)}",
            )
            for r in references
        ),
    )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(t)},{y(c)}" for i, (t, c) in enumerate(zip(times, counts, strict=True))
    )
    dots = format_html_join(
        "",
        '<circle class="chart-dot" cx="{}" cy="{}" r="4"><title>{} · {}</title></circle>',
        (
            (x(t), y(c), t.strftime("%m-%d %H:%M"), number_format(c, force_grouping=True))
            for t, c in zip(times, counts, strict=True)
        ),
    )
    same_day = start.date() == end.date()
    fmt = "%H:%M" if same_day else "%m-%d %H:%M"
    labels = [(times[0], "start")] if len(times) == 1 else [(times[0], "start"), (times[-1], "end")]
    x_labels = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="{}">{}</text>',
        (
            (
                x(t),
                HEIGHT - 12,
                "middle" if len(times) == 1 else ("start" if which == "start" else "end"),
                t.strftime(fmt),
            )
            for t, which in labels
        ),
    )
    title = _("Headcounts over time")
    description = _("%(n)s headcounts from %(start)s to %(end)s; the latest is %(last)s.") % {
        "n": len(counts),
        "start": start.strftime("%Y-%m-%d %H:%M"),
        "end": end.strftime("%Y-%m-%d %H:%M"),
        "last": number_format(counts[-1], force_grouping=True),
    }
    return format_html(
        '<svg class="headcount-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="hc-title hc-desc" '
        'xmlns="http://www.w3.org/2000/svg" data-headcount-chart data-points="{}">'
        '<title id="hc-title">{}</title><desc id="hc-desc">{}</desc>{}{}'
        '<path class="chart-line" d="{}"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        len(counts),
        title,
        description,
        grid,
        refs,
        path,
        dots,
        x_labels,
    )
