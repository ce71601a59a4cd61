"""The legal checks of a permit application, each with the article it comes from (DESIGN.md section 6).

Pure functions of plain values: no query, no model. ``permits.selectors.application_facts`` gathers the values
from an application; ``evaluate`` turns them into the checks the pages and the API show at every step, and
``completeness`` into the list of what is still missing before the application may be submitted.

- Order 505 Art. 2: a permit is needed for an event with at least 1,000 people expected per session — not for a
  venue's regular business (Art. 2 para. 2).
- Art. 25: the regulation does not govern the security of events organized by a people's government at county
  level or above or by a state organ (县级以上各级人民政府、国家机关组织的大型群众性活动): no permit.
- Art. 12: 1,000 to under 5,000 → the county-level public security of the venue's county; 5,000 and over → the
  city-level (设区的市) public security; across provinces → the Ministry. Exactly 5,000 is ambiguous in the text:
  it goes to the city by default; ``PERMITS_CITY_LEVEL_FROM`` moves the boundary.
- Art. 13: the application is filed at least 20 calendar days before the event day (a period counted back from the
  event, so calendar days). When that last day is a day off the office may be closed: the check says so.
- Art. 7: tickets only up to the capacity the licensing authority approves (here: the venue's approved capacity,
  or its computed safe capacity where none is approved); attendance above it is flagged.
- Art. 14: the decision within 7 days of acceptance, counted in WORKING days. The permit is an administrative
  licence, so the Administrative Licensing Law governs how its periods run: Art. 42 lets a regulation set its own
  decision period ("法律、法规另有规定的，依照其规定" — here Order 505's 7 days instead of the law's 20), and
  Art. 82 counts the periods of implementing a licence in working days, statutory holidays excluded (以工作日计算，
  不含法定节假日). Counting the 7 days in calendar days would also make the usual local promise of 7 working days
  later than the law. The locally promised deadline is kept beside it and may never be later than it
  (``promise_within_statutory``; the admin, the service and a settings check refuse a longer promise).
- 行政许可法 Art. 32: within 5 days of receiving an application the authority accepts it, or tells the applicant
  at once everything to correct, or says why it does not accept it. (Art. 82 of that law counts its periods
  in working days.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.workdays.choices import DeadlineUnit
from crowdsafe.workdays.selectors import DayInfo, Deadline, add_working_days, compute_deadline, day_info
from permits.choices import (
    PLAN_SECTION_ITEMS,
    LicensingLevel,
    MaterialKind,
    PlanMode,
    PlanSection,
)

# --- the numbers of the regulation -------------------------------------------------------------------------

PERMIT_THRESHOLD = 1000  # Art. 2: per session
DEFAULT_CITY_LEVEL_FROM = 5000  # Art. 12: "5000人以上" — from 5,000 up (settable: PERMITS_CITY_LEVEL_FROM)
FILING_DAYS = 20  # Art. 13: calendar days before the event day
STATUTORY_DECISION_DAYS = 7  # Art. 14: days from acceptance
STATUTORY_DECISION_UNIT = DeadlineUnit.WORKING_DAYS  # 行政许可法 Art. 82 (see the module docstring)
ACCEPTANCE_WORKING_DAYS = 5  # 行政许可法 Art. 32 (and Art. 82: working days)

# --- citations (shown to users beside each check) ----------------------------------------------------------

ORDER_505 = gettext_lazy("Regulations on the Safety Management of Large-scale Mass Events")
ART_2 = gettext_lazy("Order 505 Art. 2")
ART_6 = gettext_lazy("Order 505 Art. 6")
ART_7 = gettext_lazy("Order 505 Art. 7")
ART_12 = gettext_lazy("Order 505 Art. 12")
ART_13 = gettext_lazy("Order 505 Art. 13")
ART_14 = gettext_lazy("Order 505 Art. 14")
ART_15 = gettext_lazy("Order 505 Art. 15")
ART_25 = gettext_lazy("Order 505 Art. 25")
LICENSING_LAW_32 = gettext_lazy("Administrative Licensing Law Art. 32")
LICENSING_LAW_38 = gettext_lazy("Administrative Licensing Law Art. 38")
LOCAL_PROMISE = gettext_lazy("Local service commitment")


def art_6_item(section: str) -> str:
    return _("Order 505 Art. 6 (%(item)d)") % {"item": PLAN_SECTION_ITEMS[section]}


def number(value: int) -> str:
    """A count of people or tickets in the active language's number format (1,000 / 1000)."""
    return number_format(value, force_grouping=True)


_n = number


# --- pure rules ---------------------------------------------------------------------------------------------


def permit_required(
    max_attendance: int, *, organized_by_government: bool = False, regular_business: bool = False
) -> bool:
    """Art. 2: 1,000 or more expected in a session, unless it is the venue's regular business (Art. 2 para. 2) or a
    people's government at county level or above or a state organ organizes it (Art. 25)."""
    if organized_by_government or regular_business:
        return False
    return max_attendance >= PERMIT_THRESHOLD


def licensing_level(
    max_attendance: int,
    *,
    across_provinces: bool = False,
    city_level_from: int = DEFAULT_CITY_LEVEL_FROM,
    organized_by_government: bool = False,
    regular_business: bool = False,
) -> str | None:
    """Art. 12: "county", "city" or "ministry"; None when no permit is needed."""
    if not permit_required(
        max_attendance, organized_by_government=organized_by_government, regular_business=regular_business
    ):
        return None
    if across_provinces:
        return LicensingLevel.MINISTRY.value
    if max_attendance >= city_level_from:
        return LicensingLevel.CITY.value
    return LicensingLevel.COUNTY.value


def latest_filing_date(first_session_date: dt.date) -> dt.date:
    """Art. 13: the last day an application for an event on ``first_session_date`` may be filed."""
    return first_session_date - dt.timedelta(days=FILING_DAYS)


def latest_filing_day_off(first_session_date: dt.date) -> DayInfo | None:
    """The latest filing date (Art. 13) when it is a day off (weekend, statutory or provisional holiday), else
    None: the licensing office may be closed that day, so the organizer should file by the working day before."""
    info = day_info(latest_filing_date(first_session_date))
    return None if info.is_working else info


def filed_in_time(filed_on: dt.date, first_session_date: dt.date) -> bool:
    return filed_on <= latest_filing_date(first_session_date)


def capacity_limit(approved_capacity: int | None, computed_capacity: int | None) -> int | None:
    """The number tickets may not exceed: the venue's approved capacity, or its computed safe capacity where none
    is approved (Art. 7)."""
    if approved_capacity:
        return approved_capacity
    return computed_capacity if computed_capacity else None


def tickets_within(tickets_total: int, limit: int | None) -> bool:
    """Art. 7: tickets only up to the capacity. Without any capacity figure nothing can be approved."""
    return limit is not None and tickets_total <= limit


def acceptance_due(submitted_on: dt.date) -> Deadline:
    """行政许可法 Art. 32/82: accept, ask for correction or refuse to accept within 5 working days."""
    return add_working_days(submitted_on, ACCEPTANCE_WORKING_DAYS)


def statutory_decision_due(accepted_on: dt.date) -> Deadline:
    """Art. 14: 7 working days from acceptance (行政许可法 Art. 82)."""
    return compute_deadline(accepted_on, STATUTORY_DECISION_DAYS, STATUTORY_DECISION_UNIT)


def promise_within_statutory(days: int, unit: str) -> bool:
    """Whether a promised deadline of ``days`` in ``unit`` can never end after the statutory one, whatever the day
    of acceptance: at most 7 working days, or at most 7 calendar days (a calendar period ends on or before the
    working-day period of as many days, since it is carried at most to the next working day)."""
    return unit in DeadlineUnit.values and 1 <= days <= STATUTORY_DECISION_DAYS


def promise_error(days: int, unit: str) -> str:
    """The message refusing a promise later than the law, or empty when the promise is within it."""
    if promise_within_statutory(days, unit):
        return ""
    return _(
        "A promised decision deadline may not be later than the statutory one: at most %(n)d days (Order 505 "
        "Art. 14, counted in working days by the Administrative Licensing Law Art. 82)."
    ) % {"n": STATUTORY_DECISION_DAYS}


def promised_decision_due(accepted_on: dt.date, days: int, unit: str = DeadlineUnit.WORKING_DAYS) -> Deadline:
    """The locally promised deadline (承诺时限), counted from acceptance with the holiday calendar."""
    return compute_deadline(accepted_on, days, unit)


# --- the checks shown to users -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One check as shown to users: what it is, whether it holds (None: cannot tell yet or does not apply), what
    it found, and the article it comes from. ``blocking`` checks that fail stop a submission."""

    key: str
    title: str
    ok: bool | None
    message: str
    article: str
    blocking: bool = False

    @property
    def status(self) -> str:
        return "na" if self.ok is None else ("ok" if self.ok else ("fail" if self.blocking else "warn"))


@dataclass(frozen=True)
class ZoneTickets:
    name: str
    tickets: int
    safe_capacity: int | None


@dataclass(frozen=True)
class ApplicationFacts:
    """What the checks need to know about an application, as plain values."""

    max_attendance: int = 0
    organized_by_government: bool = False
    regular_business: bool = False
    across_provinces: bool = False
    first_session_date: dt.date | None = None
    filed_on: dt.date | None = None
    today: dt.date | None = None
    has_venue: bool = False
    tickets_total: int = 0
    zones: tuple[ZoneTickets, ...] = ()
    venue_approved_capacity: int | None = None
    venue_computed_capacity: int | None = None
    approved_capacity: int | None = None
    licensing_department: Any = None
    licensing_department_found: bool = True
    accepted_on: dt.date | None = None
    statutory_decision_due: dt.date | None = None
    promised_decision_due: dt.date | None = None
    promised_rule: str = ""
    city_level_from: int = DEFAULT_CITY_LEVEL_FROM
    # ``latest_filing_day_off(first_session_date)``: read from the calendar by the caller, so the checks stay pure.
    latest_filing_day_off: DayInfo | None = None


@dataclass
class LegalChecks:
    """The checks of one application: the values the API exposes, and the list the pages show."""

    permit_required: bool
    licensing_level: str | None
    licensing_department: Any
    latest_filing_date: dt.date | None
    filed_in_time: bool | None
    statutory_decision_due: dt.date | None
    promised_decision_due: dt.date | None
    capacity_ok: bool | None
    capacity_limit: int | None
    attendance_ok: bool | None
    items: list[Check] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[Check]:
        return [c for c in self.items if c.blocking and c.ok is False]


def evaluate(facts: ApplicationFacts) -> LegalChecks:
    """Every check of the regulation, with its article, for an application described by ``facts``."""
    items: list[Check] = []
    required = permit_required(
        facts.max_attendance,
        organized_by_government=facts.organized_by_government,
        regular_business=facts.regular_business,
    )
    # Art. 2 (and Art. 25 for events organized by a government or a state organ)
    if facts.organized_by_government:
        message = _(
            "An event organized by a people's government at county level or above or by a state organ is outside "
            "the regulation: it needs no permit."
        )
    elif facts.regular_business:
        message = _("The regular business of a theatre, park or entertainment venue is not a large-scale mass event.")
    elif required:
        message = _("%(n)s people are expected in the largest session: at least 1,000, so a permit is needed.") % {
            "n": _n(facts.max_attendance)
        }
    elif facts.max_attendance:
        message = _(
            "%(n)s people are expected in the largest session: under 1,000, so this is not a large-scale mass event "
            "and needs no permit."
        ) % {"n": _n(facts.max_attendance)}
    else:
        message = _("Add the sessions with their expected attendance: a permit is needed from 1,000 per session.")
    items.append(
        Check(
            "permit_required",
            _("Permit needed"),
            required if facts.max_attendance or facts.organized_by_government or facts.regular_business else None,
            message,
            str(ART_25 if facts.organized_by_government else ART_2),
            blocking=True,
        )
    )

    # Art. 12
    level = licensing_level(
        facts.max_attendance,
        across_provinces=facts.across_provinces,
        city_level_from=facts.city_level_from,
        organized_by_government=facts.organized_by_government,
        regular_business=facts.regular_business,
    )
    if level == LicensingLevel.MINISTRY:
        message = _(
            "An event held across provinces is licensed by the Ministry of Public Security: apply there; it is "
            "outside this platform."
        )
        ok = False
    elif level:
        if level == LicensingLevel.CITY:
            basis = _("%(n)s expected: %(from)s or more, so the city-level public security licenses.") % {
                "n": _n(facts.max_attendance),
                "from": _n(facts.city_level_from),
            }
        else:
            basis = _(
                "%(n)s expected: from 1,000 to under %(from)s, so the county-level public security of the venue's "
                "county licenses."
            ) % {"n": _n(facts.max_attendance), "from": _n(facts.city_level_from)}
        if facts.licensing_department is not None:
            message = (
                basis + " " + _("Licensing department: %(department)s.") % {"department": facts.licensing_department}
            )
            ok = True
        elif not facts.has_venue:
            message = basis + " " + _("Choose the venue to find the department.")
            ok = None
        else:
            message = basis + " " + _("No active public security department was found for the venue's area.")
            ok = False
    else:
        message = _("No licensing authority: no permit is needed.")
        ok = None
    items.append(Check("licensing_level", _("Licensing authority"), ok, message, str(ART_12), blocking=True))

    # Art. 13: filing deadline
    latest = latest_filing_date(facts.first_session_date) if facts.first_session_date else None
    in_time: bool | None = None
    if latest is None:
        message = _("Add the sessions: the application is due 20 days before the first one.")
    else:
        filed = facts.filed_on or facts.today
        in_time = filed is not None and filed <= latest
        values = {"latest": latest.isoformat(), "first": facts.first_session_date.isoformat()}
        if facts.filed_on:
            values["filed"] = facts.filed_on.isoformat()
            if in_time:
                message = _("Filed on %(filed)s, on or before %(latest)s (20 days before %(first)s): in time.") % values
            else:
                message = (
                    _(
                        "Filed on %(filed)s: too late. The last date it could have been filed was %(latest)s "
                        "(20 days before %(first)s)."
                    )
                    % values
                )
        elif in_time:
            message = _("File by %(latest)s at the latest (20 days before the first session on %(first)s).") % values
        else:
            message = (
                _("Too late to file: the last date was %(latest)s (20 days before the first session on %(first)s).")
                % values
            )
    items.append(Check("filing_deadline", _("Filing deadline"), in_time, message, str(ART_13), blocking=True))
    day_off = facts.latest_filing_day_off
    if day_off is not None and in_time and not facts.filed_on:
        items.append(
            Check(
                "filing_day_off",
                _("Last filing day is a day off"),
                False,
                _(
                    "%(latest)s, the last day to file, is a day off (%(kind)s): the licensing office may be closed. "
                    "File by the working day before."
                )
                % {
                    "latest": day_off.date.isoformat(),
                    "kind": f"{day_off.type_label} {day_off.name}".strip(),
                },
                str(ART_13),
            )
        )

    # Art. 7: tickets within the capacity; attendance above it is flagged
    limit = capacity_limit(
        facts.approved_capacity or facts.venue_approved_capacity,
        facts.venue_computed_capacity,
    )
    capacity_ok: bool | None = None
    attendance_ok: bool | None = None
    if not facts.has_venue:
        message = _("Choose the venue: tickets may not exceed its approved capacity.")
    elif limit is None:
        capacity_ok = False
        message = _(
            "The venue has neither an approved capacity nor a computed safe capacity: its operator must record them "
            "before tickets can be planned."
        )
    else:
        capacity_ok = tickets_within(facts.tickets_total, limit)
        source = (
            _("approved capacity")
            if (facts.approved_capacity or facts.venue_approved_capacity)
            else _("computed safe capacity")
        )
        values = {"tickets": _n(facts.tickets_total), "limit": _n(limit), "source": source}
        if capacity_ok:
            message = _("%(tickets)s tickets planned, within the %(source)s of %(limit)s.") % values
        else:
            message = _("%(tickets)s tickets planned: more than the %(source)s of %(limit)s.") % values
    items.append(Check("capacity", _("Tickets within capacity"), capacity_ok, message, str(ART_7), blocking=True))
    if facts.has_venue and limit is not None and facts.max_attendance:
        attendance_ok = facts.max_attendance <= limit
        values = {"n": _n(facts.max_attendance), "limit": _n(limit)}
        message = (
            _("%(n)s expected in the largest session, within the capacity of %(limit)s.") % values
            if attendance_ok
            else _("%(n)s expected in the largest session: above the capacity of %(limit)s.") % values
        )
        items.append(Check("attendance", _("Attendance within capacity"), attendance_ok, message, str(ART_7)))
    over = [z for z in facts.zones if z.safe_capacity is not None and z.tickets > z.safe_capacity]
    if over:
        message = "; ".join(
            _("%(zone)s: %(tickets)s tickets for a safe capacity of %(capacity)s")
            % {"zone": z.name, "tickets": _n(z.tickets), "capacity": _n(z.safe_capacity)}
            for z in over
        )
        items.append(Check("zone_capacity", _("Tickets within each zone's capacity"), False, message, str(ART_7)))

    # Art. 14: decision deadlines
    if facts.accepted_on:
        message = _(
            "Accepted on %(accepted)s: the decision is due by %(due)s (7 working days; the Administrative "
            "Licensing Law Art. 82 counts licensing periods in working days)."
        ) % {
            "accepted": facts.accepted_on.isoformat(),
            "due": facts.statutory_decision_due.isoformat() if facts.statutory_decision_due else "—",
        }
        items.append(Check("statutory_deadline", _("Statutory decision deadline"), True, message, str(ART_14)))
        message = _("Promised by %(due)s (%(rule)s from acceptance).") % {
            "due": facts.promised_decision_due.isoformat() if facts.promised_decision_due else "—",
            "rule": facts.promised_rule or "—",
        }
        items.append(Check("promised_deadline", _("Promised decision deadline"), True, message, str(LOCAL_PROMISE)))
    else:
        items.append(
            Check(
                "statutory_deadline",
                _("Statutory decision deadline"),
                None,
                _(
                    "The decision is due within 7 working days of acceptance (Administrative Licensing Law Art. 82); "
                    "the date is set when the application is accepted."
                ),
                str(ART_14),
            )
        )

    return LegalChecks(
        permit_required=required,
        licensing_level=level,
        licensing_department=facts.licensing_department,
        latest_filing_date=latest,
        filed_in_time=in_time,
        statutory_decision_due=facts.statutory_decision_due,
        promised_decision_due=facts.promised_decision_due,
        capacity_ok=capacity_ok,
        capacity_limit=limit,
        attendance_ok=attendance_ok,
        items=items,
    )


# --- completeness ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing still missing before submission, with where it comes from and the part of the form to fix."""

    text: str
    article: str
    section: str


@dataclass(frozen=True)
class CompletenessFacts:
    event_kind: str = ""
    event_name: str = ""
    description: str = ""
    session_count: int = 0
    has_venue: bool = False
    zone_count: int = 0
    undertaker_count: int = 0
    safety_person_name: str = ""
    safety_person_phone: str = ""
    safety_person_id_number: str = ""
    material_kinds: frozenset[str] = frozenset()
    plan_mode: str = PlanMode.WRITTEN
    # section → text (written) or page (uploaded)
    plan_texts: dict[str, str] = field(default_factory=dict)
    plan_pages: dict[str, int | None] = field(default_factory=dict)


# The materials Art. 13 asks of every application (the joint agreement only with two or more undertakers, the
# security plan as a file only when uploaded, qualification certificates only where a law requires them).
REQUIRED_MATERIALS: Sequence[tuple[str, Promise]] = (
    (MaterialKind.UNDERTAKER_LICENCE, ART_13),
    (MaterialKind.SAFETY_PERSON_ID, ART_13),
    (MaterialKind.EVENT_PLAN, ART_13),
    (MaterialKind.VENUE_CONSENT, ART_13),
    (MaterialKind.EMERGENCY_PLAN, ART_6),
)


def completeness(facts: CompletenessFacts) -> list[Missing]:
    """Everything still missing before the application may be submitted, each with its article."""
    missing: list[Missing] = []

    def need(text, article, section):
        missing.append(Missing(str(text), str(article), section))

    if not facts.event_kind:
        need(_("The kind of event"), ART_2, "event")
    if not facts.event_name.strip():
        need(_("The event name"), ART_13, "event")
    if not facts.description.strip():
        need(_("A description of the event"), ART_13, "event")
    if not facts.session_count:
        need(_("At least one session with its time and expected attendance"), ART_2, "sessions")
    if not facts.has_venue:
        need(_("The venue"), ART_13, "venue")
    elif not facts.zone_count:
        need(_("The zones of the venue the event uses, with the tickets for each"), ART_7, "tickets")
    if not facts.undertaker_count:
        need(_("At least one undertaker"), ART_13, "undertakers")
    if not facts.safety_person_name.strip():
        need(_("The safety-responsible person's name"), ART_13, "safety_person")
    if not facts.safety_person_phone.strip():
        need(_("The safety-responsible person's phone"), ART_13, "safety_person")
    if not facts.safety_person_id_number.strip():
        need(_("The safety-responsible person's ID number"), ART_13, "safety_person")
    for kind, article in REQUIRED_MATERIALS:
        if kind not in facts.material_kinds:
            need(MaterialKind(kind).label, article, "materials")
    if facts.undertaker_count > 1 and MaterialKind.JOINT_AGREEMENT not in facts.material_kinds:
        need(
            _("The joint undertaking agreement (there are %(n)d undertakers)") % {"n": facts.undertaker_count},
            ART_13,
            "materials",
        )
    if facts.plan_mode == PlanMode.UPLOADED:
        if MaterialKind.SECURITY_PLAN not in facts.material_kinds:
            need(_("The security plan file"), ART_13, "security_plan")
        for section in PlanSection:
            if not facts.plan_pages.get(section.value):
                need(
                    _("The page of the security plan section “%(section)s”") % {"section": section.label},
                    art_6_item(section.value),
                    "security_plan",
                )
    else:
        for section in PlanSection:
            if not (facts.plan_texts.get(section.value) or "").strip():
                need(
                    _("Security plan section “%(section)s”") % {"section": section.label},
                    art_6_item(section.value),
                    "security_plan",
                )
    return missing
