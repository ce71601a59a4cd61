"""Personal details on pages (issue 18 point 8): ``{% pii value "phone" %}`` shows a phone number or resident ID
number masked (crowdsafe.common.pii.mask) unless the page's ``pii_revealed`` holds its kind (a logged reveal); a
revealed phone number is a tel: link. ``{% pii_reveal_button %}`` is the "显示完整信息" form (POST, logged)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from crowdsafe.common.pii import PHONE, REVEAL_FIELD, mask

register = template.Library()


@register.simple_tag(takes_context=True)
def pii(context: Any, value: Any, kind: str) -> str:
    text = str(value or "")
    if kind not in (context.get("pii_revealed") or ()):
        return format_html('<span class="mono">{}</span>', mask(kind, text))
    if kind == PHONE:
        return format_html('<a href="tel:{}">{}</a>', text, text)
    return format_html('<span class="mono">{}</span>', text)


@register.inclusion_tag("web/_pii_reveal.html", takes_context=True)
def pii_reveal_button(context: Any) -> dict[str, Any]:
    return {
        "show": bool(context.get("pii_can_reveal")),
        "field": REVEAL_FIELD,
        "csrf_token": context.get("csrf_token"),
        "action": context["request"].path if context.get("request") else "",
    }
