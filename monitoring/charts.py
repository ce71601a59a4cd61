"""The charts of the monitoring pages, drawn on the server as SVG (no chart library, no script, no style
attribute: every colour comes from classes in static/monitoring/monitoring.css, so the strict
Content-Security-Policy holds), like the gathering page's headcount chart (events/charts.py).

- ``sparkline_svg``: a tile's last hour, one value per minute (gaps where no reading came).
- ``day_chart_svg``: a zone's day, the density per minute from the one-minute rollups, with the zone's band
  lines (yellow, orange, red, in persons per m²) and a marker where each alert was raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

SPARK_W, SPARK_H = 120, 32
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 14, 34


@dataclass(frozen=True)
class BandLine:
    """A horizontal line at ``value`` (p/m²) for ``level`` (yellow, orange, red) with its label."""

    level: str
    value: float
    label: str


@dataclass(frozen=True)
class Marker:
    """Where an alert was raised: its time, level and a short text for the tooltip."""

    at: dt.datetime
    level: str
    label: str


def _runs(points: Sequence[tuple[float, float | None]]) -> str:
    """An SVG path through (x, y) points, broken where y is None (no reading that minute)."""
    parts: list[str] = []
    pen_down = False
    for x, y in points:
        if y is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return " ".join(parts)


def sparkline_svg(values: Sequence[float | None], *, top: float | None = None, level: str = "blue") -> SafeString:
    """A small line of ``values`` (oldest first; None for a minute without readings), scaled to ``top`` (or the
    largest value). Empty when there is no value at all."""
    known = [v for v in values if v is not None]
    if not known:
        return mark_safe("")
    ceiling = max(top or 0.0, max(known), 1e-9)
    step = SPARK_W / max(len(values) - 1, 1)
    path = _runs(
        [(i * step, None if v is None else SPARK_H - 2 - v / ceiling * (SPARK_H - 4)) for i, v in enumerate(values)]
    )
    # An f-string, not format_html: 60 per board fragment, polled every 5 s; the path is digits, commas, spaces, M
    # and L, and the level is escaped as format_html would.
    return mark_safe(
        f'<svg class="spark spark-{escape(level)}" viewBox="0 0 {SPARK_W} {SPARK_H}" preserveAspectRatio="none" '
        f'aria-hidden="true" xmlns="http://www.w3.org/2000/svg"><path d="{path}"/></svg>'
    )


def _nice_top(value: float) -> float:
    """A round upper bound for the density axis (p/m²)."""
    for top in (0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if value <= top:
            return top
    return float(int(value) + 1)


def day_chart_svg(
    points: Sequence[tuple[dt.datetime, float]],
    *,
    start: dt.datetime,
    end: dt.datetime,
    bands: Sequence[BandLine] = (),
    markers: Sequence[Marker] = (),
) -> SafeString:
    """The density per minute from ``start`` to ``end`` (local time on the x axis, p/m² on the y axis), broken
    where a minute has no reading, with the band lines and the alert markers."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = max((end - start).total_seconds(), 60.0)
    top = _nice_top(max([*(d for _t, d in points), *(b.value for b in bands), 0.5]) * 1.05)

    def x(moment: dt.datetime) -> float:
        return round(LEFT + min(max((moment - start).total_seconds() / span, 0.0), 1.0) * plot_w, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h - min(value, top) / top * plot_h, 1)

    ordered = sorted(points)
    series: list[tuple[float, float | None]] = []
    previous: dt.datetime | None = None
    for moment, density in ordered:
        if previous is not None and (moment - previous).total_seconds() > 150:
            series.append((x(previous), None))  # a gap of more than two minutes: no line across it
        series.append((x(moment), y(density)))
        previous = moment
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart-axis" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (LEFT, WIDTH - RIGHT, y(v), y(v), LEFT - 6, round(y(v) + 4, 1), f"{v:g}")
            for v in (top * i / 4 for i in range(5))
        ),
    )
    band_lines = format_html_join(
        "",
        '<line class="band band-{}" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="band-label band-{}" x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (
                b.level,
                LEFT,
                WIDTH - RIGHT,
                y(b.value),
                y(b.value),
                b.level,
                WIDTH - RIGHT - 4,
                round(y(b.value) - 4, 1),
                b.label,
            )
            for b in bands
            if b.value <= top
        ),
    )
    local = [timezone.localtime(start + dt.timedelta(seconds=span * i / 6)) for i in range(7)]
    ticks = format_html_join(
        "",
        '<text class="chart-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((round(LEFT + plot_w * i / 6, 1), HEIGHT - 12, moment.strftime("%H:%M")) for i, moment in enumerate(local)),
    )
    marks = format_html_join(
        "",
        '<g class="alert-mark mark-{}" data-alert-marker="{}"><line x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<circle cx="{}" cy="{}" r="5"><title>{} · {}</title></circle></g>',
        (
            (
                m.level,
                m.level,
                x(m.at),
                x(m.at),
                TOP,
                TOP + plot_h,
                x(m.at),
                TOP + 5,
                timezone.localtime(m.at).strftime("%H:%M"),
                m.label,
            )
            for m in markers
            if start <= m.at <= end
        ),
    )
    peak = max((d for _t, d in ordered), default=None)
    description = (
        _("Density per minute from %(start)s to %(end)s; the highest was %(peak)s persons per m².")
        % {
            "start": timezone.localtime(start).strftime("%H:%M"),
            "end": timezone.localtime(end).strftime("%H:%M"),
            "peak": f"{peak:.2f}",
        }
        if peak is not None
        else _("No reading in this period.")
    )
    return format_html(
        '<svg class="day-chart" viewBox="0 0 {} {}" role="img" aria-labelledby="dc-title dc-desc" '
        'xmlns="http://www.w3.org/2000/svg" data-day-chart data-points="{}" data-markers="{}">'
        '<title id="dc-title">{}</title><desc id="dc-desc">{}</desc>{}{}'
        '<path class="chart-line" d="{}"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        len(ordered),
        len(markers),
        _("Density over the day"),
        description,
        grid,
        band_lines,
        _runs(series),
        marks,
        ticks,
    )
