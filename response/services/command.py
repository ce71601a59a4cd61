"""Forces, the position log, situation reports (with the numbered 情况报告), the higher-level response and closing
(issue 16 points 3, 4, 5 and 7)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_upload
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Department
from drills.models import EmergencyPlan
from drills.services import items_from_incident
from duties.parties import SubjectPlace
from duties.services import tasks_settle
from notices.choices import NoticeKind
from notices.services import notice_issue
from notifications.choices import MessageKind
from notifications.services import notify
from response import access
from response.choices import FORCE_ORDER, FORCE_TIME_FIELD, EscalationStatus, ForceKind, ForceState, IncidentStatus
from response.duties import MEASURE_RULE
from response.models import (
    CommandHandover,
    EscalationRequest,
    Force,
    Incident,
    LogEntry,
    LogPhoto,
    ResponseTier,
    SituationReport,
)
from response.services.common import check_act, check_command, commanding_jurisdiction, locked, text

HIGHER_LEVEL_RULE = "response.higher_level"
MAX_PHOTOS = 6


# --- forces ------------------------------------------------------------------------------------------------------


def force_request(
    *,
    incident: Incident,
    actor: Any,
    kind: str,
    requested_count: int,
    department: Department | None = None,
    unit: str = "",
) -> Force:
    """Request a force (commander or on-duty head only)."""
    if kind not in ForceKind.values:
        raise DomainError(_("Choose the force."), field="kind")
    try:
        count = int(requested_count)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field="requested_count") from None
    if not 1 <= count <= 100_000:
        raise DomainError(_("Between 1 and 100,000."), field="requested_count")
    unit = text(unit, field="unit", limit=100)
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        force = Force.objects.create(
            incident=row, kind=kind, department=department, unit=unit, requested_count=count, requested_by=actor
        )
        log_action(
            actor=actor,
            subject=row,
            verb="force_requested",
            to_state=ForceState.REQUESTED,
            data={"force": force.pk, "kind": kind, "count": count, "department": getattr(department, "pk", None)},
        )
    return force


def force_advance(*, force: Force, actor: Any, state: str, arrived_count: int | None = None) -> Force:
    """Move a force on (dispatched → on scene → released), stamping the time; the arrived count on scene."""
    if state not in ForceState.values:
        raise DomainError(_("Choose the state."), field="state")
    with transaction.atomic():
        row = Force.objects.select_for_update(of=("self",)).select_related("incident").get(pk=force.pk)
        check_act(actor, row.incident)
        if FORCE_ORDER.index(ForceState(state)) <= FORCE_ORDER.index(ForceState(row.state)):
            raise DomainError(_("A force only moves forward."), field="state")
        previous = row.state
        now = timezone.now()
        row.state = state
        setattr(row, FORCE_TIME_FIELD[ForceState(state)], now)
        fields = ["state", FORCE_TIME_FIELD[ForceState(state)]]
        if arrived_count is not None:
            if not 0 <= int(arrived_count) <= 100_000:
                raise DomainError(_("Between 0 and 100,000."), field="arrived_count")
            row.arrived_count = int(arrived_count)
            fields.append("arrived_count")
        elif state == ForceState.ON_SCENE and not row.arrived_count:
            row.arrived_count = row.requested_count
            fields.append("arrived_count")
        row.save(update_fields=fields)
        log_action(
            actor=actor,
            subject=row.incident,
            verb="force_moved",
            from_state=previous,
            to_state=state,
            data={"force": row.pk, "arrived": row.arrived_count},
        )
    return row


# --- position log ------------------------------------------------------------------------------------------------


def log_add(
    *,
    incident: Incident,
    actor: Any,
    text_: str,
    place: str = "",
    significant: bool = False,
    photos: Sequence[Any] = (),
) -> LogEntry:
    """Add a position-log entry, with photos from a phone (the kernel's upload check, kind "photo")."""
    body = text(text_, field="text", required=True)
    place = text(place, field="place", limit=200)
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    checked = [check_upload(photo, kind="photo", field="photos") for photo in photos]
    with transaction.atomic():
        check_act(actor, incident)
        entry = LogEntry.objects.create(
            incident=incident,
            author=actor,
            author_label=getattr(actor, "display_name", "")[:128],
            text=body,
            place=place,
            significant=bool(significant),
        )
        for upload in checked:
            photo = LogPhoto(entry=entry, uploaded_by=actor)
            photo.store(upload)
            photo.save()
        log_action(actor=actor, subject=incident, verb="log_entry", reason=body[:500], data={"entry": entry.pk})
    return entry


# --- situation reports -------------------------------------------------------------------------------------------


def _issuer(actor: Any, incident: Incident) -> tuple[Department, Any]:
    """Who issues the 情况报告: the actor's own department covering the command jurisdiction (signed by them),
    else the commanding jurisdiction's township government or emergency-management department (issued by the
    platform for the commander, whose right this service checked)."""
    scope = actor_scope(actor)
    own = scope.department_covering(incident.jurisdiction_path)
    if own is not None:
        return own, actor
    place = SubjectPlace(incident.command_jurisdiction)
    for kind in (DepartmentKind.TOWNSHIP_GOVERNMENT, DepartmentKind.EMERGENCY):
        department = place.department(kind)
        if department is not None:
            return department, None
    raise DomainError(_("No department can issue the report here."))


def situation_report_submit(
    *,
    incident: Incident,
    actor: Any,
    situation: str,
    measures: str,
    forces: str,
    next_steps: str,
    needs: str = "",
) -> SituationReport:
    """A situation report on the template; issued as a numbered 情况报告 through notices; the next one is due
    after the incident's cadence."""
    fields = {
        "situation": text(situation, field="situation", required=True),
        "measures": text(measures, field="measures", required=True),
        "forces": text(forces, field="forces", required=True),
        "next_steps": text(next_steps, field="next_steps", required=True),
        "needs": text(needs, field="needs"),
    }
    with transaction.atomic():
        row = locked(incident)
        check_act(actor, row)
        sequence = row.reports.count() + 1
        now = timezone.now()
        report = SituationReport.objects.create(incident=row, sequence=sequence, author=actor, created_at=now, **fields)
        issuer, signer = _issuer(actor, row)
        notice = notice_issue(
            kind=NoticeKind.SITUATION_REPORT,
            issuer=issuer,
            subject=report,
            recipient=str(row.command_jurisdiction) + "应急指挥部",
            context={
                "incident_number": row.number,
                "incident_title": row.title,
                "sequence": sequence,
                "level": str(row.level),
                "commander": getattr(row.commander, "display_name", str(row.commander)),
                "reported_at": now,
                "place": row.place,
                **fields,
            },
            actor=signer,
        )
        report.notice = notice
        report.save(update_fields=["notice"])
        row.next_report_due_at = now + dt.timedelta(minutes=row.report_every_minutes)
        row.report_reminded_at = None
        row.save(update_fields=["next_report_due_at", "report_reminded_at"])
        log_action(
            actor=actor, subject=row, verb="situation_reported", data={"report": report.pk, "notice": notice.number}
        )
    return report


def reports_remind_due(*, now: dt.datetime | None = None) -> int:
    """The minute beat: remind the commander of each open incident whose situation report is due, once per due
    time (claimed with SKIP LOCKED so two workers never remind twice)."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        rows = list(
            Incident.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=IncidentStatus.OPEN, next_report_due_at__lte=now)
            .filter(Q(report_reminded_at__isnull=True) | Q(report_reminded_at__lt=F("next_report_due_at")))
            .select_related("commander")[:200]
        )
        for row in rows:
            notify(
                recipients=[row.commander],
                subject=row,
                title=_("Situation report due: %(title)s") % {"title": row.title},
                body=_("The next situation report of %(number)s is due. Submit it on the incident page.")
                % {"number": row.number},
                kind=MessageKind.NOTICE,
                actor=None,
            )
            row.report_reminded_at = now
            row.save(update_fields=["report_reminded_at"])
            sent += 1
    return sent


# --- higher-level response ---------------------------------------------------------------------------------------


def escalation_request(*, incident: Incident, actor: Any, reason: str) -> EscalationRequest:
    """Ask the next tier up (commander or on-duty head). Its on-duty people get an urgent alert that needs
    acknowledgment; the alerts app re-sends it up the chain when nobody acknowledges."""
    reason = text(reason, field="reason", required=True)
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        if row.escalations.filter(status=EscalationStatus.PENDING).exists():
            raise DomainError(_("A request to the higher level is already waiting."), code="invalid_state")
        to_tier = ResponseTier.objects.filter(rank__gt=row.tier.rank).order_by("rank").first()
        if to_tier is None:
            raise DomainError(_("The response is already at the highest level."), code="invalid_state")
        to_jurisdiction = commanding_jurisdiction(row.command_jurisdiction, to_tier)
        request = EscalationRequest.objects.create(
            incident=row,
            from_tier=row.tier,
            to_tier=to_tier,
            from_jurisdiction=row.command_jurisdiction,
            to_jurisdiction=to_jurisdiction,
            to_path=to_jurisdiction.path,
            reason=reason,
            requested_by=actor,
        )
        log_action(
            actor=actor,
            subject=row,
            verb="higher_level_requested",
            from_state=row.tier.key,
            to_state=to_tier.key,
            reason=reason,
            data={"request": request.pk},
        )
        alert_raise(
            rule_key=HIGHER_LEVEL_RULE,
            subject=request,
            level="red",
            jurisdiction=to_jurisdiction,
            reason=_("%(from)s asks %(to)s to take over %(title)s: %(reason)s")
            % {"from": row.command_jurisdiction, "to": to_tier, "title": row.title, "reason": reason},
            actor=actor,
            exercise=row.exercise,
        )
    return request


def escalation_accept(*, request: EscalationRequest, actor: Any) -> EscalationRequest:
    """The higher level accepts: command and the incident move up (the actor commands); the lower level keeps
    seeing and acting. The window (request → acceptance) is stored with the times."""
    with transaction.atomic():
        row = EscalationRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        incident = locked(row.incident)
        if row.status != EscalationStatus.PENDING:
            raise DomainError(_("This request is no longer waiting."), code="invalid_state")
        if not access.can_accept(actor_scope(actor), row):
            raise PermissionDeniedError(_("Only the on-duty people of the level asked may accept."))
        now = timezone.now()
        row.status = EscalationStatus.ACCEPTED
        row.accepted_by = actor
        row.accepted_at = now
        row.previous_commander_id = incident.commander_id
        row.save(update_fields=["status", "accepted_by", "accepted_at", "previous_commander"])
        CommandHandover.objects.create(
            incident=incident,
            from_user_id=incident.commander_id,
            to_user=actor,
            reason=_("Higher-level response accepted by %(tier)s") % {"tier": row.to_tier},
            at=now,
        )
        incident.tier = row.to_tier
        incident.command_jurisdiction = row.to_jurisdiction
        incident.command_path = row.to_path
        incident.commander = actor
        incident.save(update_fields=["tier", "command_jurisdiction", "command_path", "commander"])
        window = int((now - row.requested_at).total_seconds())
        log_action(
            actor=actor,
            subject=incident,
            verb="higher_level_accepted",
            from_state=row.from_tier.key,
            to_state=row.to_tier.key,
            data={"request": row.pk, "window_seconds": window},
        )
    return row


def escalation_return(*, incident: Incident, actor: Any, reason: str) -> Incident:
    """De-escalation: command goes back down to the tier, place and commander before the last accepted request."""
    reason = text(reason, field="reason", required=True)
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        last = row.escalations.filter(status=EscalationStatus.ACCEPTED).order_by("-accepted_at").first()
        if last is None:
            raise DomainError(_("Command has not moved up."), code="invalid_state")
        last.status = EscalationStatus.RETURNED
        last.returned_at = timezone.now()
        last.save(update_fields=["status", "returned_at"])
        back_to = last.previous_commander or last.requested_by
        CommandHandover.objects.create(incident=row, from_user_id=row.commander_id, to_user=back_to, reason=reason)
        previous_tier = row.tier.key
        row.tier = last.from_tier
        row.command_jurisdiction = last.from_jurisdiction
        row.command_path = last.from_jurisdiction.path
        row.commander = back_to
        row.save(update_fields=["tier", "command_jurisdiction", "command_path", "commander"])
        log_action(
            actor=actor,
            subject=row,
            verb="higher_level_returned",
            from_state=previous_tier,
            to_state=last.from_tier.key,
            reason=reason,
        )
    return row


# --- closing -----------------------------------------------------------------------------------------------------


def incident_close(*, incident: Incident, actor: Any, summary: str, lessons: Sequence[str] = ()) -> Incident:
    """Close with a summary (required). Pending measures are withdrawn, their tasks cancelled. Each of
    ``lessons`` (the after-action review) becomes an after-action item in drills/ of every plan activated, for its
    revision (演练—评估—修订 after a real incident)."""
    summary = text(summary, field="summary", required=True)
    lessons = [text(line, field="lessons", limit=2000) for line in lessons if str(line or "").strip()]
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        now = timezone.now()
        for measure in row.measures.filter(status="pending"):
            measure.status = "cancelled"
            measure.save(update_fields=["status"])
            tasks_settle(subject=measure, keys=[MEASURE_RULE], actor=actor, outcome="cancelled", note=summary[:200])
        row.status = IncidentStatus.CLOSED
        row.closed_at = now
        row.closed_by = actor
        row.summary = summary
        row.save(update_fields=["status", "closed_at", "closed_by", "summary"])
        log_action(
            actor=actor, subject=row, verb="incident_closed", from_state="open", to_state="closed", reason=summary
        )
        if lessons:
            plans = EmergencyPlan.objects.filter(pk__in=row.activations.values("plan_id")).order_by("pk")
            if not plans.exists():
                raise DomainError(_("No plan was activated: there is no plan to revise."), field="lessons")
            items_from_incident(incident=row, plans=list(plans), lessons=lessons, actor=actor)
    return row
