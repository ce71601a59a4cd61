"""The condition language of responsibility rules: small, documented, and safe (no code, no lookups).

A rule's ``conditions`` is a JSON object. Every entry must hold for the rule to fire (AND); an empty object
always holds. A key is an attribute of the subject (what its ``attributes`` function returns, see
``duties.subjects``), optionally followed by ``__`` and an operator::

    {"kind": "park"}                              equals
    {"kind__in": ["scenic_area", "park"]}         is one of
    {"risk_level__gte": "orange"}                 at or above, on the attribute's ordered scale
    {"expected_attendance__lte": 4999}            at most (numbers)
    {"state": "submitted", "expected_attendance__gte": 5000}    both

Operators: none (equals), ``in``, ``gte``, ``lte``. Values are JSON strings, numbers or booleans (``in`` takes a
non-empty list of them). ``gte``/``lte`` compare numbers, or levels on an ordered scale (``ORDERED_SCALES``:
``risk_level`` runs blue < yellow < orange < red, 低 < 一般 < 较大 < 重大). An attribute the subject does not
have, or has as empty, makes its condition false: the rule does not fire rather than fire on a guess.

``validate_conditions`` runs when a rule is saved (model ``clean``, admin, services) and lists every problem.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crowdsafe.audit.labels import state_label
from duties.subjects import attribute_label, registration_for_name

# Ordered level lists that gte/lte compare on, lowest first. Keyed by attribute name.
ORDERED_SCALES: dict[str, tuple[str, ...]] = {
    # Four risk levels, coloured (DESIGN.md section 6): 低 blue, 一般 yellow, 较大 orange, 重大 red.
    "risk_level": ("blue", "yellow", "orange", "red"),
}

OPERATORS = ("", "in", "gte", "lte")
MAX_CONDITIONS = 20
MAX_LIST = 100
ATTRIBUTE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def split_key(key: str) -> tuple[str, str]:
    """ "kind__in" → ("kind", "in"); "kind" → ("kind", "")."""
    attribute, _sep, operator = key.partition("__")
    return attribute, operator


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def validate_conditions(conditions: Any) -> None:
    """Raise ``ValidationError`` listing every problem in ``conditions``, or return when they are valid."""
    if conditions is None:
        return
    if not isinstance(conditions, dict):
        raise ValidationError(_('Conditions must be a JSON object, e.g. {"kind__in": ["scenic_area", "park"]}.'))
    errors: list[str] = []
    if len(conditions) > MAX_CONDITIONS:
        errors.append(_("At most %(max)d conditions.") % {"max": MAX_CONDITIONS})
    for key, value in conditions.items():
        attribute, operator = split_key(str(key))
        if not ATTRIBUTE_RE.match(attribute):
            errors.append(
                _("“%(key)s”: an attribute name is lower-case letters, digits and single underscores.") % {"key": key}
            )
            continue
        if operator not in OPERATORS:
            errors.append(
                _("“%(key)s”: unknown operator “%(op)s”; use none (equals), __in, __gte or __lte.")
                % {"key": key, "op": operator}
            )
            continue
        if operator == "in":
            if not isinstance(value, list) or not value:
                errors.append(_("“%(key)s”: __in takes a non-empty list of values.") % {"key": key})
            elif len(value) > MAX_LIST:
                errors.append(_("“%(key)s”: at most %(max)d values.") % {"key": key, "max": MAX_LIST})
            elif not all(_is_scalar(item) for item in value):
                errors.append(_("“%(key)s”: list items must be strings, numbers or true/false.") % {"key": key})
        elif operator in ("gte", "lte"):
            scale = ORDERED_SCALES.get(attribute)
            if _is_number(value):
                continue
            if scale is None:
                errors.append(
                    _("“%(key)s”: __%(op)s compares numbers, or levels of an ordered attribute (%(scales)s).")
                    % {"key": key, "op": operator, "scales": ", ".join(sorted(ORDERED_SCALES))}
                )
            elif value not in scale:
                errors.append(
                    _("“%(key)s”: “%(value)s” is not a level of %(attribute)s; use one of %(levels)s.")
                    % {"key": key, "value": value, "attribute": attribute, "levels": ", ".join(scale)}
                )
        elif not _is_scalar(value):
            errors.append(_("“%(key)s”: the value must be a string, a number or true/false.") % {"key": key})
    if errors:
        raise ValidationError(errors)


def _rank(attribute: str, value: Any) -> float | None:
    """A comparable number for gte/lte, or None when the value cannot be compared."""
    scale = ORDERED_SCALES.get(attribute)
    if scale is not None and isinstance(value, str):
        return float(scale.index(value)) if value in scale else None
    if _is_number(value):
        return float(value)
    return None


def _holds(attribute: str, operator: str, expected: Any, attributes: dict[str, Any]) -> bool:
    actual = attributes.get(attribute)
    if actual is None or actual == "":
        return False
    if operator == "":
        return actual == expected
    if operator == "in":
        return actual in expected
    left, right = _rank(attribute, actual), _rank(attribute, expected)
    if left is None or right is None:
        return False
    return left >= right if operator == "gte" else left <= right


def conditions_hold(conditions: dict[str, Any] | None, attributes: dict[str, Any]) -> bool:
    """Whether every condition holds for a subject with these attributes (conditions already validated)."""
    for key, expected in (conditions or {}).items():
        attribute, operator = split_key(key)
        if not _holds(attribute, operator, expected, attributes):
            return False
    return True


def describe_conditions(conditions: dict[str, Any] | None, subject_type: str | None = None) -> str:
    """A short human reading of the conditions, for the rules pages, in words rather than attribute names and
    codes: 'kind of venue in 景区, 公园; 风险等级 ≥ 橙色'."""
    if not conditions:
        return _("always")
    registration = registration_for_name(subject_type or "")
    model = registration.model if registration is not None else None
    symbols = {"": "=", "gte": "≥", "lte": "≤"}

    def word(value: Any) -> str:
        if value is True:
            return _("yes")
        if value is False:
            return _("no")
        return state_label(model, value) if isinstance(value, str) else str(value)

    parts = []
    for key, value in conditions.items():
        attribute, operator = split_key(key)
        label = attribute_label(attribute, subject_type)
        if operator == "in":
            parts.append(_("%(attribute)s in %(values)s") % {"attribute": label, "values": ", ".join(map(word, value))})
        else:
            parts.append(f"{label} {symbols[operator]} {word(value)}")
    return "; ".join(parts)
