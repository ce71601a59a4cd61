"""Inspections (issue 21 point 2): start one (scheduled by a responsibility rule, before a key date, or on the spot),
receive answers from a phone (once per idempotency key), turn a failed item into a hazard of the risk app in one
step, sign each department's part, and complete it — settling the rule's task and issuing the record (安全检查记录)
through notices where one is needed (a pre-event inspection, or one that found failed items).

Races named where they are prevented:
- two batches of answers for one inspection (two inspectors' phones coming back online at once) are applied one
  after the other under a row lock on the inspection; a batch sent twice (the phone lost the reply) is found by its
  key under that lock and answered with the stored result, so it is applied once;
- two clicks on "make it a hazard" for one answer: the answer's row is locked and the second finds the hazard;
- the last two parts signed at once: each signature locks the inspection, so exactly one sees every part signed
  and completes it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_uploads
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Department
from duties.services import tasks_settle
from inspections import access
from inspections.choices import (
    DEFAULT_DEADLINE_DAYS,
    HAZARD_LEVEL_OF_SEVERITY,
    Answer,
    AnswerKind,
    InspectionState,
    InspectionSubject,
    Origin,
    Severity,
    TemplateScope,
)
from inspections.duties import PRE_EVENT_KEYS, VENUE_KEYS
from inspections.models import (
    AnswerPhoto,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionAnswer,
    InspectionPart,
    Submission,
)
from notices.services import notice_issue
from permits.models import PermitApplication
from risk.duties import township_of
from risk.models import Hazard
from risk.services.hazards import hazard_report
from risk.subjects import SubjectInfo, subject_info
from venues.models import Venue

NOTE_MAX = 2000
PHOTOS_PER_ANSWER = 6
COORDINATE = Decimal("0.000001")
# How far the phone's clock may be ahead of the server's before its time is refused (a phone set to the wrong day).
CLOCK_SLACK = dt.timedelta(minutes=10)


def _deny(message: str) -> None:
    raise PermissionDeniedError(message)


# --- which template -------------------------------------------------------------------------------------------


def template_for(*, venue: Venue | None = None, application: PermitApplication | None = None) -> ChecklistTemplate:
    """The current checklist for a venue (its kind's, else the general one) or for a permitted event's pre-event
    inspection (the kind of event's, else the general pre-event one)."""
    codes: list[str] = []
    if application is not None:
        if application.event_kind:
            codes.append(f"event.{application.event_kind}")
        codes.append("pre_event")
    elif venue is not None:
        codes += [f"venue.{venue.kind}", "venue.general"]
    for code in codes:
        template = ChecklistTemplate.objects.filter(code=code, is_current=True).first()
        if template is not None:
            return template
    raise DomainError(_("There is no checklist for this yet: ask the administrator to add one."), field="template")


# --- start --------------------------------------------------------------------------------------------------------


def _subject(venue: Venue | None, application: PermitApplication | None) -> tuple[str, SubjectInfo]:
    if (venue is None) == (application is None):
        raise DomainError(_("Inspect a venue or a permitted event."), field="subject")
    if application is not None:
        return InspectionSubject.PERMIT_APPLICATION, subject_info("permit_application", application)
    return InspectionSubject.VENUE, subject_info("venue", venue)


def inspection_start(
    *,
    actor: Any,
    venue: Venue | None = None,
    application: PermitApplication | None = None,
    template: ChecklistTemplate | None = None,
    origin: str = Origin.ON_THE_SPOT,
    departments: Sequence[Department] = (),
    due_on: dt.date | None = None,
    rule_key: str = "",
) -> Inspection:
    """Start an inspection of ``venue`` or of the permitted event ``application`` with the current version of its
    checklist (or ``template``). The actor's department covering the place leads it; ``departments`` join it
    (a joint inspection: each signs its part)."""
    subject_type, info = _subject(venue, application)
    scope = actor_scope(actor)
    if not access.can_start(scope, info.jurisdiction_path):
        _deny(_("This place is outside your territory."))
    if origin not in Origin.values:
        raise DomainError(_("Say how the inspection started."), field="origin")
    template = template or template_for(venue=venue, application=application)
    if not template.is_current:
        raise DomainError(_("This is an old version of the checklist."), field="template")
    if application is not None and template.scope not in (TemplateScope.PRE_EVENT, TemplateScope.EVENT_KIND):
        raise DomainError(_("Choose a checklist for events."), field="template")
    lead = scope.department_covering(info.jurisdiction_path) if actor is not None else None
    joined = [d for d in departments if d is not None and d.is_active]
    place_venue = info.venue
    with transaction.atomic():
        inspection = Inspection.objects.create(
            template=template,
            subject_type=subject_type,
            venue=venue if venue is not None else place_venue,
            application=application,
            subject_label=info.label[:255],
            jurisdiction=info.jurisdiction,
            jurisdiction_path=info.jurisdiction_path,
            township=township_of(info.jurisdiction),
            organisation=info.organisation,
            venue_kind=place_venue.kind if place_venue is not None else "",
            origin=origin,
            rule_key=rule_key,
            due_on=due_on,
            lead_department=lead or (joined[0] if joined else None),
            started_by=actor if getattr(actor, "pk", None) else None,
        )
        seen: set[int] = set()
        for department in [lead, *joined]:
            if department is not None and department.pk not in seen:
                seen.add(department.pk)
                InspectionPart.objects.create(inspection=inspection, department=department)
        log_action(
            actor=actor,
            subject=inspection,
            verb="inspection_started",
            to_state=inspection.state,
            data={"template": template.pk, "version": template.version, "origin": origin, "parts": sorted(seen)},
        )
    return inspection


# --- answers from the phone ------------------------------------------------------------------------------------


def _decimal(value: Any, *, field: str, limit: int | None = None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc
    if not number.is_finite() or (limit is not None and not -limit <= number <= limit):
        raise DomainError(_("Out of range."), field=field)
    if limit is not None:
        return number.quantize(COORDINATE)
    if abs(number) >= Decimal("100000000"):
        raise DomainError(_("Out of range."), field=field)
    return number.quantize(Decimal("0.01"))


def _device_time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if moment is None:
        raise DomainError(_("The time on the device is not a date and time."), field="device_time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now() + CLOCK_SLACK:
        raise DomainError(_("The time on the device is in the future: check the phone's clock."), field="device_time")
    return moment


def _key(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise DomainError(_("The batch has no valid key."), field="key") from exc


def answers_submit(
    *,
    inspection: Inspection,
    actor: Any,
    key: Any,
    answers: Sequence[Mapping[str, Any]],
    photos: Mapping[int, Sequence[Any]] | None = None,
    latitude: Any = None,
    longitude: Any = None,
    device_time: Any = None,
) -> dict[str, Any]:
    """Apply one batch of answers sent by a phone, once. ``key`` is the batch's idempotency key (a UUID the phone
    made when the answers were saved on it); a batch whose key was already applied is not applied again and its
    stored result is returned with ``"repeat": True``. ``answers``: [{item, answer, number, note, device_time}];
    ``photos``: {item id: uploads}. Returns {"key", "answered", "failed", "repeat"}."""
    key = _key(key)
    photos = dict(photos or {})
    lat = _decimal(latitude, field="latitude", limit=90)
    lon = _decimal(longitude, field="longitude", limit=180)
    if (lat is None) != (lon is None):
        raise DomainError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    moment = _device_time(device_time)
    checked = {int(item): check_uploads(list(files), kind="photo", field="photos") for item, files in photos.items()}
    if any(len(files) > PHOTOS_PER_ANSWER for files in checked.values()):
        raise DomainError(_("At most %(n)d photos per item.") % {"n": PHOTOS_PER_ANSWER}, field="photos")
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        done = Submission.objects.filter(key=key).first()
        if done is not None:
            if done.inspection_id != locked.pk:
                raise DomainError(_("This batch was sent for another inspection."), field="key")
            return {**done.result, "repeat": True}
        if not access.can_fill(actor_scope(actor), locked):
            if not locked.is_open:
                raise DomainError(_("The inspection is %(state)s.") % {"state": locked.get_state_display()})
            _deny(_("You do not take part in this inspection."))
        items = {item.pk: item for item in ChecklistItem.objects.filter(template_id=locked.template_id)}
        touched: list[int] = []
        for row in answers:
            item = items.get(_int(row.get("item")) or 0)
            if item is None:
                raise DomainError(_("That item is not on this checklist."), field="answers")
            _apply_answer(locked, item, row, actor=actor, lat=lat, lon=lon, moment=moment)
            touched.append(item.pk)
        for item_id, files in checked.items():
            if item_id not in items:
                raise DomainError(_("That item is not on this checklist."), field="photos")
            answer, _created = InspectionAnswer.objects.get_or_create(
                inspection=locked, item=items[item_id], defaults={"answered_by": actor}
            )
            for upload in files:
                photo = AnswerPhoto(answer=answer, uploaded_by=actor if getattr(actor, "pk", None) else None)
                photo.store(upload)
                photo.save()
        _recount(locked)
        fields = ["answered_count", "failed_count"]
        if lat is not None:
            locked.latitude, locked.longitude = lat, lon
            fields += ["latitude", "longitude"]
        if moment is not None:
            locked.device_time = moment
            fields.append("device_time")
        locked.save(update_fields=fields)
        result = {"key": str(key), "answered": locked.answered_count, "failed": locked.failed_count}
        Submission.objects.create(key=key, inspection=locked, sent_by=actor, result=result)
        log_action(
            actor=actor,
            subject=locked,
            verb="answers_received",
            data={"key": str(key), "items": touched, "photos": sum(len(f) for f in checked.values())},
        )
    inspection.refresh_from_db()
    return {**result, "repeat": False}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _apply_answer(
    inspection: Inspection,
    item: ChecklistItem,
    row: Mapping[str, Any],
    *,
    actor: Any,
    lat: Decimal | None,
    lon: Decimal | None,
    moment: dt.datetime | None,
) -> InspectionAnswer:
    value = str(row.get("answer") or "")
    number = None
    if item.answer_kind == AnswerKind.NUMBER:
        if value == Answer.NOT_APPLICABLE:
            number = None
        else:
            number = _decimal(row.get("number"), field="number")
            value = ""
            if number is None:
                raise DomainError(_("Give the number for “%(item)s”.") % {"item": item.text}, field="answers")
    elif value not in Answer.values:
        raise DomainError(_("Answer “%(item)s” with yes, no or not applicable.") % {"item": item.text}, field="answers")
    note = str(row.get("note") or "").strip()[:NOTE_MAX]
    answer, _created = InspectionAnswer.objects.select_for_update().get_or_create(inspection=inspection, item=item)
    if answer.hazard_id and value != Answer.NO and item.answer_kind == AnswerKind.YES_NO:
        raise DomainError(
            _("“%(item)s” has become a hazard: it is rectified through the hazard, not by changing the answer.")
            % {"item": item.text},
            field="answers",
        )
    answer.answer = value
    answer.number = number
    answer.passed = item.passes(answer=value, number=number)
    answer.note = note
    answer.answered_by = actor if getattr(actor, "pk", None) else None
    answer.device_time = _device_time(row.get("device_time")) or moment
    if lat is not None:
        answer.latitude, answer.longitude = lat, lon
    answer.save()
    return answer


def _recount(inspection: Inspection) -> None:
    answers = InspectionAnswer.objects.filter(inspection=inspection)
    inspection.answered_count = answers.exclude(answer="", number__isnull=True).count()
    inspection.failed_count = answers.filter(passed=False).count()


# --- a failed item becomes a hazard -----------------------------------------------------------------------------


def answer_to_hazard(*, answer: InspectionAnswer, actor: Any, note: str = "") -> Hazard:
    """Record the failed item ``answer`` as a hazard of the risk app (``risk.services.hazards.hazard_report``), in
    one step: its level from the item's severity (重大 → major), its deadline the item's days from today, the
    responsible unit the subject's operator or organizer; the risk app finds the supervising department by its
    rules (by kind of venue, else the township) and raises the alert of a major one. Idempotent: an answer that is
    already a hazard returns it."""
    with transaction.atomic():
        answer = (
            InspectionAnswer.objects.select_for_update(of=("self",))
            .select_related("inspection", "item__section")
            .get(pk=answer.pk)
        )
        if answer.hazard_id:
            return Hazard.objects.get(pk=answer.hazard_id)
        inspection = answer.inspection
        if not access.can_fill(actor_scope(actor), inspection) and not (
            inspection.state == InspectionState.COMPLETED
            and access.can_start(actor_scope(actor), inspection.jurisdiction_path)
        ):
            _deny(_("You do not take part in this inspection."))
        if answer.passed is not False:
            raise DomainError(_("Only a failed item becomes a hazard."), field="answer")
        item = answer.item
        severity = Severity(item.severity)
        found_on = timezone.localdate()
        days = item.deadline_days if item.deadline_days is not None else DEFAULT_DEADLINE_DAYS[severity]
        subject = inspection.subject
        info = subject_info(inspection.subject_type, subject)
        measured = ""
        if item.answer_kind == AnswerKind.NUMBER and answer.number is not None:
            measured = _("Measured %(value)s %(unit)s against %(kind)s %(threshold)s %(unit)s.") % {
                "value": answer.number.normalize(),
                "unit": item.unit,
                "kind": item.get_threshold_kind_display(),
                "threshold": item.threshold.normalize() if item.threshold is not None else "",
            }
        description = "；".join(
            part
            for part in (
                _("Found on the inspection “%(name)s” (%(version)s): %(item)s")
                % {"name": inspection.template.name, "version": inspection.template.version_label, "item": item.text},
                measured,
                answer.note,
                note.strip(),
                _("Basis: %(basis)s") % {"basis": item.basis},
            )
            if part
        )
        hazard = hazard_report(
            actor=actor,
            subject=info,
            data={
                "title": f"{item.section.title}：{item.text}"[:200],
                "description": description,
                "level": HAZARD_LEVEL_OF_SEVERITY[severity],
                "source": "inspection",
                "found_on": found_on,
                "location": info.venue.name if info.venue is not None else info.label,
                "latitude": answer.latitude,
                "longitude": answer.longitude,
                "rectification_deadline": found_on + dt.timedelta(days=days),
                # A venue whose operator is not registered: its own name stands for the unit that runs it.
                "responsible_unit_name": "" if info.organisation is not None else info.label[:128],
            },
        )
        answer.hazard = hazard
        answer.save(update_fields=["hazard"])
        log_action(
            actor=actor,
            subject=inspection,
            verb="hazard_from_item",
            data={"item": item.key, "hazard": hazard.pk, "severity": severity.value},
        )
    return hazard


# --- parts and completion -----------------------------------------------------------------------------------------


def part_sections(part: InspectionPart) -> list[int]:
    """The sections a department's part covers: those of its kind, and for the lead part those of no kind (or of
    a kind no part has); all of them when the inspection has one part."""
    inspection = part.inspection
    parts = list(inspection.parts.select_related("department"))
    sections = list(inspection.template.sections.all())
    if len(parts) <= 1:
        return [s.pk for s in sections]
    kinds = {p.department.kind for p in parts}
    lead = part.department_id == inspection.lead_department_id
    return [
        s.pk
        for s in sections
        if s.department_kind == part.department.kind
        or (lead and (not s.department_kind or s.department_kind not in kinds))
    ]


def missing_items(inspection: Inspection, section_ids: Sequence[int] | None = None) -> list[ChecklistItem]:
    """Items not answered yet, or answered without the photo they require."""
    items = ChecklistItem.objects.filter(template_id=inspection.template_id).select_related("section")
    if section_ids is not None:
        items = items.filter(section_id__in=section_ids)
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=inspection).prefetch_related("photos")}
    missing = []
    for item in items:
        answer = answers.get(item.pk)
        if (
            answer is None
            or (answer.answer == "" and answer.number is None)
            or (item.photo_required and answer.answer != Answer.NOT_APPLICABLE and not answer.photos.all())
        ):
            missing.append(item)
    return missing


def part_sign(*, part: InspectionPart, actor: Any, note: str = "") -> InspectionPart:
    """A department signs its part of the inspection (its sections all answered, with the photos they require).
    The last part signed completes the inspection."""
    with transaction.atomic():
        inspection = Inspection.objects.select_for_update().get(pk=part.inspection_id)
        part = InspectionPart.objects.select_for_update().select_related("department", "inspection").get(pk=part.pk)
        if not access.can_sign(actor_scope(actor), part):
            if part.is_signed:
                raise DomainError(_("This part is already signed."))
            if not inspection.is_open:
                raise DomainError(_("The inspection is %(state)s.") % {"state": inspection.get_state_display()})
            _deny(_("Only the people of %(department)s sign its part.") % {"department": part.department})
        missing = missing_items(inspection, part_sections(part))
        if missing:
            raise DomainError(
                _("Answer every item of your part first (a photo where one is required): %(items)s.")
                % {"items": "、".join(i.text for i in missing[:5])},
                field="answers",
            )
        part.signed_by = actor
        part.signed_at = timezone.now()
        part.note = (note or "").strip()[:NOTE_MAX]
        part.save(update_fields=["signed_by", "signed_at", "note"])
        log_action(actor=actor, subject=inspection, verb="part_signed", data={"department": part.department_id})
        if not inspection.parts.filter(signed_at__isnull=True).exists():
            _complete(inspection, actor=actor)
    return part


def inspection_complete(*, inspection: Inspection, actor: Any) -> Inspection:
    """Complete an inspection that has no department parts (started by a township officer or grid worker)."""
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if not access.can_fill(actor_scope(actor), locked):
            if not locked.is_open:
                raise DomainError(_("The inspection is %(state)s.") % {"state": locked.get_state_display()})
            _deny(_("You do not take part in this inspection."))
        if locked.parts.filter(signed_at__isnull=True).exists():
            raise DomainError(_("Each department signs its part: the last signature completes the inspection."))
        missing = missing_items(locked)
        if missing:
            raise DomainError(
                _("Answer every item first (a photo where one is required): %(items)s.")
                % {"items": "、".join(i.text for i in missing[:5])},
                field="answers",
            )
        _complete(locked, actor=actor)
    inspection.refresh_from_db()
    return inspection


def record_needed(inspection: Inspection) -> bool:
    """A record (安全检查记录) is issued for a permitted event's pre-event inspection, and for any inspection that
    found a failed item (the unit is told in writing what to rectify)."""
    return inspection.lead_department_id is not None and (
        inspection.subject_type == InspectionSubject.PERMIT_APPLICATION or inspection.failed_count > 0
    )


def _complete(inspection: Inspection, *, actor: Any) -> None:
    _recount(inspection)
    inspection.state = InspectionState.COMPLETED
    inspection.completed_at = timezone.now()
    inspection.save(update_fields=["state", "completed_at", "answered_count", "failed_count"])
    log_action(
        actor=actor,
        subject=inspection,
        verb="inspection_completed",
        from_state=InspectionState.IN_PROGRESS,
        to_state=inspection.state,
        data={"failed": inspection.failed_count},
    )
    keys = PRE_EVENT_KEYS if inspection.subject_type == InspectionSubject.PERMIT_APPLICATION else VENUE_KEYS
    subject = inspection.subject
    if subject is not None:
        tasks_settle(
            subject=subject,
            keys=keys,
            actor=actor,
            note=_("Inspection completed: %(failed)d failed items.") % {"failed": inspection.failed_count},
            completed_on=timezone.localdate(),
        )
    if record_needed(inspection):
        _issue_record(inspection)


def _issue_record(inspection: Inspection) -> None:
    from inspections.selectors import record_context

    organisation = inspection.organisation
    if inspection.lead_department is None:  # record_needed() says there is one
        return
    notice_issue(
        kind="inspection_record",
        issuer=inspection.lead_department,
        subject=inspection,
        recipient=(organisation.name if organisation is not None else inspection.subject_label)[:255],
        context=record_context(inspection),
        actor=None,  # the signature that completed it was checked above (a partner department may sign last)
        recipient_organisation=organisation,
    )
