"""The organizer's side (the portal): a draft application and its parts, submission, withdrawal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_upload
from crowdsafe.common.identifiers import clean_credit_code, clean_resident_id
from crowdsafe.errors import DomainError, PermissionDeniedError, Problems
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Organisation
from permits import rules
from permits.choices import ApplicationState, EventKind, MaterialKind, PlanMode, PlanSection
from permits.duties import CORRECTION_KEY
from permits.models import (
    ApplicationMaterial,
    EventSession,
    PermitApplication,
    SecurityPlanSection,
    Undertaker,
    ZonePlan,
)
from permits.rules import number
from permits.selectors import missing_items
from permits.services.common import (
    cancel_all_tasks,
    check_editable,
    check_organizer,
    clean_text,
    evaluate,
    locked,
    move,
    refresh_derived,
    refuse,
    save_changed,
    settle,
    state_label,
)
from venues.models import Venue

S = ApplicationState
APPLICATION_FIELDS = (
    "event_kind",
    "event_name",
    "description",
    "organized_by_government",
    "regular_business",
    "across_provinces",
    "venue",
    "safety_person_name",
    "safety_person_phone",
    "safety_person_id_number",
    "plan_mode",
)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
MAX_ATTENDANCE = 10_000_000
MAX_SESSIONS = 100
MAX_UNDERTAKERS = 20
MAX_MATERIALS = 60


def venues_open_to(*organisations: Organisation) -> QuerySet[Venue]:
    """The venues an applicant may choose: the active ones of its city (of any of ``organisations``' cities)."""
    cities = sorted({organisation.jurisdiction.city_code for organisation in organisations})
    if not cities:
        return Venue.objects.none()
    where = Q()
    for city in cities:
        where |= Q(jurisdiction_path__startswith=f"{city}/")
    return Venue.objects.filter(where, is_active=True)


def _clean_application_data(data: Mapping[str, Any], *, organisation: Organisation) -> dict[str, Any]:
    """The application's fields checked, every problem at once (issue 20 point 3): one DomainError naming each
    field that is wrong, not the first one per attempt. A venue must be one the applicant may choose (the pages
    offer only those, by search; the API and a hand-made request are held to the same)."""
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field %(field)s.") % {"field": sorted(unknown)[0]}, field=sorted(unknown)[0])
    problems = Problems()
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        try:
            cleaned[name] = _clean_application_field(name, value)
        except DomainError as exc:  # one field's problem: noted, and the other fields are checked too
            for field, message in exc.problems:
                problems.add(message, field=field)
    venue = cleaned.get("venue")
    if venue is not None and not venues_open_to(organisation).filter(pk=venue.pk).exists():
        problems.add(_("This venue is outside the applicant's city: choose one of its venues."), field="venue")
    problems.check()
    return cleaned


def _clean_application_field(name: str, value: Any) -> Any:
    if name == "event_name":
        return clean_text(value, field=name, required=True, max_length=128)
    if name == "description":
        return clean_text(value, field=name)
    if name == "event_kind":
        if value and value not in EventKind.values:
            raise DomainError(_("Unknown kind of event."), field=name)
        return value or ""
    if name in ("organized_by_government", "regular_business", "across_provinces"):
        return bool(value)
    if name == "venue":
        if value is not None and not getattr(value, "is_active", False):
            raise DomainError(_("This venue is not on the register."), field=name)
        return value
    if name == "safety_person_name":
        return clean_text(value, field=name, max_length=64)
    if name == "safety_person_phone":
        value = clean_text(value, field=name, max_length=20)
        if value and not PHONE_RE.match(value):
            raise DomainError(
                _("Enter a phone number of 7 to 20 digits (a mobile number or a landline with its area code)."),
                field=name,
            )
        return value
    if name == "safety_person_id_number":
        try:
            return clean_resident_id(clean_text(value, field=name, max_length=64))
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field=name) from exc
    # plan_mode
    if value not in PlanMode.values:
        raise DomainError(_("Choose how the security plan is given."), field=name)
    return value


def application_create(*, organisation: Organisation, actor, **data: Any) -> PermitApplication:
    """Start a draft application for ``organisation`` (the applicant, 承办者). ``data``: the fields of
    ``APPLICATION_FIELDS``; ``event_name`` is required, everything else can be filled in later."""
    scope = get_scope(actor)
    if not (scope.is_superuser or organisation.pk in scope.organisation_ids_for(Role.ORGANIZER)):
        raise PermissionDeniedError(
            _("Only an organizer of %(organisation)s may apply for it.") % {"organisation": organisation}
        )
    cleaned = _clean_application_data({"event_name": data.pop("event_name", ""), **data}, organisation=organisation)
    with transaction.atomic():
        application = PermitApplication(organisation=organisation, created_by=actor, **cleaned)
        # The organisation's own safety-responsible person is the usual choice (Art. 13): a default for what is
        # not given.
        for field, source in (
            ("safety_person_name", "safety_officer_name"),
            ("safety_person_phone", "safety_officer_phone"),
            ("safety_person_id_number", "safety_officer_id_number"),
        ):
            if field not in data:
                setattr(application, field, getattr(organisation, source))
        refresh_derived_new = application.venue is not None
        application.save()
        application.number = f"XK{timezone.localdate().year}-{application.pk:06d}"
        fields = ["number"]
        if refresh_derived_new:
            fields += refresh_derived(application)
        save_changed(application, fields)
        log_action(
            actor=actor,
            subject=application,
            verb="created",
            to_state=application.state,
            data={"organisation": organisation.pk, "number": application.number},
        )
    return application


def application_update(*, application: PermitApplication, actor, data: Mapping[str, Any]) -> PermitApplication:
    """Change the event, venue, safety-responsible person or plan mode of a draft (or of an application returned
    for correction)."""
    cleaned = _clean_application_data(data, organisation=application.organisation)
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        changed = [name for name, value in cleaned.items() if getattr(application, name) != value]
        if not changed:
            return application
        venue_changed = "venue" in changed
        for name in changed:
            setattr(application, name, cleaned[name])
        fields = list(changed)
        if venue_changed:
            # Zones of another venue cannot be in the ticketing plan.
            ZonePlan.objects.filter(application=application).exclude(zone__venue=application.venue).delete()
        fields += refresh_derived(application)
        save_changed(application, fields)
        log_action(actor=actor, subject=application, verb="updated", data={"changed": changed})
    return application


# --- sessions, undertakers, tickets ---------------------------------------------------------------------------


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise DomainError(_("Enter a date and time."), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends_at <= starts_at:
        raise DomainError(_("A session must end after it starts."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=3):
        raise DomainError(_("A session lasts at most three days; add one session per day."), field="ends_at")
    if starts_at <= timezone.now():
        raise DomainError(_("The session must start in the future."), field="starts_at")
    return starts_at, ends_at


def session_add(
    *, application: PermitApplication, actor, starts_at: dt.datetime, ends_at: dt.datetime, expected_attendance: int
) -> EventSession:
    """Add a session with its expected attendance (Art. 2 counts people per session)."""
    starts_at, ends_at = _check_times(starts_at, ends_at)
    if isinstance(expected_attendance, bool) or not isinstance(expected_attendance, int) or expected_attendance < 1:
        raise DomainError(_("Enter the number of people expected, at least 1."), field="expected_attendance")
    if expected_attendance > MAX_ATTENDANCE:
        raise DomainError(
            _("At most %(max)s people per session.") % {"max": number(MAX_ATTENDANCE)}, field="expected_attendance"
        )
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if application.sessions.count() >= MAX_SESSIONS:
            raise DomainError(_("At most %(max)d sessions.") % {"max": MAX_SESSIONS}, field="starts_at")
        session = EventSession.objects.create(
            application=application, starts_at=starts_at, ends_at=ends_at, expected_attendance=expected_attendance
        )
        save_changed(application, refresh_derived(application))
        log_action(
            actor=actor,
            subject=application,
            verb="permit_session_added",
            data={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(), "expected": expected_attendance},
        )
    return session


def session_remove(*, session: EventSession, actor) -> None:
    with transaction.atomic():
        application = locked(session.application)
        check_organizer(actor, application)
        check_editable(application)
        data = {"starts_at": session.starts_at.isoformat(), "expected": session.expected_attendance}
        EventSession.objects.filter(pk=session.pk).delete()
        save_changed(application, refresh_derived(application))
        log_action(actor=actor, subject=application, verb="permit_session_removed", data=data)


def undertaker_add(
    *,
    application: PermitApplication,
    actor,
    name: str,
    credit_code: str,
    contact_name: str = "",
    contact_phone: str = "",
) -> Undertaker:
    """Add an undertaker (承办者). With two or more, the joint undertaking agreement becomes a required material."""
    name = clean_text(name, field="name", required=True, max_length=128)
    try:
        credit_code = clean_credit_code(clean_text(credit_code, field="credit_code", required=True, max_length=64))
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="credit_code") from exc
    contact_name = clean_text(contact_name, field="contact_name", max_length=64)
    contact_phone = clean_text(contact_phone, field="contact_phone", max_length=20)
    if contact_phone and not PHONE_RE.match(contact_phone):
        raise DomainError(
            _("Enter a phone number of 7 to 20 digits (a mobile number or a landline with its area code)."),
            field="contact_phone",
        )
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if application.undertakers.count() >= MAX_UNDERTAKERS:
            raise DomainError(_("At most %(max)d undertakers.") % {"max": MAX_UNDERTAKERS}, field="name")
        try:
            with transaction.atomic():
                undertaker = Undertaker.objects.create(
                    application=application,
                    name=name,
                    credit_code=credit_code,
                    contact_name=contact_name,
                    contact_phone=contact_phone,
                )
        except IntegrityError as exc:
            raise DomainError(
                _("An undertaker with the credit code %(code)s is already listed.") % {"code": credit_code},
                field="credit_code",
            ) from exc
        log_action(
            actor=actor, subject=application, verb="permit_undertaker_added", data={"name": name, "code": credit_code}
        )
    return undertaker


def undertaker_remove(*, undertaker: Undertaker, actor) -> None:
    with transaction.atomic():
        application = locked(undertaker.application)
        check_organizer(actor, application)
        check_editable(application)
        Undertaker.objects.filter(pk=undertaker.pk).delete()
        log_action(actor=actor, subject=application, verb="permit_undertaker_removed", data={"name": undertaker.name})


def tickets_set(*, application: PermitApplication, actor, tickets: Mapping[int, int | None]) -> list[ZonePlan]:
    """The zones of the venue the event uses and the tickets planned for each (``tickets``: zone id → number;
    a zone left out, or given None, is not used). The total may not exceed the venue's approved capacity, or its
    computed safe capacity where none is approved (Order 505 Art. 7): more is refused."""
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        venue = application.venue
        if venue is None:
            raise DomainError(_("Choose the venue first."), field="tickets")
        zones = {zone.pk: zone for zone in venue.zones.all()}
        plan: dict[int, int] = {}
        for zone_id, count in tickets.items():
            if count is None or count == "":
                continue
            if zone_id not in zones:
                raise DomainError(_("That zone is not part of %(venue)s.") % {"venue": venue.name}, field="tickets")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise DomainError(
                    _("%(zone)s: enter a whole number of tickets, 0 or more.") % {"zone": zones[zone_id].name},
                    field="tickets",
                )
            plan[zone_id] = count
        if not plan:
            raise DomainError(_("Choose at least one zone the event uses."), field="tickets")
        total = sum(plan.values())
        limit = rules.capacity_limit(venue.declared_capacity, venue.computed_capacity)
        if not rules.tickets_within(total, limit):
            if limit is None:
                raise DomainError(
                    _(
                        "%(venue)s has neither an approved capacity nor a computed safe capacity: tickets cannot be "
                        "planned until its operator records them (Order 505 Art. 7)."
                    )
                    % {"venue": venue.name},
                    field="tickets",
                )
            raise DomainError(
                _(
                    "%(total)s tickets are more than the capacity of %(venue)s (%(limit)s): tickets may only be issued "
                    "up to the approved capacity (Order 505 Art. 7)."
                )
                % {"total": number(total), "venue": venue.name, "limit": number(limit)},
                field="tickets",
                code="over_capacity",
            )
        ZonePlan.objects.filter(application=application).exclude(zone_id__in=list(plan)).delete()
        existing = {p.zone_id: p for p in ZonePlan.objects.filter(application=application)}
        result = []
        for zone_id, count in plan.items():
            row = existing.get(zone_id)
            if row is None:
                row = ZonePlan.objects.create(application=application, zone=zones[zone_id], tickets=count)
            elif row.tickets != count:
                row.tickets = count
                row.save(update_fields=["tickets"])
            result.append(row)
        log_action(
            actor=actor,
            subject=application,
            verb="permit_tickets_planned",
            data={"total": total, "zones": {zones[z].name: n for z, n in plan.items()}},
        )
    return result


# --- materials and the security plan -------------------------------------------------------------------------


def material_upload(*, application: PermitApplication, actor, kind: str, upload) -> ApplicationMaterial:
    """File a material (Art. 13): PDF, JPEG/PNG images or Office documents, within the size limit, checked by
    content."""
    if kind not in MaterialKind.values:
        raise DomainError(_("Choose what the document is."), field="kind")
    checked = check_upload(upload, kind="document", field="file")
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if application.materials.count() >= MAX_MATERIALS:
            raise DomainError(_("At most %(max)d documents.") % {"max": MAX_MATERIALS}, field="file")
        material = ApplicationMaterial(
            application=application, kind=kind, uploaded_by=actor if getattr(actor, "pk", None) else None
        )
        material.store(checked)
        material.save()
        log_action(
            actor=actor,
            subject=application,
            verb="permit_material_added",
            data={"kind": kind, "name": checked.name, "size": checked.size},
        )
    return material


def material_remove(*, material: ApplicationMaterial, actor) -> None:
    with transaction.atomic():
        application = locked(material.application)
        check_organizer(actor, application)
        check_editable(application)
        name, kind, file = material.original_name, material.kind, material.file
        ApplicationMaterial.objects.filter(pk=material.pk).delete()
        log_action(actor=actor, subject=application, verb="permit_material_removed", data={"kind": kind, "name": name})
        transaction.on_commit(lambda: file.delete(save=False))


def plan_save(
    *, application: PermitApplication, actor, mode: str, sections: Mapping[str, Mapping[str, Any]]
) -> list[SecurityPlanSection]:
    """Save the security plan (安全工作方案): ``mode`` written or uploaded; ``sections`` maps each Art. 6 section
    to its ``text`` (written) or ``page`` (uploaded: where it starts in the uploaded file)."""
    if mode not in PlanMode.values:
        raise DomainError(_("Choose how the security plan is given."), field="plan_mode")
    unknown = set(sections) - set(PlanSection.values)
    if unknown:
        raise DomainError(_("Unknown section %(section)s.") % {"section": sorted(unknown)[0]}, field="sections")
    cleaned: dict[str, tuple[str, int | None]] = {}
    for key, values in sections.items():
        text = clean_text(values.get("text"), field=f"text_{key}", max_length=20000)
        page = values.get("page")
        if page in ("", None):
            page = None
        elif isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 9999:
            raise DomainError(_("A page number is a whole number from 1."), field=f"page_{key}")
        cleaned[key] = (text, page)
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if application.plan_mode != mode:
            application.plan_mode = mode
            save_changed(application, ["plan_mode"])
        existing = {s.section: s for s in SecurityPlanSection.objects.filter(application=application)}
        result = []
        for key, (text, page) in cleaned.items():
            row = existing.get(key) or SecurityPlanSection(application=application, section=key)
            row.text, row.page = text, page
            row.save()
            result.append(row)
        log_action(
            actor=actor, subject=application, verb="permit_plan_saved", data={"mode": mode, "sections": sorted(cleaned)}
        )
    return result


# --- submission and withdrawal -------------------------------------------------------------------------------


def _legal_problems(application: PermitApplication, *, today: dt.date, problems: Problems) -> None:
    """What the regulation does not allow, added to ``problems``: no permit needed (alone: the other checks do not
    apply then), or every blocking failure (the Ministry's, filed too late, tickets over capacity, no licensing
    department), each message naming its article."""
    from permits.selectors import application_facts

    checks = rules.evaluate(application_facts(application, today=today))
    if not checks.permit_required:
        if not problems:
            raise DomainError(
                _("No permit is needed: %(why)s (%(article)s)")
                % {"why": checks.items[0].message, "article": rules.ART_2},
                code="permit_not_required",
            )
        return
    for failure in checks.blocking_failures:
        problems.add(f"{failure.message} ({failure.article})", field=failure.key)


def application_submit(*, application: PermitApplication, actor) -> PermitApplication:
    """Submit a complete application (or resubmit it after correction). Refused, with every missing item named,
    while anything is missing; refused when filed later than 20 days before the first session (Art. 13, with the
    last date it could have been filed), when no permit is needed (Art. 2), when the Ministry licenses it
    (Art. 12) or when the tickets exceed the capacity (Art. 7). Opens the licensing department's acceptance
    review (5 working days, 行政许可法 Art. 32)."""
    today = timezone.localdate()
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        if not application.can_submit():
            refuse(
                _("Only a draft or an application returned for correction can be submitted; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        save_changed(application, refresh_derived(application))
        full = (
            PermitApplication.objects.select_related("venue", "licensing_department")
            .prefetch_related("sessions", "zone_plans__zone", "undertakers", "materials", "plan_sections")
            .get(pk=application.pk)
        )
        # Everything that stops the submission at once (issue 20 point 3): what is missing, then what the
        # regulation does not allow as far as it can be told from what was given.
        problems = Problems()
        missing = missing_items(full)
        if missing:
            problems.add(
                _("The application is not complete. Still missing: %(items)s.")
                % {"items": "; ".join(f"{m.text} ({m.article})" for m in missing)}
            )
        # The filing date is that of the first submission: a correction completes the application filed then.
        _legal_problems(full, today=today, problems=problems)
        if problems:
            field, message = problems.items[0]
            code = "incomplete" if missing else field
            raise DomainError(message, field=field, code=code, problems=problems.items)
        resubmission = application.state == S.CORRECTION
        fields = []
        if not resubmission:
            application.filed_on = today
        application.submitted_at = timezone.now()
        application.acceptance_due = rules.acceptance_due(today).due
        application.review_due = application.acceptance_due
        fields += ["submitted_at", "filed_on", "acceptance_due", "review_due"]
        if resubmission:
            application.correction_due = None
            fields.append("correction_due")
        move(
            application, to=S.SUBMITTED, actor=actor, verb="permit_resubmitted" if resubmission else "permit_submitted"
        )
        save_changed(application, [*fields, "state"])
        if resubmission:
            settle(application, [CORRECTION_KEY], actor, note=_("The corrected application was resubmitted."))
        evaluate(application, actor)
    return application


def application_withdraw(*, application: PermitApplication, actor, reason: str = "") -> PermitApplication:
    """The organizer withdraws an application before the decision: every open step is cancelled and the
    departments asked to inspect lose their access."""
    from permits.services.review import revoke_inspection_grants

    reason = clean_text(reason, field="reason", max_length=2000)
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        if not application.can_withdraw():
            refuse(
                _("An application in the state “%(state)s” cannot be withdrawn.")
                % {"state": state_label(application.state)}
            )
        application.end_reason = reason
        application.review_due = None
        move(application, to=S.WITHDRAWN, actor=actor, verb="permit_withdrawn", reason=reason)
        save_changed(application, ["state", "end_reason", "review_due"])
        cancel_all_tasks(application, actor, _("The organizer withdrew the application."))
        revoke_inspection_grants(application, actor=actor, reason=_("The application was withdrawn."))
        evaluate(application, actor)
    return application
