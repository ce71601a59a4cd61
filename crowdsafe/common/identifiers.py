"""Identifiers people type in: the resident ID number (居民身份证号码, GB 11643-1999) and the unified social
credit code (统一社会信用代码, GB 32100-2015), checked with python-stdnum (cn.ric, cn.uscc), check digit
included, so a typo in one character is refused where it is typed instead of reaching a permit decision.

One validator each, used by the model fields, the forms (``ResidentIdFormField``, ``CreditCodeFormField``),
the API (``ResidentIdSerializerField``, ``CreditCodeSerializerField``) and the services. Values are normalised
before they are checked and stored: full-width characters made ASCII (a Chinese input method types ``１２Ｘ``),
spaces and hyphens removed, letters upper-cased (``x`` → ``X``).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat
from stdnum.exceptions import ValidationError as StdnumError

RESIDENT_ID_LENGTH = 18
CREDIT_CODE_LENGTH = 18

RESIDENT_ID_FORMAT = _("A resident ID number has 18 characters: 17 digits and a final digit or X.")
RESIDENT_ID_CHECKSUM = _("This resident ID number's check digit does not match: look for a mistyped digit.")
RESIDENT_ID_COMPONENT = _("This resident ID number has no valid region code or date of birth.")
CREDIT_CODE_FORMAT = _(
    "A unified social credit code has 18 characters: digits and capital letters other than I, O, Z, S and V."
)
CREDIT_CODE_CHECKSUM = _(
    "This unified social credit code's check character does not match: look for a mistyped character."
)

# python-stdnum 2.2 wants digits in the first two places (registering authority, kind of body). GB 32100-2015
# allows letters there too: Y (other authorities) and the codes later given to other registrars, such as N for
# the rural collective economic organisations registered by agriculture departments (村股份经济合作社, which
# run village squares and temple-fair grounds). Those codes are checked with the same check character.
_CREDIT_CODE_LETTER_HEAD = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_SEPARATORS = re.compile(r"[\s\-]+")


def normalise_identifier(value: str) -> str:
    """``value`` as stored: full-width characters made ASCII, spaces and hyphens removed, upper case."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value)).upper()


def validate_resident_id(value: str) -> None:
    """Refuse anything but a valid resident ID number (length, digits, check digit, region code, birth date)."""
    number = normalise_identifier(value)
    try:
        ric.validate(number)
    except InvalidChecksum:
        raise ValidationError(RESIDENT_ID_CHECKSUM, code="checksum") from None
    except InvalidComponent:
        if not _region_and_birth_date_exist(number):
            raise ValidationError(RESIDENT_ID_COMPONENT, code="component") from None
    except StdnumError:
        raise ValidationError(RESIDENT_ID_FORMAT, code="format") from None


def _region_and_birth_date_exist(number: str) -> bool:
    """Whether the birth date is a real day and the region code a county python-stdnum knows. stdnum 2.2 also
    refuses a county created after the birth year, but the code is the county of first registration: the first
    cards were issued in 1984-1985, so a person born in 1980 in what became 文峰区 (410502, created 1983) rightly
    carries 410502."""
    try:
        ric.get_birth_date(number)
    except StdnumError:
        return False
    found = numdb.get("cn/loc").info(number[:6])
    return any("county" in properties for _part, properties in found)


def validate_credit_code(value: str) -> None:
    """Refuse anything but a valid unified social credit code (length, alphabet, check character)."""
    code = normalise_identifier(value)
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise ValidationError(CREDIT_CODE_CHECKSUM, code="checksum") from None
    except InvalidFormat:
        if not _CREDIT_CODE_LETTER_HEAD.match(code):
            raise ValidationError(CREDIT_CODE_FORMAT, code="format") from None
        if code[-1] != uscc.calc_check_digit(code):
            raise ValidationError(CREDIT_CODE_CHECKSUM, code="checksum") from None
    except StdnumError:
        raise ValidationError(CREDIT_CODE_FORMAT, code="format") from None


def clean_resident_id(value: str) -> str:
    """``value`` normalised, or ValidationError. An empty value stays empty (the field decides if it is needed)."""
    value = normalise_identifier(value)
    if value:
        validate_resident_id(value)
    return value


def clean_credit_code(value: str) -> str:
    """``value`` normalised, or ValidationError. An empty value stays empty (the field decides if it is needed)."""
    value = normalise_identifier(value)
    if value:
        validate_credit_code(value)
    return value


class _IdentifierFormField(forms.CharField):
    """A form field that normalises what was typed before its validators run."""

    length = 18

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.length)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalise_identifier(str(super().to_python(value)))

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # Room for the spaces people type between groups of digits; the value is checked once they are removed.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return {**attrs, "autocomplete": "off", "spellcheck": "false"}


class ResidentIdFormField(_IdentifierFormField):
    length = RESIDENT_ID_LENGTH
    default_validators = [validate_resident_id]


class CreditCodeFormField(_IdentifierFormField):
    length = CREDIT_CODE_LENGTH
    default_validators = [validate_credit_code]


class _IdentifierSerializerField(serializers.CharField):
    """An API field that normalises the value before its validators run."""

    length = 18

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.length)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return normalise_identifier(super().to_internal_value(data))


class ResidentIdSerializerField(_IdentifierSerializerField):
    length = RESIDENT_ID_LENGTH

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "Resident ID number (居民身份证号码), 18 characters, the check digit is checked."
        )
        super().__init__(**kwargs)
        self.validators.append(validate_resident_id)


class CreditCodeSerializerField(_IdentifierSerializerField):
    length = CREDIT_CODE_LENGTH

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text", "Unified social credit code (统一社会信用代码), 18 characters, the check character is checked."
        )
        super().__init__(**kwargs)
        self.validators.append(validate_credit_code)
