"""``{% territory_datalist "id" territories %}``: the suggestions of a territory field, ``<datalist id="id">`` with an
``<option value="code">name</option>`` for each pair of ``crowdsafe.org.selectors.territory_suggestions``; the field
names the list (``list="id"``)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from crowdsafe.common.html import format_html, format_rows

register = template.Library()


@register.simple_tag
def territory_datalist(list_id: str, territories: Iterable[tuple[str, str]]) -> SafeString:
    return format_html(
        '<datalist id="{}">{}</datalist>', list_id, format_rows("", '<option value="{}">{}</option>', territories)
    )
