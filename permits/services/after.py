"""After the decision: approval conditions tracked to done, the approving department's supervision (谁审批谁监管),
change requests and cancellation (Order 505 Art. 15), the event held and the file closed."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.informing import permit_news
from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from duties.services import tasks_settle
from permits import rules
from permits.access import is_organizer, is_reviewer
from permits.choices import ApplicationState, ChangeKind, ChangeStatus, ConditionStatus, SupervisionKind
from permits.duties import CONDITION_KEYS, ON_DAY_KEY, PRE_EVENT_KEY
from permits.models import ChangeRequest, EventSession, PermitApplication, PermitCondition, SupervisionRecord
from permits.services.common import (
    cancel_all_tasks,
    check_head,
    check_organizer,
    check_reviewer,
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

S = ApplicationState
SUPERVISION_KEYS = {SupervisionKind.PRE_EVENT: PRE_EVENT_KEY, SupervisionKind.ON_DAY: ON_DAY_KEY}


def _locked_condition(condition: PermitCondition) -> PermitCondition:
    return PermitCondition.objects.select_for_update(of=("self",)).select_related("application").get(pk=condition.pk)


def _check_live(application: PermitApplication) -> None:
    if application.state not in (S.APPROVED, S.HELD):
        refuse(
            _("Conditions are tracked only for an approved event; this one is “%(state)s”.")
            % {"state": state_label(application.state)}
        )


def condition_report(*, condition: PermitCondition, actor, note: str) -> PermitCondition:
    """The organizer reports an approval condition done, saying how; the department then checks it."""
    note = clean_text(note, field="note", required=True)
    with transaction.atomic():
        application = locked(condition.application)
        check_organizer(actor, application)
        _check_live(application)
        condition = _locked_condition(condition)
        if not condition.can_report():
            refuse(_("This condition has already been reported done."))
        condition.status = ConditionStatus.REPORTED
        condition.report_note = note
        condition.reported_by = actor if getattr(actor, "pk", None) else None
        condition.reported_at = timezone.now()
        condition.save(update_fields=["status", "report_note", "reported_by", "reported_at"])
        log_action(
            actor=actor,
            subject=application,
            verb="permit_condition_reported",
            from_state=ConditionStatus.OPEN,
            to_state=condition.status,
            reason=note,
            data={"condition": condition.text},
        )
    return condition


def condition_check(*, condition: PermitCondition, actor, done: bool, note: str = "") -> PermitCondition:
    """The licensing department checks a reported condition: done (both the organizer's and its own task close)
    or not done (back to the organizer, with the reason)."""
    note = clean_text(note, field="note", required=not done)
    with transaction.atomic():
        application = locked(condition.application)
        check_reviewer(actor, application)
        _check_live(application)
        condition = _locked_condition(condition)
        if not condition.can_check():
            refuse(_("Only a condition the organizer reported done can be checked."))
        previous = condition.status
        condition.status = ConditionStatus.VERIFIED if done else ConditionStatus.OPEN
        condition.check_note = note
        condition.checked_by = actor if getattr(actor, "pk", None) else None
        condition.checked_at = timezone.now()
        condition.save(update_fields=["status", "check_note", "checked_by", "checked_at"])
        log_action(
            actor=actor,
            subject=application,
            verb="permit_condition_checked" if done else "condition_returned",
            from_state=previous,
            to_state=condition.status,
            reason=note,
            data={"condition": condition.text},
        )
        if done:
            tasks_settle(subject=condition, keys=list(CONDITION_KEYS), actor=actor, note=note or _("Checked and done."))
    return condition


def supervision_record(
    *, application: PermitApplication, actor, kind: str, findings: str, passed: bool = True
) -> SupervisionRecord:
    """The approving department records its pre-event inspection or its on-the-day supervision
    (谁审批谁监管); the matching task closes."""
    if kind not in SupervisionKind.values:
        raise DomainError(_("Choose the kind of supervision."), field="kind")
    findings = clean_text(findings, field="findings", required=True)
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if application.state not in (S.APPROVED, S.HELD):
            refuse(
                _("Supervision is recorded for an approved event; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        try:
            with transaction.atomic():
                record = SupervisionRecord.objects.create(
                    application=application,
                    kind=kind,
                    department=application.licensing_department,
                    findings=findings,
                    passed=passed,
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:
            raise DomainError(_("This supervision has already been recorded."), field="kind") from exc
        log_action(
            actor=actor,
            subject=application,
            verb="permit_supervision_recorded",
            to_state="passed" if passed else "problems",
            reason=findings,
            data={"kind": kind},
        )
        settle(application, [SUPERVISION_KEYS[SupervisionKind(kind)]], actor, note=findings)
    return record


def application_mark_held(*, application: PermitApplication, actor) -> PermitApplication:
    """The event has begun: its first session has started (the organizer or the department says so)."""
    scope = get_scope(actor)
    with transaction.atomic():
        application = locked(application)
        if not (is_organizer(scope, application) or is_reviewer(scope, application)):
            raise PermissionDeniedError(_("Only the organizer or the licensing department may do this."))
        if not application.can_mark_held():
            refuse(_("Only an approved event whose first session has started can be marked as held."))
        move(application, to=S.HELD, actor=actor, verb="permit_held")
        save_changed(application, ["state"])
        evaluate(application, actor)
    return application


def application_close(*, application: PermitApplication, actor, note: str = "") -> PermitApplication:
    """The licensing department closes the file after the last session has ended."""
    note = clean_text(note, field="note", max_length=2000)
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_close():
            refuse(_("Only a held event whose last session has ended can be closed."))
        move(application, to=S.CLOSED, actor=actor, verb="permit_closed", reason=note)
        save_changed(application, ["state"])
        evaluate(application, actor)
    return application


def application_cancel(*, application: PermitApplication, actor, reason: str) -> PermitApplication:
    """The organizer cancels an approved event, in writing, before the original date (Art. 15). Every open task
    about it is withdrawn; the licensing department sees the cancellation on the application's timeline."""
    reason = clean_text(reason, field="reason", required=True, max_length=2000)
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        if application.state != S.APPROVED:
            refuse(
                _("Only an approved event can be cancelled; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        if not application.can_cancel():
            refuse(
                _("A cancellation is notified before the original date (%(article)s); the event has begun.")
                % {"article": rules.ART_15}
            )
        application.end_reason = reason
        move(application, to=S.CANCELLED, actor=actor, verb="permit_cancelled", reason=reason)
        save_changed(application, ["state", "end_reason"])
        cancel_all_tasks(application, actor, _("The organizer cancelled the event."))
        evaluate(application, actor)
    return application


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise DomainError(_("Enter a date and time."), field=field)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def change_request_submit(
    *,
    application: PermitApplication,
    actor,
    kind: str,
    session: EventSession | None = None,
    new_starts_at: dt.datetime | None = None,
    new_ends_at: dt.datetime | None = None,
    reason: str = "",
) -> ChangeRequest:
    """Ask to change an approved event (Art. 15). Only a change of time is recorded, and only before the
    original date; a change of place or content or a larger scale is refused: it needs a new application."""
    if kind not in ChangeKind.values:
        raise DomainError(_("Choose what is to change."), field="kind")
    if kind != ChangeKind.TIME:
        raise DomainError(
            _(
                "A change of place or content, or a larger scale, needs a new application (%(article)s): withdraw or "
                "cancel this one and apply again."
            )
            % {"article": rules.ART_15},
            field="kind",
            code="new_application_required",
        )
    reason = clean_text(reason, field="reason", required=True, max_length=2000)
    if session is None:
        raise DomainError(_("Choose the session to move."), field="session")
    new_starts_at, new_ends_at = _aware(new_starts_at, "new_starts_at"), _aware(new_ends_at, "new_ends_at")
    if new_ends_at <= new_starts_at:
        raise DomainError(_("A session must end after it starts."), field="new_ends_at")
    if new_starts_at <= timezone.now():
        raise DomainError(_("The session must start in the future."), field="new_starts_at")
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        if session.application_id != application.pk:
            raise DomainError(_("That session is not part of this application."), field="session")
        if application.state != S.APPROVED:
            refuse(
                _("Only an approved event can be changed; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        if not application.can_request_change():
            refuse(
                _("A change of time is applied for before the original date (%(article)s); that date has come.")
                % {"article": rules.ART_15}
            )
        try:
            with transaction.atomic():
                change = ChangeRequest.objects.create(
                    application=application,
                    kind=kind,
                    session=session,
                    original_starts_at=session.starts_at,
                    original_ends_at=session.ends_at,
                    new_starts_at=new_starts_at,
                    new_ends_at=new_ends_at,
                    reason=reason,
                    requested_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:
            raise DomainError(_("A change request is already waiting for a decision."), code="change_pending") from exc
        log_action(
            actor=actor,
            subject=application,
            verb="permit_change_requested",
            reason=reason,
            data={
                "session": session.pk,
                "from": session.starts_at.isoformat(),
                "to": new_starts_at.isoformat(),
            },
        )
    return change


def change_request_decide(*, change: ChangeRequest, actor, approve: bool, note: str = "") -> ChangeRequest:
    """A head of the licensing department approves or refuses a change of time; an approved change moves the
    session (and the dates counted from it)."""
    note = clean_text(note, field="note", required=not approve, max_length=2000)
    with transaction.atomic():
        application = locked(change.application)
        check_head(actor, application)
        change = ChangeRequest.objects.select_for_update(of=("self",)).select_related("session").get(pk=change.pk)
        if change.status != ChangeStatus.PENDING:
            refuse(_("This change request has already been decided."))
        if approve and application.state != S.APPROVED:
            refuse(
                _("Only an approved event can be changed; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REFUSED
        change.decided_by = actor if getattr(actor, "pk", None) else None
        change.decided_at = timezone.now()
        change.decision_note = note
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            EventSession.objects.filter(pk=change.session_id).update(
                starts_at=change.new_starts_at, ends_at=change.new_ends_at
            )
            save_changed(application, refresh_derived(application, licensing=False))
        log_action(
            actor=actor,
            subject=application,
            verb="permit_change_approved" if approve else "change_refused",
            reason=note,
            data={"change": change.pk, "to": change.new_starts_at.isoformat()},
        )
        permit_news(application, "change_approved" if approve else "change_refused", actor=actor, detail=note)
    return change
