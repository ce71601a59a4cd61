"""How official documents write dates, times and list numbers (GB/T 9704-2012): dates in Arabic numerals with no
leading zeros (2026年1月5日), list levels 一、 （一） 1. (1)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

DIGITS = "零一二三四五六七八九"


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _as_datetime(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return None


def cn_date(value) -> str:
    """2026-01-05 → 2026年1月5日 (成文日期: Arabic numerals, 年月日 in full, no leading zero)."""
    day = _as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_datetime(value) -> str:
    """2026-12-05T09:30 → 2026年12月5日9时30分 (9时 on the hour)."""
    moment = _as_datetime(value)
    if moment is None:
        return cn_date(value)
    text = f"{moment.year}年{moment.month}月{moment.day}日{moment.hour}时"
    return text + (f"{moment.minute}分" if moment.minute else "")


def cn_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (for 一、 and （一） list levels)."""
    if number < 1 or number > 99:
        return str(number)
    tens, units = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else DIGITS[tens]) + "十"
    if units:
        text += DIGITS[units]
    return text
