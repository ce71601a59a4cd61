"""Small SVG charts drawn on the server (issue 17 point 6): the weekly briefing's PDF is rendered by WeasyPrint,
which draws SVG itself — no browser, no JavaScript. Two kinds, each from the same plain data as the pages' ECharts
charts (``dashboard.selectors.trends``): a bar chart (grouped or stacked) and a line chart (gaps where a value is
None). Every text is escaped; sizes are in CSS pixels of the page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#ad1457", "#455a64"]
FONT = "Noto Sans CJK SC, Noto Sans SC, sans-serif"
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 44  # the plot's margins: axis labels left, categories and legend below


def _nice_max(value: float) -> float:
    """The axis' top: 5, 10, 20, 50, 100 … at or above ``value`` (counts get whole-number ticks)."""
    top = 5.0
    while top < value:
        top *= 2 if str(int(top))[0] in "15" else 2.5
    return top


def _ticks(top: float) -> int:
    """Five steps for a top of 5, 10, 50, 100 …; four for 20, 200 … (each step a whole number)."""
    return 4 if str(int(top))[0] == "2" else 5


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _text(x: float, y: float, content: str, *, size: int = 10, anchor: str = "middle", fill: str = "#333") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f"font-family={quoteattr(FONT)}>{escape(str(content))}</text>"
    )


def _frame(width: int, height: int, top: float, unit: str) -> list[str]:
    """The value axis: horizontal grid lines with their labels."""
    plot_h = height - TOP - BOTTOM
    ticks = _ticks(top)
    parts = []
    for i in range(ticks + 1):
        y = TOP + plot_h - plot_h * i / ticks
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 4, y + 3, _fmt(top * i / ticks) + unit, size=9, anchor="end", fill="#666"))
    return parts


def _legend(series: Sequence[dict[str, Any]], width: int, height: int) -> list[str]:
    parts, x, y = [], LEFT, height - 8
    for index, s in enumerate(series):
        colour = s.get("color") or PALETTE[index % len(PALETTE)]
        label = str(s.get("name", ""))
        parts.append(f'<rect x="{x}" y="{y - 8}" width="10" height="8" fill="{colour}"/>')
        parts.append(_text(x + 13, y, label, size=9, anchor="start"))
        x += 24 + 10 * len(label)
        if x > width - 60:
            break
    return parts


def _svg(width: int, height: int, parts: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(label)}>' + "".join(parts) + "</svg>"
    )


def bar_chart(chart: dict[str, Any], *, width: int = 600, height: int = 220, label: str = "") -> str:
    """Bars per category, one per series side by side, or stacked when ``chart["stacked"]``; each bar's value is
    written above it (stacked: the total above the stack)."""
    categories = [str(c) for c in chart.get("categories", [])]
    series = chart.get("series", [])
    stacked = bool(chart.get("stacked"))
    unit = chart.get("unit", "")
    if not categories or not series:
        return _svg(width, 40, [_text(width / 2, 24, "—", size=12)], label)
    values = [[v or 0 for v in s.get("data", [])] for s in series]
    peak = max(sum(col) for col in zip(*values, strict=True)) if stacked else max(max(v) for v in values)
    top = chart.get("max") or _nice_max(peak)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    band = plot_w / len(categories)
    parts = _frame(width, height, top, unit)
    for ci, category in enumerate(categories):
        x0 = LEFT + ci * band
        inner = band * 0.7
        if stacked:
            y: float = TOP + plot_h
            total = 0.0
            for si, s in enumerate(series):
                v = values[si][ci]
                h = plot_h * v / top
                colour = s.get("color") or PALETTE[si % len(PALETTE)]
                if v:
                    parts.append(
                        f'<rect x="{x0 + band * 0.15:.1f}" y="{y - h:.1f}" width="{inner:.1f}" height="{h:.1f}" '
                        f'fill="{colour}"/>'
                    )
                y -= h
                total += v
            parts.append(_text(x0 + band / 2, y - 3, _fmt(total) + unit, size=9))
        else:
            width_each = inner / len(series)
            for si, s in enumerate(series):
                v = values[si][ci]
                h = plot_h * v / top
                x = x0 + band * 0.15 + si * width_each
                colour = s.get("color") or PALETTE[si % len(PALETTE)]
                parts.append(
                    f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width_each:.1f}" height="{h:.1f}" '
                    f'fill="{colour}"/>'
                )
                parts.append(_text(x + width_each / 2, TOP + plot_h - h - 3, _fmt(v) + unit, size=9))
        parts.append(_text(x0 + band / 2, TOP + plot_h + 13, category, size=9))
    parts += _legend(series, width, height)
    return _svg(width, height, parts, label)


def line_chart(chart: dict[str, Any], *, width: int = 600, height: int = 220, label: str = "") -> str:
    """A line per series over the categories; a None value breaks the line (nothing to plot that week). Points
    carry a small dot, the last value of each series is written at its end."""
    categories = [str(c) for c in chart.get("categories", [])]
    series = chart.get("series", [])
    unit = chart.get("unit", "")
    if not categories or not series:
        return _svg(width, 40, [_text(width / 2, 24, "—", size=12)], label)
    peak = max((v for s in series for v in s.get("data", []) if v is not None), default=0)
    top = chart.get("max") or _nice_max(peak)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / max(1, len(categories) - 1)
    parts = _frame(width, height, top, unit)
    every = max(1, math.ceil(len(categories) / 8))
    for ci, category in enumerate(categories):
        if ci % every == 0 or ci == len(categories) - 1:
            parts.append(_text(LEFT + ci * step, TOP + plot_h + 13, category, size=9))
    for si, s in enumerate(series):
        colour = s.get("color") or PALETTE[si % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        last: tuple[float, float, float] | None = None
        for ci, v in enumerate(s.get("data", [])):
            if v is None:
                runs.append([])
                continue
            point = (LEFT + ci * step, TOP + plot_h - plot_h * v / top)
            runs[-1].append(point)
            last = (*point, v)
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for x, y in run:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
        if last is not None:
            parts.append(_text(last[0] - 2, last[1] - 5, _fmt(last[2]) + unit, size=9, anchor="end", fill=colour))
    parts += _legend(series, width, height)
    return _svg(width, height, parts, label)
