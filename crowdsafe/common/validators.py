"""Phone numbers of mainland China: the one check every phone field uses (forms, API serializers, imports).

A mobile number is 11 digits, 1 then 3–9 then nine digits (the numbering plan of the Ministry of Industry and
Information Technology: every mobile network's prefix is 13x–19x). A landline is its area code (0, then two or three
digits: 010, 021, 0372) and a subscriber number of 7 or 8 digits, optionally with an extension (分机). What people
type is accepted with the usual decorations: spaces, hyphens, full-width digits, "+86"/"0086" before a mobile number,
brackets around the area code, and "转" or "-" before an extension. It is stored in one form: the mobile number's
11 digits, or "0372-5990110" / "0372-5990110-801".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

PHONE_MAX_LENGTH = 20
MOBILE = re.compile(r"1[3-9]\d{9}")
# Stored form of a landline: area code, number, optional extension.
LANDLINE = re.compile(r"0\d{2,3}-\d{7,8}(?:-\d{1,6})?")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
_GROUPS = re.compile(r"[\s\-–—]+")
_DECORATIONS = re.compile(r"[\s()\-–—]")
PHONE_MESSAGE = _(
    "Enter a mobile number (11 digits starting with 1) or a landline with its area code, e.g. 13800000000 "
    "or 0372-5990110."
)


def _area_code_length(digits: str) -> int:
    """010 (Beijing) and 020–029 are the three-digit area codes; every other one has four digits (0372)."""
    return 3 if digits[1:2] in ("1", "2") else 4


def _stored(text: str, extension: str) -> str | None:
    digits = _DECORATIONS.sub("", text)
    if not extension:
        if digits.startswith("+86"):
            digits = digits[3:]
        elif digits.startswith("0086"):
            digits = digits[4:]
        if MOBILE.fullmatch(digits):
            return digits
    if digits.startswith("0") and digits.isdigit():
        cut = _area_code_length(digits)
        stored = f"{digits[:cut]}-{digits[cut:]}" + (f"-{extension}" if extension else "")
        if LANDLINE.fullmatch(stored):
            return stored
    return None


def normalise_phone(value: str) -> str:
    """``value`` in its stored form when it is a mobile number or a landline; otherwise ``value`` trimmed."""
    original = unicodedata.normalize("NFKC", str(value)).strip()
    if not original:
        return ""
    found = _EXTENSION.search(original)
    if found:
        return _stored(original[: found.start()], found.group(1)) or original
    groups = [g for g in _GROUPS.split(original) if g]
    if len(groups) == 3 and groups[0].lstrip("(").startswith("0"):  # 0372-5990110-801, or 0372 599 0110
        return _stored(groups[0] + groups[1], groups[2]) or _stored(original, "") or original
    return _stored(original, "") or original


def is_phone(value: str) -> bool:
    number = normalise_phone(value)
    return bool(MOBILE.fullmatch(number) or LANDLINE.fullmatch(number))


def validate_phone(value: str) -> None:
    """Refuse anything but a mainland mobile number or a landline with its area code (blank is for the field's
    ``required`` to decide)."""
    if value and not is_phone(value):
        raise ValidationError(PHONE_MESSAGE, code="phone")


def clean_phone(value: str) -> str:
    """The stored form of ``value``; ValidationError when it is not a phone number."""
    validate_phone(value)
    return normalise_phone(value)


class PhoneFormField(forms.CharField):
    """A phone input: a telephone keyboard on phones, checked and stored in one form."""

    default_validators = [validate_phone]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_phone(str(super().to_python(value)))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "inputmode": "tel"}


class PhoneSerializerField(serializers.CharField):
    """An API phone field: the same check, the same stored form."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault(
            "help_text",
            "A mainland mobile number (1[3-9] and 9 digits) or a landline with its area code (0xx(x)-7 or 8 digits, "
            "optionally -extension).",
        )
        super().__init__(**kwargs)
        self.validators.append(validate_phone)

    def to_internal_value(self, data: Any) -> str:
        return normalise_phone(super().to_internal_value(data))
