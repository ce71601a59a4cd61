"""Every task explains itself in one sentence: the rule, its basis, the party and the deadline arithmetic.

The facts are stored on the task (``Task.explanation_data``) when it is made; ``explain`` renders them in the
active language, and ``Task.explanation`` keeps the sentence as it was rendered then, in the site language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdsafe.org.choices import DepartmentKind
from crowdsafe.workdays.selectors import provisional_days_sentence
from duties.choices import Basis, PartyKind
from duties.subjects import attribute_label

# How the anchor date of a deadline was chosen.
ANCHOR_EVENT = "event"
ANCHOR_ATTRIBUTE = "attribute"
ANCHOR_ATTRIBUTE_MISSING = "attribute_missing"
ANCHOR_COMPLETION = "completion"


def _arithmetic(data: dict[str, Any]) -> str:
    values = {
        "n": data.get("days", 0),
        "start": data.get("anchor", ""),
        "attribute": attribute_label(data["attribute"], data.get("subject_type")) if data.get("attribute") else "",
        "months": data.get("months", 0),
        "end": data.get("extended_from") or "",
    }
    anchor = data.get("anchor_kind", ANCHOR_EVENT)
    if anchor == ANCHOR_COMPLETION:
        return (
            ngettext(
                "%(months)d month after the previous occurrence was completed on %(start)s",
                "%(months)d months after the previous occurrence was completed on %(start)s",
                values["months"],
            )
            % values
        )
    working = data.get("unit") == "working"
    if not values["n"]:
        # A period of 0 days ends on its start day: "2026-12-07当日", not "2026-12-07后0个工作日".
        text = _("on %(start)s itself") % values
    elif working:
        text = ngettext("%(n)d working day after %(start)s", "%(n)d working days after %(start)s", values["n"]) % values
    else:
        text = ngettext("%(n)d day after %(start)s", "%(n)d days after %(start)s", values["n"]) % values
    if anchor == ANCHOR_ATTRIBUTE:
        text += _(", the subject's %(attribute)s") % values
    elif anchor == ANCHOR_ATTRIBUTE_MISSING:
        text += _(", the event, as the subject has no %(attribute)s") % values
    if values["end"]:
        text += _(", carried past the rest day %(end)s") % values
    return text


def _missing(data: dict[str, Any]) -> str:
    missing = data.get("missing") or {}
    if missing.get("what") == "department":
        kind = missing.get("department_kind", "")
        try:
            kind_label = str(DepartmentKind(kind).label)
        except ValueError:
            kind_label = kind
        return _("no active %(kind)s department at or above %(jurisdiction)s") % {
            "kind": kind_label,
            "jurisdiction": missing.get("jurisdiction", ""),
        }
    if missing.get("what") == PartyKind.ORGANIZER:
        return _("no organizer recorded for %(subject)s") % {"subject": data.get("subject", "")}
    if missing.get("what") == PartyKind.ASSIGNED:
        return _("nobody named as responsible on %(subject)s") % {"subject": data.get("subject", "")}
    return _("no operator recorded for %(subject)s") % {"subject": data.get("subject", "")}


def _basis(value: str) -> str:
    try:
        return str(Basis(value).label)
    except ValueError:
        return value


def explain(data: dict[str, Any]) -> str:
    """The task's one sentence, in the active language."""
    values = {
        "holder": data.get("holder", ""),
        "rule": data.get("rule", ""),
        "basis": _basis(data.get("basis", "")),
        "due": data.get("due", ""),
        "arithmetic": _arithmetic(data),
        "months": data.get("recurrence_months") or 0,
    }
    if data.get("holder"):
        sentence = _("Assigned to %(holder)s by rule “%(rule)s” (%(basis)s), due %(due)s (%(arithmetic)s)") % values
    else:
        values["missing"] = _missing(data)
        sentence = (
            _("Not assigned: rule “%(rule)s” (%(basis)s) found %(missing)s; due %(due)s (%(arithmetic)s)") % values
        )
    if values["months"] and data.get("anchor_kind") != ANCHOR_COMPLETION:
        sentence += (
            ngettext(
                ", then every %(months)d month after each completion",
                ", then every %(months)d months after each completion",
                values["months"],
            )
            % values
        )
    # The full stop is part of the translation: "。" in Chinese, "." in English.
    return _("%(sentence)s.") % {"sentence": sentence}


def explain_stored(data: dict[str, Any]) -> str:
    """The sentence as stored on the task: rendered in the site language (zh-hans), whoever triggered it."""
    with translation.override(settings.LANGUAGE_CODE):
        return explain(data)


def calendar_warning(data: dict[str, Any]) -> str:
    """Empty, or why the due date may move: a year counted without its holiday schedule."""
    years = data.get("uncovered_years") or []
    if not years:
        return ""
    text = ngettext(
        "The %(years)s holiday schedule had not been entered when this deadline was counted: weekends and the "
        "statutory holidays of the national holiday rules were counted as rest days.",
        "The %(years)s holiday schedules had not been entered when this deadline was counted: weekends and the "
        "statutory holidays of the national holiday rules were counted as rest days.",
        len(years),
    ) % {"years": ", ".join(str(y) for y in years)}
    provisional = data.get("provisional_days") or []
    if provisional:
        text += ("" if text.endswith("。") else " ") + provisional_days_sentence(provisional)
    return text


def deadline_facts(deadline, *, anchor_kind: str, attribute: str = "", months: int = 0) -> dict[str, Any]:
    """The deadline arithmetic as explanation facts (a ``crowdsafe.workdays`` ``Deadline``)."""
    return {
        "due": deadline.due.isoformat(),
        "anchor": deadline.start.isoformat(),
        "anchor_kind": anchor_kind,
        "attribute": attribute,
        "days": deadline.n,
        "unit": str(deadline.unit),
        "months": months,
        "extended_from": deadline.extended_from.isoformat() if deadline.extended_from else None,
        "uncovered_years": list(deadline.uncovered_years),
        "provisional_days": [[date.isoformat(), name] for date, name in deadline.provisional_days],
    }
