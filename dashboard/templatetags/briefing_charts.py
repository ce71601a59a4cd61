"""Template tags drawing the weekly briefing's charts as inline SVG (``dashboard.svg``), from the data stored in
the document's context: ``{% bar_chart c.levels label="…" %}``, ``{% line_chart c.trend label="…" %}``. The SVG
is built from escaped text only, so it is marked safe."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from dashboard import svg

register = template.Library()


@register.simple_tag
def bar_chart(chart: dict[str, Any] | None, label: str = "", width: int = 600, height: int = 220) -> SafeString:
    return mark_safe(svg.bar_chart(chart or {}, width=width, height=height, label=label))


@register.simple_tag
def line_chart(chart: dict[str, Any] | None, label: str = "", width: int = 600, height: int = 220) -> SafeString:
    return mark_safe(svg.line_chart(chart or {}, width=width, height=height, label=label))
