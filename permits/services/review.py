"""The licensing department's side: acceptance (受理), correction (补正), non-acceptance (不予受理), review, the joint
site inspection and the decision (Order 505 Art. 14; 行政许可法 Art. 32)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.informing import permit_news
from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_uploads
from crowdsafe.common.text import join_clauses
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.services import grant_to_department, revoke_from_department
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from duties.services import tasks_evaluate
from permits import conf, documents, rules
from permits.access import VIEW_CODENAME, is_inspector, is_organizer, is_reviewer
from permits.choices import ApplicationState, CommentSection, DecisionOutcome, InspectionResult
from permits.duties import ACCEPTANCE_KEYS, DECISION_KEYS, INSPECTION_KEY_PREFIX
from permits.models import InspectionPhoto, PermitApplication, PermitCondition, ReviewComment, SiteInspection, ZonePlan
from permits.rules import number
from permits.selectors import promised_deadline_for
from permits.services.common import (
    REASON_MAX,
    cancel_all_tasks,
    check_head,
    check_reviewer,
    clean_lines,
    clean_text,
    evaluate,
    locked,
    move,
    refuse,
    save_changed,
    settle,
    state_label,
)
from permits.services.resources import grant_structure_acceptors

S = ApplicationState
MAX_PHOTOS = 20
MAX_CONDITIONS = 50


def _not_in(application: PermitApplication, wanted: str) -> None:
    refuse(
        _("This can only be done to an application in the state “%(wanted)s”; this one is “%(state)s”.")
        % {"wanted": state_label(wanted), "state": state_label(application.state)}
    )


def application_accept(*, application: PermitApplication, actor) -> PermitApplication:
    """Accept (受理) a submitted application: the statutory 7 days (Art. 14) and the locally promised deadline
    start today; both are stored. Issues the acceptance notice. An application filed later than 20 days before
    the event cannot be accepted (Art. 13): refuse to accept it instead."""
    today = timezone.localdate()
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_accept():
            _not_in(application, S.SUBMITTED)
        first = application.first_session_date
        if first is None or application.filed_on is None or not rules.filed_in_time(application.filed_on, first):
            latest = rules.latest_filing_date(first) if first else None
            raise DomainError(
                _(
                    "Filed on %(filed)s, later than %(latest)s, the last valid filing date (20 days before the first "
                    "session, %(article)s): the application cannot be accepted; record that it is not accepted."
                )
                % {
                    "filed": application.filed_on.isoformat() if application.filed_on else "—",
                    "latest": latest.isoformat() if latest else "—",
                    "article": rules.ART_13,
                },
                code="filed_late",
            )
        days, unit = promised_deadline_for(application.licensing_department)
        application.accepted_on = today
        application.statutory_decision_due = rules.statutory_decision_due(today).due
        application.promised_decision_due = rules.promised_decision_due(today, days, unit).due
        application.promised_rule = f"{days}:{unit}"
        # The queue is ordered by the earlier of the two: missing either is a failure.
        application.review_due = min(application.statutory_decision_due, application.promised_decision_due)
        move(application, to=S.ACCEPTED, actor=actor, verb="permit_accepted")
        save_changed(
            application,
            ["state", "accepted_on", "statutory_decision_due", "promised_decision_due", "promised_rule", "review_due"],
        )
        settle(application, ACCEPTANCE_KEYS, actor, note=_("Accepted."))
        evaluate(application, actor)
        permit_news(application, "accepted", actor=actor, document=documents.issue_acceptance(application, actor=actor))
    return application


def application_return_for_correction(
    *, application: PermitApplication, actor, items: Sequence[str] | str, correction_due: dt.date | None = None
) -> PermitApplication:
    """Return a submitted application for correction (补正), naming every item at once (行政许可法 Art. 32 (4)).
    The decision clock has not started: it starts at acceptance. The organizer's correction becomes a task due
    ``correction_due`` (default ``PERMITS_CORRECTION_DAYS`` calendar days)."""
    items = clean_lines(items, field="items")
    today = timezone.localdate()
    correction_due = correction_due or today + dt.timedelta(days=conf.correction_days())
    if correction_due < today:
        raise DomainError(_("The correction date cannot be in the past."), field="correction_due")
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_accept():
            _not_in(application, S.SUBMITTED)
        application.correction_items = items
        application.correction_due = correction_due
        application.correction_rounds += 1
        application.review_due = None
        move(
            application,
            to=S.CORRECTION,
            actor=actor,
            verb="permit_returned",
            reason="\n".join(items),
            data={"items": items},
        )
        save_changed(application, ["state", "correction_items", "correction_due", "correction_rounds", "review_due"])
        settle(application, ACCEPTANCE_KEYS, actor, note=_("Returned for correction: %(n)d items.") % {"n": len(items)})
        evaluate(application, actor)
        permit_news(application, "returned", actor=actor, document=documents.issue_correction(application, actor=actor))
    return application


def application_not_accept(*, application: PermitApplication, actor, reasons: Sequence[str] | str) -> PermitApplication:
    """Refuse to accept (不予受理) a submitted application, with reasons; issues the non-acceptance notice."""
    reasons = clean_lines(reasons, field="reasons")
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_accept():
            _not_in(application, S.SUBMITTED)
        application.not_accepted_reasons = reasons
        application.review_due = None
        move(application, to=S.NOT_ACCEPTED, actor=actor, verb="permit_not_accepted", reason="\n".join(reasons))
        save_changed(application, ["state", "not_accepted_reasons", "review_due"])
        settle(application, ACCEPTANCE_KEYS, actor, note=_("Not accepted."))
        cancel_all_tasks(application, actor, _("The application was not accepted."))
        evaluate(application, actor)
        permit_news(
            application, "not_accepted", actor=actor, document=documents.issue_non_acceptance(application, actor=actor)
        )
    return application


def application_start_review(*, application: PermitApplication, actor) -> PermitApplication:
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_start_review():
            _not_in(application, S.ACCEPTED)
        move(application, to=S.UNDER_REVIEW, actor=actor, verb="permit_review_started")
        save_changed(application, ["state"])
        evaluate(application, actor)
    return application


def application_start_inspection(*, application: PermitApplication, actor) -> list[SiteInspection]:
    """Start the joint site inspection (联合踏勘). The responsibility rules that fire on the state "inspection"
    pick the departments — public security itself, fire rescue, housing, and the others the rules name for the
    venue and the kind of event — and put a task on each; each department gets its part of the inspection and,
    when it is not the licensing department, access to the application (a guardian grant) until it has recorded
    its findings."""
    with transaction.atomic():
        application = locked(application)
        check_reviewer(actor, application)
        if not application.can_start_inspection():
            _not_in(application, S.UNDER_REVIEW)
        move(application, to=S.INSPECTION, actor=actor, verb="permit_inspection_started")
        save_changed(application, ["state"])
        created = evaluate(application, actor)
        inspections: dict[int, SiteInspection] = {}
        for task in created:
            department = task.responsible_department
            key = task.rule.key or ""
            if department is None or not (key.startswith(INSPECTION_KEY_PREFIX) or not key):
                continue
            if department.pk in inspections:
                continue
            inspection, _created = SiteInspection.objects.get_or_create(
                application=application,
                department=department,
                defaults={"task": task, "duty_name": task.duty_name, "due_date": task.due_date},
            )
            inspections[department.pk] = inspection
            if department.pk != application.licensing_department_id:
                grant_to_department(
                    obj=application,
                    codename=VIEW_CODENAME,
                    department=department,
                    actor=actor,
                    reason=_("Asked to join the joint site inspection."),
                )
        if not inspections:
            raise DomainError(
                _(
                    "No department was found for the joint site inspection: check the responsibility rules on "
                    "permit applications in the state “joint site inspection”."
                ),
                code="no_inspectors",
            )
        log_action(
            actor=actor,
            subject=application,
            verb="permit_inspectors_assigned",
            data={"departments": [i.department.name for i in inspections.values()]},
        )
        permit_news(
            application,
            "inspection",
            actor=actor,
            detail="；".join(f"{i.department.name} {i.due_date:%Y-%m-%d}" for i in inspections.values() if i.due_date),
        )
    return list(inspections.values())


def revoke_inspection_grants(application: PermitApplication, *, actor, reason: str, department=None) -> None:
    """Take back the access given for the joint inspection (from one department, or from all)."""
    inspections = SiteInspection.objects.filter(application=application).select_related("department")
    if department is not None:
        inspections = inspections.filter(department=department)
    for inspection in inspections:
        if inspection.department_id != application.licensing_department_id:
            revoke_from_department(
                obj=application, codename=VIEW_CODENAME, department=inspection.department, actor=actor, reason=reason
            )


def inspection_record(
    *,
    inspection: SiteInspection,
    actor,
    passed: bool,
    findings: str,
    inspected_on: dt.date | None = None,
    photos: Sequence = (),
) -> SiteInspection:
    """A department records its part of the joint inspection: findings, photos, pass or fail. Closes its task
    and, for a department outside the licensing one, its access to the application."""
    findings = clean_text(findings, field="findings", required=True)
    today = timezone.localdate()
    inspected_on = inspected_on or today
    if inspected_on > today:
        raise DomainError(_("The inspection date is in the future."), field="inspected_on")
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("At most %(max)d photos.") % {"max": MAX_PHOTOS}, field="photos")
    checked = check_uploads(photos, kind="photo", field="photos")
    with transaction.atomic():
        application = locked(inspection.application)
        # Locked too: two people of the department recording at once — the second sees the first's result.
        inspection = (
            SiteInspection.objects.select_for_update(of=("self",)).select_related("department").get(pk=inspection.pk)
        )
        if not is_inspector(get_scope(actor), inspection):
            raise PermissionDeniedError(_("Only the inspecting department may record this inspection."))
        if application.state != S.INSPECTION:
            _not_in(application, S.INSPECTION)
        if inspection.is_recorded:
            refuse(_("This inspection has already been recorded."))
        inspection.result = InspectionResult.PASSED if passed else InspectionResult.FAILED
        inspection.findings = findings
        inspection.inspected_on = inspected_on
        inspection.recorded_by = actor if getattr(actor, "pk", None) else None
        inspection.recorded_at = timezone.now()
        inspection.save(update_fields=["result", "findings", "inspected_on", "recorded_by", "recorded_at"])
        for item in checked:
            photo = InspectionPhoto(inspection=inspection)
            photo.store(item)
            photo.save()
        log_action(
            actor=actor,
            subject=application,
            verb="permit_inspection_recorded",
            to_state=inspection.result,
            reason=findings,
            data={"department": inspection.department.name, "photos": len(checked)},
        )
        keys = set(
            Task.objects.filter(
                subject_type="permit_application",
                subject_id=application.pk,
                responsible_department=inspection.department,
                rule__key__startswith=INSPECTION_KEY_PREFIX,
                status__in=OUTSTANDING_VALUES,
            ).values_list("rule__key", flat=True)
        )
        if keys:
            settle(application, keys, actor, note=findings)
        revoke_inspection_grants(
            application, actor=actor, reason=_("Its inspection is recorded."), department=inspection.department
        )
    return inspection


def comment_add(
    *, application: PermitApplication, actor, section: str, body: str, visible_to_organizer: bool = False
) -> ReviewComment:
    """Add to a section's comment thread. Reviewers (and the inspecting departments) choose whether the organizer
    sees their comment; the organizer's replies are always seen by the reviewers."""
    if section not in CommentSection.values:
        raise DomainError(_("Choose the part of the application the comment is about."), field="section")
    body = clean_text(body, field="body", required=True)
    scope = get_scope(actor)
    with transaction.atomic():
        application = locked(application)
        reviewer = (
            is_reviewer(scope, application)
            or SiteInspection.objects.filter(
                application=application, department_id__in=sorted(scope.department_ids)
            ).exists()
        )
        organizer = is_organizer(scope, application)
        if not (reviewer or organizer):
            raise PermissionDeniedError(_("You may not comment on this application."))
        if application.state == S.DRAFT:
            refuse(_("Comments open once the application is submitted."))
        by_organizer = organizer and not reviewer
        comment = ReviewComment.objects.create(
            application=application,
            section=section,
            author=actor if getattr(actor, "pk", None) else None,
            author_label=(actor.display_name if getattr(actor, "pk", None) else "系统")[:128],
            by_organizer=by_organizer,
            body=body,
            visible_to_organizer=True if by_organizer else bool(visible_to_organizer),
        )
        log_action(
            actor=actor,
            subject=application,
            verb="permit_commented",
            reason=body[:REASON_MAX],
            data={"section": section, "visible_to_organizer": comment.visible_to_organizer},
        )
    return comment


def application_decide(
    *,
    application: PermitApplication,
    actor,
    outcome: str,
    approved_capacity: int | None = None,
    tickets_by_zone: Mapping[int, int] | None = None,
    conditions: Sequence[str] | str = (),
    reasons: Sequence[str] | str = (),
) -> PermitApplication:
    """The decision of a head of the licensing department (Art. 14), after the joint inspection is recorded.

    Approve: with the approved capacity (at most the venue's approved or computed capacity), the tickets per zone
    (``tickets_by_zone``: zone-plan id or zone id → tickets, together at most the approved capacity — more is
    refused, Art. 7) and the required measures (``conditions``, one per line), each tracked to done. Issues the
    permit decision (决定书) with a copy to the next level of public security. Refuse: with written reasons;
    issues the refusal, stating the right to administrative review or litigation.

    The race: two heads deciding at the same moment. The row lock makes the second wait for the first's
    transaction; it then reads the decided state and its guard refuses. One decision, one document.
    """
    if outcome not in DecisionOutcome.values:
        raise DomainError(_("Approve or refuse."), field="outcome")
    approve = outcome == DecisionOutcome.APPROVE
    if approve:
        conditions = clean_lines(conditions, field="conditions", required=False)
        if len(conditions) > MAX_CONDITIONS:
            raise DomainError(_("At most %(max)d conditions.") % {"max": MAX_CONDITIONS}, field="conditions")
    else:
        reasons = clean_lines(reasons, field="reasons")
    with transaction.atomic():
        application = locked(application)
        check_head(actor, application)
        if not application.can_decide():
            _not_in(application, S.INSPECTION)
        pending = list(
            SiteInspection.objects.filter(application=application, result=InspectionResult.PENDING).select_related(
                "department"
            )
        )
        if pending:
            raise DomainError(
                _("The joint site inspection is not complete: %(departments)s still to record.")
                % {"departments": "、".join(i.department.name for i in pending)},
                code="inspection_pending",
            )
        application.decided_at = timezone.now()
        application.decided_by = actor if getattr(actor, "pk", None) else None
        application.review_due = None
        fields = ["state", "decided_at", "decided_by", "review_due"]
        if approve:
            _approve(application, approved_capacity=approved_capacity, tickets_by_zone=tickets_by_zone or {})
            fields.append("approved_capacity")
            move(
                application,
                to=S.APPROVED,
                actor=actor,
                verb="permit_approved",
                data={"approved_capacity": application.approved_capacity, "conditions": list(conditions)},
            )
            save_changed(application, fields)
            settle(application, DECISION_KEYS, actor, note=_("Approved."))
            grant_structure_acceptors(application, evaluate(application, actor), actor)
            for text in conditions:
                condition = PermitCondition.objects.create(application=application, text=text)
                tasks_evaluate(subject=condition, event="created", actor=actor)
            document = documents.issue_approval(application, actor=actor, conditions=list(conditions))
            permit_news(application, "approved", actor=actor, document=document)
            if conditions:  # approved with conditions: the one urgent-alert path (rule "permit.conditions")
                alert_raise(
                    rule_key="permit.conditions",
                    subject=application,
                    level="orange",
                    jurisdiction=application.venue.grid,
                    reason=join_clauses(conditions),
                    actor=actor,
                )
        else:
            application.refusal_reasons = list(reasons)
            fields.append("refusal_reasons")
            move(application, to=S.REFUSED, actor=actor, verb="permit_refused", reason="\n".join(reasons))
            save_changed(application, fields)
            settle(application, DECISION_KEYS, actor, note=_("Refused."))
            cancel_all_tasks(application, actor, _("The permit was refused."))
            evaluate(application, actor)
            permit_news(application, "refused", actor=actor, document=documents.issue_refusal(application, actor=actor))
            alert_raise(
                rule_key="permit.refused",
                subject=application,
                level="orange",
                jurisdiction=application.venue.grid,
                reason=join_clauses(reasons),
                actor=actor,
            )
    return application


def _approve(application: PermitApplication, *, approved_capacity, tickets_by_zone: Mapping[int, int]) -> None:
    venue = application.venue
    limit = rules.capacity_limit(venue.declared_capacity, venue.computed_capacity)
    if isinstance(approved_capacity, bool) or not isinstance(approved_capacity, int) or approved_capacity < 1:
        raise DomainError(_("Enter the approved capacity, at least 1."), field="approved_capacity")
    if limit is None or approved_capacity > limit:
        raise DomainError(
            _("The approved capacity may not exceed the venue's capacity (%(limit)s).")
            % {"limit": number(limit) if limit else "—"},
            field="approved_capacity",
            code="over_capacity",
        )
    plans = list(ZonePlan.objects.filter(application=application).select_related("zone"))
    total = 0
    for plan in plans:
        value = tickets_by_zone.get(plan.pk, tickets_by_zone.get(plan.zone_id))
        if value is None:
            value = plan.tickets
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise DomainError(
                _("%(zone)s: enter a whole number of tickets, 0 or more.") % {"zone": plan.zone.name},
                field="tickets",
            )
        plan.approved_tickets = value
        total += value
    if total > approved_capacity:
        raise DomainError(
            _(
                "%(total)s tickets are more than the approved capacity of %(capacity)s: tickets may only be issued up "
                "to the approved capacity (Order 505 Art. 7)."
            )
            % {"total": number(total), "capacity": number(approved_capacity)},
            field="tickets",
            code="over_capacity",
        )
    for plan in plans:
        plan.save(update_fields=["approved_tickets"])
    application.approved_capacity = approved_capacity
