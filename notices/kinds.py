"""What each document kind needs: the keys of its context and their types, its title, its 代字 suffix, and who
may issue it. ``normalise_context`` checks a caller's context against the spec and turns dates into ISO
strings, so that the stored context (JSON) renders the same document for ever."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError
from crowdsafe.org.choices import DepartmentKind
from notices.choices import NoticeKind
from notices.fonts import unprintable

# Value types of context keys.
STR = "str"
TEXT = "text"  # may be empty
INT = "int"
DATE = "date"
DATE_OR_NONE = "date_or_none"
DATETIME = "datetime"
STR_LIST = "str_list"
ZONES = "zones"  # [{"zone": str, "tickets": int}]
HAZARDS = "hazards"  # [{"description": str, "location": str, "level": str}]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    # The fixed title (文种), or a function of the normalised context for titles that name the matter.
    title: str | Callable[[Mapping[str, Any]], str]
    # Appended to the issuer's abbreviation to make the default 代字: 安公 + 许 → 安公许〔2026〕12号.
    prefix_suffix: str
    required: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    # Order 505 Art. 11: the safety permit is the public security organs' (公安机关) — so are the notices of its
    # procedure. None: any department may issue the kind.
    issuer_kinds: frozenset[str] | None = None
    # Order 505 practice: a permit decision is copied to the public security organ one level up (抄送上一级公安机关).
    copy_to_next_public_security: bool = False

    def title_for(self, context: Mapping[str, Any]) -> str:
        return self.title(context) if callable(self.title) else self.title


PUBLIC_SECURITY = frozenset({DepartmentKind.PUBLIC_SECURITY})

SPECS: dict[str, KindSpec] = {
    NoticeKind.PERMIT_APPROVAL: KindSpec(
        kind=NoticeKind.PERMIT_APPROVAL,
        title="大型群众性活动安全许可决定书",
        prefix_suffix="许",
        required={
            "event_name": STR,
            "event_kind": STR,
            "organizer_name": STR,
            "venue_name": STR,
            "sessions": STR_LIST,
            "approved_capacity": INT,
            "tickets_by_zone": ZONES,
            "conditions": STR_LIST,
            "application_number": STR,
            "accepted_on": DATE,
            "decided_on": DATE,
        },
        issuer_kinds=PUBLIC_SECURITY,
        copy_to_next_public_security=True,
    ),
    NoticeKind.PERMIT_REFUSAL: KindSpec(
        kind=NoticeKind.PERMIT_REFUSAL,
        title="不予安全许可决定书",
        prefix_suffix="不许",
        required={
            "event_name": STR,
            "organizer_name": STR,
            "application_number": STR,
            "accepted_on": DATE,
            "decided_on": DATE,
            "reasons": STR_LIST,
            "review_authority": STR,
            "court": STR,
        },
        issuer_kinds=PUBLIC_SECURITY,
        copy_to_next_public_security=True,
    ),
    NoticeKind.ACCEPTANCE: KindSpec(
        kind=NoticeKind.ACCEPTANCE,
        title="受理通知书",
        prefix_suffix="受",
        required={
            "event_name": STR,
            "organizer_name": STR,
            "application_number": STR,
            "submitted_on": DATE,
            "accepted_on": DATE,
            "statutory_decision_due": DATE,
            "promised_decision_due": DATE,
        },
        issuer_kinds=PUBLIC_SECURITY,
    ),
    NoticeKind.NON_ACCEPTANCE: KindSpec(
        kind=NoticeKind.NON_ACCEPTANCE,
        title="不予受理通知书",
        prefix_suffix="不受",
        required={
            "event_name": STR,
            "organizer_name": STR,
            "application_number": STR,
            "submitted_on": DATE,
            "reasons": STR_LIST,
        },
        optional={"review_authority": STR, "court": STR},
        issuer_kinds=PUBLIC_SECURITY,
    ),
    NoticeKind.CORRECTION: KindSpec(
        kind=NoticeKind.CORRECTION,
        title="补正通知书",
        prefix_suffix="补",
        required={
            "event_name": STR,
            "organizer_name": STR,
            "application_number": STR,
            "submitted_on": DATE,
            "items": STR_LIST,
            "correction_due": DATE_OR_NONE,
        },
        issuer_kinds=PUBLIC_SECURITY,
    ),
    NoticeKind.RECTIFICATION_ORDER: KindSpec(
        kind=NoticeKind.RECTIFICATION_ORDER,
        title="责令整改通知书",
        prefix_suffix="责改",
        required={
            "unit_name": STR,
            "venue_name": STR,
            "hazards": HAZARDS,
            "deadline": DATE,
            "legal_basis": STR,
            "measures_required": STR_LIST,
        },
        optional={"inspected_on": DATE, "review_authority": STR, "court": STR},
    ),
    NoticeKind.TASK_ASSIGNMENT: KindSpec(
        kind=NoticeKind.TASK_ASSIGNMENT,
        title="任务交办单",
        prefix_suffix="交",
        required={
            "task_id": INT,
            "duty_name": STR,
            "subject_label": STR,
            "holder": STR,
            "due_date": DATE,
            "explanation": STR,
            "description": TEXT,
        },
        optional={"note": TEXT, "contact": TEXT},
    ),
    NoticeKind.DRILL_NOTICE: KindSpec(
        kind=NoticeKind.DRILL_NOTICE,
        title=lambda context: f"关于开展{context['plan_name']}应急演练的通知",
        prefix_suffix="练",
        required={
            "plan_name": STR,
            "scenario": STR,
            "drill_at": DATETIME,
            "place": STR,
            "participants": STR_LIST,
            "requirements": STR_LIST,
        },
        optional={"contact": STR},
    ),
    # Issue 16 point 4: a situation report (态势研判) of an incident, numbered in its issuer's sequence.
    NoticeKind.SITUATION_REPORT: KindSpec(
        kind=NoticeKind.SITUATION_REPORT,
        title=lambda context: f"关于{context['incident_title']}的情况报告（第{context['sequence']}期）",
        prefix_suffix="情",
        required={
            "incident_number": STR,
            "incident_title": STR,
            "sequence": INT,
            "level": STR,
            "commander": STR,
            "reported_at": DATETIME,
            "situation": TEXT,
            "measures": TEXT,
            "forces": TEXT,
            "next_steps": TEXT,
        },
        optional={"needs": TEXT, "place": STR},
    ),
    # Issue 17 point 6: the leaders' weekly briefing (安全形势简报) of a territory, built by
    # ``dashboard.services.briefing_issue``; its figures, the charts' data and the lists are further JSON keys of
    # the context (``figures``, ``trend``, ``levels``, ``overdue``, ``alerts``, ``incidents``, ``outlook``), drawn
    # as SVG by the template (``dashboard.templatetags.briefing_charts``).
    NoticeKind.WEEKLY_BRIEFING: KindSpec(
        kind=NoticeKind.WEEKLY_BRIEFING,
        title=lambda context: f"{context['territory']}安全形势简报（{context['week_label']}）",
        prefix_suffix="简",
        required={"territory": STR, "week_label": STR, "week_from": DATE, "week_to": DATE, "summary": TEXT},
    ),
    # Issue 21 point 2: the record of a safety inspection (a pre-event inspection, or one that found failed items),
    # issued by its lead department from ``inspections.services`` when the last part is signed.
    NoticeKind.INSPECTION_RECORD: KindSpec(
        kind=NoticeKind.INSPECTION_RECORD,
        title=lambda context: f"{context['inspected']}安全检查记录",
        prefix_suffix="检",
        required={
            "inspected": STR,
            "checklist": STR,
            "inspected_on": DATE,
            "departments": STR_LIST,
            "signatures": STR_LIST,
            "answered": INT,
            "failed_items": STR_LIST,
            "conclusion": STR,
        },
    ),
}


def spec_for(kind: str) -> KindSpec:
    try:
        return SPECS[NoticeKind(kind)]
    except ValueError as exc:
        raise DomainError(_("Unknown document kind: %(kind)s.") % {"kind": kind}, field="kind") from exc


# --- context checking ------------------------------------------------------------------------------------


def _bad(key: str, what: str) -> DomainError:
    return DomainError(
        _("The document's %(key)s must be %(what)s.") % {"key": key, "what": what}, field=key, code="invalid_context"
    )


def _text(key: str, value: Any, *, allow_blank: bool = False) -> str:
    if not isinstance(value, str) or (not allow_blank and not value.strip()):
        raise _bad(key, _("a non-empty text"))
    check_printable(key, value)
    return value.strip()


def check_printable(key: str, value: str) -> None:
    """Refuse a character the document font cannot print, rather than print a blank box in a legal document."""
    missing = unprintable(value)
    if missing:
        shown = "、".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:5])
        raise DomainError(
            _("The document's %(key)s contains characters its font cannot print: %(chars)s. Write them another way.")
            % {"key": key, "chars": shown},
            field=key,
            code="unprintable",
        )


def _date(key: str, value: Any) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _bad(key, _("a date"))


def _datetime(key: str, value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise _bad(key, _("a date and time")) from exc
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return timezone.localtime(value).isoformat(timespec="minutes")
    raise _bad(key, _("a date and time"))


def _int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(key, _("a whole number"))
    return value


def _text_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, (list, tuple)) or not value:
        raise _bad(key, _("a list of one or more texts"))
    return [_text(key, item) for item in value]


def _zones(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, (list, tuple)):
        raise _bad(key, _("a list of zones with their tickets"))
    zones = []
    for item in value:
        if not isinstance(item, Mapping) or "zone" not in item or "tickets" not in item:
            raise _bad(key, _("a list of zones with their tickets"))
        zones.append({"zone": _text(key, item["zone"]), "tickets": _int(key, item["tickets"])})
    return zones


def _hazards(key: str, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, (list, tuple)) or not value:
        raise _bad(key, _("a list of one or more hazards"))
    hazards = []
    for item in value:
        if not isinstance(item, Mapping) or "description" not in item:
            raise _bad(key, _("a list of one or more hazards"))
        hazards.append(
            {
                "description": _text(key, item["description"]),
                "location": _text(key, item.get("location") or "", allow_blank=True),
                "level": _text(key, item.get("level") or "", allow_blank=True),
            }
        )
    return hazards


CHECKS: dict[str, Callable[[str, Any], Any]] = {
    STR: _text,
    TEXT: lambda key, value: _text(key, "" if value is None else value, allow_blank=True),
    INT: _int,
    DATE: _date,
    DATE_OR_NONE: lambda key, value: None if value in (None, "") else _date(key, value),
    DATETIME: _datetime,
    STR_LIST: _text_list,
    ZONES: _zones,
    HAZARDS: _hazards,
}


def normalise_context(kind: str, context: Mapping[str, Any] | None) -> dict[str, Any]:
    """The context checked against the kind's spec, with dates as ISO strings (JSON-safe, stable).

    Missing keys raise one DomainError naming all of them; a value of the wrong type raises one naming the key.
    Keys the spec does not know are kept as they are (a caller may add facts for its own use), as long as they
    are JSON values."""
    spec = spec_for(kind)
    context = dict(context or {})
    missing = [key for key in spec.required if key not in context]
    if missing:
        raise DomainError(
            _("The document cannot be issued: its context lacks %(keys)s.") % {"keys": ", ".join(missing)},
            field="context",
            code="missing_context",
        )
    result: dict[str, Any] = {}
    for key, value in context.items():
        kind_of_value = spec.required.get(key) or spec.optional.get(key)
        if kind_of_value is None:
            result[key] = _json_value(key, value)
        elif value is None and key in spec.optional:
            result[key] = None
        else:
            result[key] = CHECKS[kind_of_value](key, value)
    return result


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _datetime(key, value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(key, item) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _json_value(key, v) for k, v in value.items()}
    raise _bad(key, _("a text, a number, a date or a list of them"))
