"""Hazards and their rectification (隐患排查整改): report, photos, the plan of a major hazard, the fix, the
verification inspection (复查验收), extensions, cancelling, and the rectification order (责令整改通知书).

Life cycle (``HazardState``; guards on the model):
- ordinary (一般隐患): open → closed, by whoever rectifies it, with a photo of the fix — or at once when it is
  fixed on the spot (``hazard_report(..., fixed_on_spot=True)``). When a department found it (``found_by_department``:
  the fire brigade on an inspection) and someone else fixed it (the venue operator), it awaits that department's
  confirmation instead (``hazard_confirm_closure``): the authority that found a hazard re-inspects its rectification
  (复查: 消防监督检查规定, the fire authority re-inspects within 3 working days of the party's request), so the
  operator alone cannot close it. Refused, it goes back to open;
- major (重大隐患): open → rectifying (the plan is in: goal, measures, funds, people, deadline, interim safety
  measures) → awaiting verification (the unit reports it fixed) → closed when a verification inspection records
  it fixed; a verification that finds it not fixed sends it back to rectifying. ``hazard_close`` refuses a major
  hazard: only the verification closes it.

The duties (rules of ``risk/migrations/0002``, subject "hazard"): the responsible unit rectifies by the deadline
and, for a major hazard, draws up the plan; the supervising department — found by rule from the kind of venue
(管行业必须管安全), else the township (属地) — supervises and, for a major hazard, verifies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.informing import hazard_news
from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.common.files import CheckedUpload, check_uploads
from crowdsafe.errors import DomainError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from duties.services import tasks_evaluate, tasks_settle
from notices.services import notice_issue
from notifications.services import notify
from risk import access
from risk.choices import (
    ExtensionState,
    HazardLevel,
    HazardSource,
    HazardState,
    PhotoStage,
    VerificationOutcome,
)
from risk.models import Hazard, HazardExtension, HazardPhoto, HazardVerification, RectificationPlan
from risk.rules import (
    HAZARD_ALL_KEYS,
    HAZARD_PLAN_KEYS,
    HAZARD_RECTIFY_KEYS,
    HAZARD_SUPERVISION_KEYS,
)
from risk.services.common import clean_text, deny, refuse
from risk.subjects import SubjectInfo

PHOTOS_PER_UPLOAD = 6
PHOTOS_PER_HAZARD = 30
MAX_DEADLINE_DAYS = 366
HAZARD_LEVELS = frozenset({JurisdictionLevel.GRID, JurisdictionLevel.COMMUNITY, JurisdictionLevel.TOWNSHIP})
COORDINATE = Decimal("0.000001")


# --- photos -----------------------------------------------------------------------------------------------------


def check_photos(photos: Sequence[Any], *, field: str = "photos") -> list[CheckedUpload]:
    """At most ``PHOTOS_PER_UPLOAD`` at a time, each checked as an upload of kind "photo"
    (``crowdsafe.common.files``)."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > PHOTOS_PER_UPLOAD:
        raise DomainError(_("At most %(n)d photos at a time.") % {"n": PHOTOS_PER_UPLOAD}, field=field)
    return check_uploads(photos, kind="photo", field=field)


def _save_photos(
    hazard: Hazard, photos: Sequence[CheckedUpload], *, stage: str, actor, verification=None
) -> list[HazardPhoto]:
    if not photos:
        return []
    if hazard.photos.count() + len(photos) > PHOTOS_PER_HAZARD:
        raise DomainError(_("A hazard keeps at most %(n)d photos.") % {"n": PHOTOS_PER_HAZARD}, field="photos")
    saved = []
    for upload in photos:
        # A file written here stays on disk if the transaction rolls back; it is then unreferenced and never
        # served (photos are served through the row, by the scoped view).
        photo = HazardPhoto(
            hazard=hazard,
            stage=stage,
            verification=verification,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        photo.store(upload)
        photo.save()
        saved.append(photo)
    return saved


# --- supervising department by rule ----------------------------------------------------------------------------


def supervisor_by_rule(hazard: Hazard) -> tuple[Department | None, Jurisdiction | None]:
    """The supervising department (or township) the responsibility rules name for this hazard: the first active
    supervision rule (``HAZARD_SUPERVISION_KEYS``) whose conditions the hazard meets, resolved as the engine
    resolves its party. Found even for a hazard fixed on the spot, which gets no task."""
    from duties.conditions import conditions_hold
    from duties.models import ResponsibilityRule
    from duties.parties import SubjectPlace, resolve_party
    from risk.duties import hazard_attributes

    attributes = {**hazard_attributes(hazard), "is_open": True}
    rules = ResponsibilityRule.objects.filter(
        is_active=True, subject_type="hazard", key__in=HAZARD_SUPERVISION_KEYS
    ).order_by("pk")
    place = None
    for rule in rules:
        if not conditions_hold(rule.conditions, attributes):
            continue
        place = place or SubjectPlace(hazard.jurisdiction)
        party = resolve_party(rule, place=place, organisation=hazard.organisation)
        if party.department is not None:
            return party.department, None
        if party.jurisdiction is not None:
            return None, party.jurisdiction
    return None, None


# --- report -----------------------------------------------------------------------------------------------------


def _coordinate(value, *, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(COORDINATE)
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc
    if not -limit <= number <= limit:
        raise DomainError(_("Out of range."), field=field)
    return number


def _deadline(value, *, found_on: dt.date, field: str = "rectification_deadline") -> dt.date:
    if not isinstance(value, dt.date):
        raise DomainError(_("Give the rectification deadline."), field=field)
    if value < found_on:
        raise DomainError(_("The deadline cannot be before the day the hazard was found."), field=field)
    if value > found_on + dt.timedelta(days=MAX_DEADLINE_DAYS):
        raise DomainError(_("The deadline is more than a year away."), field=field)
    return value


def hazard_report(
    *,
    actor,
    data: Mapping[str, Any],
    subject: SubjectInfo | None = None,
    jurisdiction: Jurisdiction | None = None,
    photos: Sequence[Any] = (),
    fixed_on_spot: bool = False,
    fix_note: str = "",
    fix_photos: Sequence[Any] = (),
) -> Hazard:
    """Record a hazard about ``subject`` (a venue, gathering or permit application), or at a place in
    ``jurisdiction`` (a grid, community or township) when it is about no registered subject.

    ``data``: title, description, level (ordinary / major), source, found_on (default today), location,
    latitude/longitude (optional, together), organisation (the responsible unit, default the subject's operator
    or organizer) or responsible_unit_name, rectification_deadline, assessment (optional).
    An ordinary hazard ``fixed_on_spot`` is closed at once and needs ``fix_photos``."""
    if actor is None:
        raise DomainError(_("A hazard needs the person who found it."), field="found_by")
    title = clean_text(data.get("title"), field="title", required=True, max_length=200, message=_("Name the hazard."))
    description = clean_text(
        data.get("description"), field="description", required=True, message=_("Describe the hazard.")
    )
    location = clean_text(
        data.get("location"), field="location", required=True, max_length=255, message=_("Say where it is.")
    )
    level = data.get("level")
    if level not in HazardLevel.values:
        raise DomainError(_("Choose ordinary or major."), field="level")
    source = data.get("source") or HazardSource.INSPECTION
    if source not in HazardSource.values:
        raise DomainError(_("Choose how the hazard was found."), field="source")
    found_on = data.get("found_on") or timezone.localdate()
    if not isinstance(found_on, dt.date) or found_on > timezone.localdate():
        raise DomainError(_("The day it was found cannot be in the future."), field="found_on")
    deadline = _deadline(data.get("rectification_deadline"), found_on=found_on)
    latitude = _coordinate(data.get("latitude"), field="latitude", limit=90)
    longitude = _coordinate(data.get("longitude"), field="longitude", limit=180)
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    if subject is not None:
        place, path = subject.jurisdiction, subject.jurisdiction_path
        organisation = data.get("organisation") or subject.organisation
    else:
        if jurisdiction is None:
            raise DomainError(_("Say in which grid or community the hazard is."), field="jurisdiction")
        if jurisdiction.level not in HAZARD_LEVELS:
            raise DomainError(
                _("A hazard is placed in a grid, a village/community or a township."), field="jurisdiction"
            )
        place, path = jurisdiction, jurisdiction.path
        organisation = data.get("organisation")
    if organisation is not None and not isinstance(organisation, Organisation):
        raise DomainError(_("Unknown responsible unit."), field="organisation")
    unit_name = clean_text(data.get("responsible_unit_name"), field="responsible_unit_name", max_length=128)
    if organisation is None and not unit_name and not fixed_on_spot:
        raise DomainError(_("Name the unit responsible for the rectification."), field="responsible_unit_name")
    if not access.can_report_hazard(actor_scope(actor), Hazard(jurisdiction_path=path, organisation=organisation)):
        deny(_("This place is outside your territory."))
    assessment = data.get("assessment")
    if (
        assessment is not None
        and subject is not None
        and (assessment.subject_type != subject.subject_type or assessment.subject_id != subject.pk)
    ):
        raise DomainError(_("That assessment is about something else."), field="assessment")
    photos = check_photos(photos)
    if fixed_on_spot:
        if level != HazardLevel.ORDINARY:
            raise DomainError(
                _("A major hazard cannot be closed on the spot: it needs a plan and a verification inspection."),
                field="level",
            )
        fix_note = clean_text(fix_note, field="fix_note", required=True, message=_("Say how it was fixed."))
        fix_photos = check_photos(fix_photos, field="fix_photos")
        if not fix_photos:
            raise DomainError(_("Add a photo of the fix."), field="fix_photos")
    hazard = Hazard(
        subject_type=subject.subject_type if subject else "",
        subject_id=subject.pk if subject else 0,
        subject_label=subject.label[:255] if subject else "",
        venue=subject.venue if subject else None,
        jurisdiction=place,
        jurisdiction_path=path,
        organisation=organisation,
        responsible_unit_name=unit_name if organisation is None else "",
        title=title,
        description=description,
        level=level,
        source=source,
        found_on=found_on,
        found_by=actor,
        found_by_department=actor_scope(actor).department_covering(path),
        assessment=assessment,
        location=location,
        latitude=latitude,
        longitude=longitude,
        rectification_deadline=deadline,
    )
    with transaction.atomic():
        hazard.supervising_department, hazard.supervising_township = supervisor_by_rule(hazard)
        hazard.save()
        _save_photos(hazard, photos, stage=PhotoStage.FOUND, actor=actor)
        log_action(
            actor=actor,
            subject=hazard,
            verb="reported",
            to_state=hazard.state,
            data={"level": level, "deadline": deadline.isoformat(), "photos": len(photos)},
        )
        hazard_news(hazard, "reported", operator=hazard.organisation, actor=actor, detail=description)
        if level == HazardLevel.MAJOR:  # the one urgent-alert path decides who is told (rule "hazard.major")
            alert_raise(
                rule_key="hazard.major", subject=hazard, level="orange", jurisdiction=place, reason=title, actor=actor
            )
        if fixed_on_spot:
            _save_photos(hazard, fix_photos, stage=PhotoStage.FIXED, actor=actor)
            _close(hazard, actor=actor, note=fix_note, verb="fixed_on_spot")
        else:
            tasks_evaluate(subject=hazard, event="created", actor=actor)
    return hazard


def _locked(hazard: Hazard) -> Hazard:
    return (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "organisation", "supervising_department", "venue")
        .get(pk=hazard.pk)
    )


def hazard_add_photos(
    *, hazard: Hazard, actor, photos: Sequence[Any], stage: str = PhotoStage.FOUND
) -> list[HazardPhoto]:
    photos = check_photos(photos)
    if not photos:
        raise DomainError(_("Choose at least one photo."), field="photos")
    if stage not in (PhotoStage.FOUND, PhotoStage.FIXED):
        raise DomainError(_("Unknown stage."), field="stage")
    with transaction.atomic():
        hazard = _locked(hazard)
        if not (access.can_rectify(actor_scope(actor), hazard) or access.can_supervise(actor_scope(actor), hazard)):
            deny()
        if not hazard.is_open:
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        saved = _save_photos(hazard, photos, stage=stage, actor=actor)
        log_action(actor=actor, subject=hazard, verb="photos_added", data={"stage": stage, "photos": len(saved)})
    return saved


# --- closing ------------------------------------------------------------------------------------------------------


def _close(hazard: Hazard, *, actor, note: str, verb: str) -> None:
    previous = hazard.state
    hazard.state = HazardState.CLOSED
    hazard.closed_at = timezone.now()
    hazard.closed_by = actor if getattr(actor, "pk", None) else None
    hazard.close_note = note
    hazard.save(update_fields=["state", "closed_at", "closed_by", "close_note", "updated_at"])
    log_action(actor=actor, subject=hazard, verb=verb, from_state=previous, to_state=hazard.state, reason=note)
    # The plan duty, if the plan never came, is withdrawn; the others are done.
    tasks_settle(subject=hazard, keys=HAZARD_PLAN_KEYS, actor=actor, outcome="cancelled", note=note)
    tasks_settle(subject=hazard, keys=HAZARD_ALL_KEYS, actor=actor, note=note)


def hazard_close(*, hazard: Hazard, actor, note: str, photos: Sequence[Any] = ()) -> Hazard:
    """Close an ordinary hazard once fixed, with at least one photo of the fix. A major hazard is refused: it is
    closed only by a verification inspection that records it fixed (``hazard_verify``)."""
    note = clean_text(note, field="note", required=True, message=_("Say how it was fixed."))
    photos = check_photos(photos)
    with transaction.atomic():
        # The lock: closing and a second close (or an extension decision) on the same hazard happen one after
        # the other; the second finds the hazard closed and is refused.
        hazard = _locked(hazard)
        if not access.can_rectify(actor_scope(actor), hazard):
            deny(_("You may not rectify this hazard."))
        if hazard.is_major:
            refuse(_("A major hazard is closed only by a verification inspection that records it fixed."))
        if not hazard.can_close_with_photo():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        if not photos and not hazard.photos.filter(stage=PhotoStage.FIXED).exists():
            raise DomainError(_("Add a photo of the fix."), field="photos")
        _save_photos(hazard, photos, stage=PhotoStage.FIXED, actor=actor)
        if _finder_must_confirm(hazard, actor):
            _await_confirmation(hazard, actor=actor, note=note)
        else:
            _close(hazard, actor=actor, note=note, verb="closed")
    return hazard


def _finder_must_confirm(hazard: Hazard, actor) -> bool:
    """A department found it and the one who fixed it does not work there."""
    if hazard.found_by_department_id is None:
        return False
    return not access.can_confirm_closure(actor_scope(actor), hazard)


def _tell_the_finder(hazard: Hazard, *, actor, note: str) -> None:
    """Not urgent: the finding department learns the unit reports the hazard rectified, to re-inspect it."""
    if hazard.found_by_department is None:
        return
    notify(
        recipients=[hazard.found_by_department],
        subject=hazard,
        title=_("Hazard reported rectified: %(title)s") % {"title": hazard.title[:80]},
        body=note,
        actor=actor,
    )


def _await_confirmation(hazard: Hazard, *, actor, note: str) -> None:
    previous = hazard.state
    hazard.state = HazardState.AWAITING_CONFIRMATION
    hazard.close_note = note
    hazard.save(update_fields=["state", "close_note", "updated_at"])
    log_action(
        actor=actor, subject=hazard, verb="reported_fixed", from_state=previous, to_state=hazard.state, reason=note
    )
    tasks_settle(subject=hazard, keys=HAZARD_RECTIFY_KEYS, actor=actor, note=note)
    tasks_evaluate(subject=hazard, event="state_changed", actor=actor)
    _tell_the_finder(hazard, actor=actor, note=note)


def hazard_confirm_closure(*, hazard: Hazard, actor, confirmed: bool, note: str = "") -> Hazard:
    """The department that found an ordinary hazard confirms it fixed (it is closed) or refuses, with the reason
    (it is open again, for the unit to fix)."""
    note = clean_text(note, field="note", required=not confirmed, message=_("Say why the fix is not accepted."))
    with transaction.atomic():
        # The lock: a confirmation and a refusal (or a cancelling) of the same hazard happen one after the other;
        # the second finds the state changed and is refused.
        hazard = _locked(hazard)
        if not access.can_confirm_closure(actor_scope(actor), hazard):
            deny(_("Only the department that found the hazard confirms its closure."))
        if not hazard.can_confirm_closure():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        if confirmed:
            _close(hazard, actor=actor, note=note or hazard.close_note, verb="closure_confirmed")
        else:
            previous = hazard.state
            hazard.state = HazardState.OPEN
            hazard.close_note = ""
            hazard.save(update_fields=["state", "close_note", "updated_at"])
            log_action(
                actor=actor,
                subject=hazard,
                verb="closure_refused",
                from_state=previous,
                to_state=hazard.state,
                reason=note,
            )
            tasks_evaluate(subject=hazard, event="state_changed", actor=actor)
    return hazard


# --- major hazards: plan, fix, verification ---------------------------------------------------------------


PLAN_FIELDS = ("goal", "measures", "funds_yuan", "people", "deadline", "interim_measures")


def hazard_submit_plan(*, hazard: Hazard, actor, data: Mapping[str, Any]) -> RectificationPlan:
    """The rectification plan of a major hazard (goal, measures, funds, people, deadline, interim safety measures);
    submitting it again replaces it. The first plan moves the hazard to rectifying."""
    cleaned = {
        "goal": clean_text(data.get("goal"), field="goal", required=True),
        "measures": clean_text(data.get("measures"), field="measures", required=True),
        "people": clean_text(data.get("people"), field="people", required=True),
        "interim_measures": clean_text(
            data.get("interim_measures"),
            field="interim_measures",
            required=True,
            message=_("Say how safety is kept until the hazard is fixed."),
        ),
    }
    try:
        funds = Decimal(str(data.get("funds_yuan"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(_("Give the funds in yuan."), field="funds_yuan") from exc
    if funds < 0 or funds >= Decimal("1e10"):
        raise DomainError(_("Give the funds in yuan."), field="funds_yuan")
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date):
        raise DomainError(_("Give the date the rectification will be finished."), field="deadline")
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_rectify(actor_scope(actor), hazard):
            deny(_("You may not rectify this hazard."))
        if not hazard.is_major:
            refuse(_("Only a major hazard needs a rectification plan."))
        if not hazard.can_submit_plan():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        if deadline < hazard.found_on:
            raise DomainError(_("The deadline cannot be before the day the hazard was found."), field="deadline")
        if deadline > hazard.rectification_deadline:
            raise DomainError(
                _("The plan must finish by the rectification deadline (%(date)s); ask for an extension first.")
                % {"date": hazard.rectification_deadline.isoformat()},
                field="deadline",
            )
        plan = RectificationPlan.objects.filter(hazard=hazard).first()
        verb = "plan_revised" if plan else "plan_submitted"
        plan = plan or RectificationPlan(hazard=hazard, submitted_by=actor)
        for name, value in cleaned.items():
            setattr(plan, name, value)
        plan.funds_yuan = funds
        plan.deadline = deadline
        plan.submitted_by = actor
        plan.submitted_at = timezone.now()
        plan.save()
        previous = hazard.state
        if hazard.state == HazardState.OPEN:
            hazard.state = HazardState.RECTIFYING
            hazard.save(update_fields=["state", "updated_at"])
        log_action(
            actor=actor,
            subject=hazard,
            verb=verb,
            from_state=previous,
            to_state=hazard.state,
            data={"funds_yuan": str(funds), "deadline": deadline.isoformat()},
        )
        tasks_settle(subject=hazard, keys=HAZARD_PLAN_KEYS, actor=actor, note=_("Rectification plan submitted."))
    return plan


def hazard_report_fixed(*, hazard: Hazard, actor, note: str, photos: Sequence[Any] = ()) -> Hazard:
    """The responsible unit reports a major hazard fixed; it now awaits the verification inspection."""
    note = clean_text(note, field="note", required=True, message=_("Say what was done."))
    photos = check_photos(photos)
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_rectify(actor_scope(actor), hazard):
            deny(_("You may not rectify this hazard."))
        if not hazard.is_major:
            refuse(_("An ordinary hazard is closed with a photo of the fix."))
        if hazard.state == HazardState.OPEN:
            refuse(_("Submit the rectification plan first."))
        if not hazard.can_report_fixed():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        _save_photos(hazard, photos, stage=PhotoStage.FIXED, actor=actor)
        previous = hazard.state
        hazard.state = HazardState.AWAITING_VERIFICATION
        hazard.save(update_fields=["state", "updated_at"])
        log_action(
            actor=actor, subject=hazard, verb="reported_fixed", from_state=previous, to_state=hazard.state, reason=note
        )
        tasks_settle(subject=hazard, keys=HAZARD_RECTIFY_KEYS, actor=actor, note=note)
        tasks_evaluate(subject=hazard, event="state_changed", actor=actor)
        if _finder_must_confirm(hazard, actor):
            _tell_the_finder(hazard, actor=actor, note=note)
    return hazard


def hazard_verify(
    *,
    hazard: Hazard,
    actor,
    inspected_on: dt.date,
    outcome: str,
    findings: str,
    photos: Sequence[Any] = (),
) -> HazardVerification:
    """A verification inspection of a major hazard reported fixed (复查验收). Fixed: the hazard is closed. Not
    fixed: it goes back to rectifying, and the verification duty stays open for the next inspection."""
    findings = clean_text(findings, field="findings", required=True, message=_("Record what the inspection found."))
    if outcome not in VerificationOutcome.values:
        raise DomainError(_("Choose the outcome of the inspection."), field="outcome")
    if not isinstance(inspected_on, dt.date) or inspected_on > timezone.localdate():
        raise DomainError(_("The inspection date cannot be in the future."), field="inspected_on")
    photos = check_photos(photos)
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_supervise(actor_scope(actor), hazard):
            deny(_("Only the supervising department or the territory verifies a hazard."))
        if not hazard.is_major:
            refuse(_("An ordinary hazard is closed with a photo of the fix."))
        if not hazard.can_verify():
            refuse(_("Only a hazard reported fixed can be verified."))
        if inspected_on < hazard.found_on:
            raise DomainError(_("The inspection cannot be before the day the hazard was found."), field="inspected_on")
        scope_department = actor_scope(actor).department_covering(hazard.jurisdiction_path) if actor else None
        verification = HazardVerification.objects.create(
            hazard=hazard,
            inspected_on=inspected_on,
            inspector=actor,
            department=scope_department,
            outcome=outcome,
            findings=findings,
        )
        _save_photos(hazard, photos, stage=PhotoStage.VERIFICATION, actor=actor, verification=verification)
        log_action(
            actor=actor,
            subject=hazard,
            verb="verified",
            from_state=hazard.state,
            to_state=outcome,
            reason=findings,
            data={"inspected_on": inspected_on.isoformat(), "verification": verification.pk},
        )
        if outcome == VerificationOutcome.FIXED:
            _close(hazard, actor=actor, note=findings, verb="closed")
        else:
            previous = hazard.state
            hazard.state = HazardState.RECTIFYING
            hazard.save(update_fields=["state", "updated_at"])
            log_action(
                actor=actor, subject=hazard, verb="verification_failed", from_state=previous, to_state=hazard.state
            )
    return verification


def hazard_verified_fixed(hazard: Hazard) -> bool:
    return hazard.verifications.filter(outcome=VerificationOutcome.FIXED).exists()


# --- extensions ---------------------------------------------------------------------------------------------------


def hazard_request_extension(*, hazard: Hazard, actor, reason: str, requested_deadline: dt.date) -> HazardExtension:
    reason = clean_text(reason, field="reason", required=True, message=_("Give the reasons for the extension."))
    if not isinstance(requested_deadline, dt.date):
        raise DomainError(_("Give the deadline asked for."), field="requested_deadline")
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_rectify(actor_scope(actor), hazard):
            deny(_("You may not rectify this hazard."))
        if not hazard.can_request_extension():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        if requested_deadline <= hazard.rectification_deadline:
            raise DomainError(
                _("Ask for a date after the current deadline (%(date)s).")
                % {"date": hazard.rectification_deadline.isoformat()},
                field="requested_deadline",
            )
        _deadline(requested_deadline, found_on=hazard.found_on, field="requested_deadline")
        try:
            with transaction.atomic():
                extension = HazardExtension.objects.create(
                    hazard=hazard,
                    reason=reason,
                    previous_deadline=hazard.rectification_deadline,
                    requested_deadline=requested_deadline,
                    requested_by=actor,
                )
        except IntegrityError as exc:  # one pending request at a time
            raise DomainError(
                _("An extension request is already waiting for a decision."), field="requested_deadline"
            ) from exc
        log_action(
            actor=actor,
            subject=hazard,
            verb="extension_requested",
            reason=reason,
            data={"from": hazard.rectification_deadline.isoformat(), "to": requested_deadline.isoformat()},
        )
    return extension


def hazard_decide_extension(*, extension: HazardExtension, actor, approve: bool, note: str = "") -> HazardExtension:
    """Approve (the deadline moves) or refuse (with a note) an extension request."""
    note = clean_text(note, field="note", required=not approve, message=_("Say why the extension is refused."))
    with transaction.atomic():
        hazard = _locked(extension.hazard)
        extension = HazardExtension.objects.select_for_update().get(pk=extension.pk)
        if not access.can_supervise(actor_scope(actor), hazard):
            deny(_("Only the supervising department or the territory decides on extensions."))
        if not extension.can_decide():
            refuse(_("This request was already decided."))
        extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.decision_note = note
        extension.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        previous_deadline = hazard.rectification_deadline
        if approve:
            hazard.rectification_deadline = extension.requested_deadline
            hazard.save(update_fields=["rectification_deadline", "updated_at"])
            _reschedule(hazard, actor=actor, reason=note or extension.reason)
        log_action(
            actor=actor,
            subject=hazard,
            verb="extension_approved" if approve else "extension_refused",
            reason=note,
            data={"from": previous_deadline.isoformat(), "to": hazard.rectification_deadline.isoformat()},
        )
        news = "extension_approved" if approve else "extension_refused"
        hazard_news(hazard, news, operator=hazard.organisation, actor=actor, detail=note)
    return extension


def _reschedule(hazard: Hazard, *, actor, reason: str) -> None:
    """The rectification and supervision tasks are counted from the hazard's deadline: count them again."""
    from duties.services import tasks_recount

    tasks_recount(subject=hazard, keys=[*HAZARD_RECTIFY_KEYS, *HAZARD_SUPERVISION_KEYS], actor=actor, reason=reason)


# --- cancel, rectification order -----------------------------------------------------------------------------


def hazard_cancel(*, hazard: Hazard, actor, reason: str) -> Hazard:
    """Withdraw a hazard recorded in error (not a hazard, a duplicate), with the reason."""
    reason = clean_text(reason, field="reason", required=True, message=_("Say why the hazard is cancelled."))
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_supervise(actor_scope(actor), hazard):
            deny(_("Only the supervising department or the territory cancels a hazard."))
        if not hazard.can_cancel():
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        previous = hazard.state
        hazard.state = HazardState.CANCELLED
        hazard.cancel_reason = reason
        hazard.save(update_fields=["state", "cancel_reason", "updated_at"])
        HazardExtension.objects.filter(hazard=hazard, state=ExtensionState.PENDING).update(
            state=ExtensionState.REFUSED, decided_by=actor, decided_at=timezone.now(), decision_note=reason
        )
        log_action(
            actor=actor, subject=hazard, verb="cancelled", from_state=previous, to_state=hazard.state, reason=reason
        )
        tasks_settle(subject=hazard, keys=HAZARD_ALL_KEYS, actor=actor, outcome="cancelled", note=reason)
    return hazard


# 《中华人民共和国安全生产法》第六十五条: 负有安全生产监督管理职责的部门发现事故隐患，
# 责令立即排除或限期整改.
DEFAULT_LEGAL_BASIS = "《中华人民共和国安全生产法》第六十五条"
# The document is in Chinese whatever the issuer's page language.
DOCUMENT_LEVELS = {HazardLevel.ORDINARY: "一般隐患", HazardLevel.MAJOR: "重大隐患"}


def hazard_issue_order(
    *,
    hazard: Hazard,
    actor,
    measures_required: Sequence[str],
    legal_basis: str = DEFAULT_LEGAL_BASIS,
    recipient: str = "",
    copy_to: Sequence[str] | None = None,
):
    """Issue a rectification order (责令整改通知书) to the responsible unit through the notices service, in the
    name of the actor's department (the supervising one when they work there); numbered and rendered by notices,
    in this transaction."""
    measures = [m.strip() for m in measures_required if m and m.strip()]
    if not measures:
        raise DomainError(_("List the rectification measures required."), field="measures_required")
    legal_basis = clean_text(legal_basis, field="legal_basis", required=True, max_length=255)
    with transaction.atomic():
        hazard = _locked(hazard)
        if not access.can_supervise(actor_scope(actor), hazard):
            deny(_("Only the supervising department or the territory issues rectification orders."))
        if not hazard.is_open:
            refuse(_("The hazard is %(state)s.") % {"state": hazard.get_state_display()})
        issuer = access.issuing_department(actor_scope(actor), hazard)
        if issuer is None:
            deny(_("A rectification order is issued by a department: you work for none covering this place."))
        unit = hazard.responsible_label
        if not unit:
            raise DomainError(_("The hazard names no responsible unit."), field="recipient")
        notice = notice_issue(
            kind="rectification_order",
            issuer=issuer,
            subject=hazard,
            recipient=recipient or unit,
            context={
                "unit_name": unit,
                "venue_name": hazard.venue.name if hazard.venue_id else (hazard.subject_label or hazard.location),
                "hazards": [
                    {
                        "description": f"{hazard.title}：{hazard.description}",
                        "location": hazard.location,
                        "level": DOCUMENT_LEVELS[hazard.level],
                    }
                ],
                "deadline": hazard.rectification_deadline,
                "legal_basis": legal_basis,
                "measures_required": measures,
                "inspected_on": hazard.found_on,
            },
            actor=actor,
            copy_to=list(copy_to) if copy_to else None,
        )
        log_action(
            actor=actor,
            subject=hazard,
            verb="order_issued",
            to_state=hazard.state,
            reason=notice.number,
            data={"notice": notice.pk, "issuer": issuer.pk},
        )
        hazard_news(hazard, "order", operator=hazard.organisation, actor=actor, document=notice)
    return notice
