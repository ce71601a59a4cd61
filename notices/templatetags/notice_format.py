"""Filters the document templates use to write dates and list numbers the way official documents do."""

from __future__ import annotations

from django import template

from notices import formatting

register = template.Library()

register.filter("cn_date", formatting.cn_date)
register.filter("cn_datetime", formatting.cn_datetime)
register.filter("cn_numeral", formatting.cn_numeral)
