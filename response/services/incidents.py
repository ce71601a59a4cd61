"""Opening an incident (from a monitoring alert, a red gathering, a public report, a permitted event on its
day, or by hand), its commander and level, plan activation and measures (issue 16 points 1–2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Department, Jurisdiction
from drills.models import EmergencyPlan, PlanMeasure
from duties.parties import SubjectPlace
from duties.services import tasks_evaluate, tasks_settle
from events.models import Gathering
from events.services.field import measure_record
from monitoring.models import MonitoringAlert
from permits.choices import ApplicationState
from permits.models import PermitApplication
from response import access, conf
from response.choices import IncidentSource, IncidentStatus, MeasureStatus
from response.duties import MEASURE_RULE
from response.models import (
    CommandHandover,
    Incident,
    IncidentLevel,
    IncidentMeasure,
    MeasureRouting,
    PlanActivation,
)
from response.services.common import check_command, commanding_jurisdiction, locked, text, tier_for

OPENED_RULE = "response.incident_opened"
MEASURE_ALERT_RULE = "response.measure_task"
# Plan measure kinds recorded on a gathering as the events app's kind of the same meaning.
EVENTS_MEASURE_KIND = {
    "upstream_holding": "upstream_holding",
    "flow_limiting": "diversion",
    "let_out_block_in": "let_out_block_in",
    "one_way": "one_way",
}


def level_by_code(code: str) -> IncidentLevel:
    level = IncidentLevel.objects.filter(code=str(code or "").strip()).first()
    if level is None:
        raise DomainError(_("Choose a response level."), field="level")
    return level


def level_for_colour(colour: str) -> IncidentLevel:
    """The level whose plan measures are of ``colour`` (red → I, orange → II …)."""
    level = IncidentLevel.objects.filter(plan_level=colour).order_by("rank").first()
    return level or IncidentLevel.objects.order_by("rank").first() or level_by_code("")


def _number(now: dt.datetime) -> str:
    day = timezone.localtime(now).strftime("%Y%m%d")
    count = Incident.objects.filter(number__startswith=f"XY{day}").count()
    return f"XY{day}-{count + 1:03d}"


def _raise_opened(incident: Incident, *, actor: Any) -> None:
    alert_raise(
        rule_key=OPENED_RULE,
        subject=incident,
        level=incident.level.alert_level,
        jurisdiction=incident.jurisdiction,
        reason=_("%(level)s response: %(title)s") % {"level": incident.level, "title": incident.title},
        actor=actor,
        exercise=incident.exercise,
    )


def incident_open(
    *,
    actor: Any,
    jurisdiction: Jurisdiction,
    title: str,
    level: IncidentLevel,
    source: str = IncidentSource.MANUAL,
    commander: Any = None,
    description: str = "",
    place: str = "",
    gathering: Gathering | None = None,
    application: PermitApplication | None = None,
    monitoring_alert: MonitoringAlert | None = None,
    zones: list[Any] | None = None,
    coordinates: tuple[Any, Any] | None = None,
    exercise: bool = False,
) -> Incident:
    """Open an incident at ``jurisdiction``; the commander is ``commander`` or the actor. Alerts the township,
    the police and emergency management on duty (and the leader at red). A second opening for the same gathering
    or monitoring alert returns the open incident."""
    title = text(title, field="title", required=True, limit=200)
    description = text(description, field="description")
    place = text(place, field="place", limit=200)
    if source not in IncidentSource.values:
        raise DomainError(_("Unknown source."), field="source")
    scope = actor_scope(actor)
    if not access.can_open(scope, jurisdiction.path):
        raise PermissionDeniedError(_("You may not open an incident in this territory."))
    commander = commander or actor
    if commander is None:
        raise DomainError(_("Name the commander."), field="commander")
    existing = _open_for(gathering=gathering, monitoring_alert=monitoring_alert)
    if existing is not None:
        return existing
    tier = tier_for(jurisdiction)
    command = commanding_jurisdiction(jurisdiction, tier)
    now = timezone.now()
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                number=_number(now),
                title=title,
                source=source,
                level=level,
                jurisdiction=jurisdiction,
                jurisdiction_path=jurisdiction.path,
                command_jurisdiction=command,
                command_path=command.path,
                tier=tier,
                commander=commander,
                gathering=gathering,
                application=application,
                monitoring_alert=monitoring_alert,
                description=description,
                place=place,
                latitude=coordinates[0] if coordinates else None,
                longitude=coordinates[1] if coordinates else None,
                exercise=exercise,
                opened_by=actor,
                opened_at=now,
                next_report_due_at=now + dt.timedelta(minutes=30),
            )
            if zones:
                incident.zones.set(zones)
            log_action(
                actor=actor,
                subject=incident,
                verb="incident_opened",
                to_state=level.code,
                reason=description,
                data={"source": source, "commander": commander.pk, "tier": tier.key},
            )
            _raise_opened(incident, actor=actor)
    except IntegrityError:
        # The race: two people opening from the same gathering or alert at once; the partial unique index lets
        # one in, the other finds it.
        found = _open_for(gathering=gathering, monitoring_alert=monitoring_alert)
        if found is None:
            raise
        return found
    return incident


def _open_for(*, gathering: Gathering | None, monitoring_alert: MonitoringAlert | None) -> Incident | None:
    if gathering is not None:
        found = Incident.objects.filter(status=IncidentStatus.OPEN, gathering=gathering).first()
        if found is not None:
            return found
    if monitoring_alert is not None:
        return Incident.objects.filter(status=IncidentStatus.OPEN, monitoring_alert=monitoring_alert).first()
    return None


def incident_open_from_monitoring(*, alert: MonitoringAlert, actor: Any, commander: Any = None) -> Incident:
    """The monitoring app's "open incident": the zone's place, gathering and event, at the level of the alert's
    colour (red → I, orange → II)."""
    zone = alert.zone
    where = zone.name if zone is not None else str(alert)
    return incident_open(
        actor=actor,
        jurisdiction=alert.jurisdiction,
        title=_("Crowd alert at %(place)s") % {"place": where},
        level=level_for_colour(alert.level),
        source=IncidentSource.MONITORING,
        commander=commander,
        description=alert.reason,
        place=where,
        gathering=zone.gathering if zone is not None else None,
        application=zone.application if zone is not None else None,
        monitoring_alert=alert,
        zones=[zone] if zone is not None else None,
        exercise=alert.exercise,
    )


def incident_open_from_gathering(*, gathering: Gathering, actor: Any, commander: Any = None) -> Incident:
    """A gathering at red (or orange) opens an incident at the level of its colour."""
    if gathering.risk_level not in ("orange", "red"):
        raise DomainError(_("Only a gathering at orange or red opens an incident."), field="gathering")
    return incident_open(
        actor=actor,
        jurisdiction=gathering.grid,
        title=gathering.title,
        level=level_for_colour(gathering.risk_level),
        source=IncidentSource.GATHERING,
        commander=commander,
        place=gathering.place_label,
        gathering=gathering,
        coordinates=gathering.coordinates,
    )


def incident_open_for_event(*, application: PermitApplication, actor: Any, commander: Any = None) -> Incident:
    """A permitted event on its day (approved, with a session today)."""
    today = timezone.localdate()
    if application.state != ApplicationState.APPROVED:
        raise DomainError(_("Only an approved event opens an incident."), field="application")
    if not any(
        timezone.localtime(s.starts_at).date() <= today <= timezone.localtime(s.ends_at).date()
        for s in application.sessions.all()
    ):
        raise DomainError(_("The event has no session today."), field="application")
    if application.jurisdiction is None:
        raise DomainError(_("The event has no place yet."), field="application")
    venue = application.venue
    return incident_open(
        actor=actor,
        jurisdiction=venue.grid if venue is not None else application.jurisdiction,
        title=application.event_name,
        level=level_by_code("IV"),
        source=IncidentSource.EVENT,
        commander=commander,
        place=str(venue) if venue is not None else "",
        application=application,
    )


def command_handover(*, incident: Incident, to_user: Any, actor: Any, reason: str) -> Incident:
    """Hand command to ``to_user`` (logged with the reason)."""
    reason = text(reason, field="reason", required=True)
    if to_user is None or not getattr(to_user, "is_active", False):
        raise DomainError(_("Choose the new commander."), field="to_user")
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        if row.commander_id == to_user.pk:
            raise DomainError(_("This person already commands."), field="to_user")
        CommandHandover.objects.create(incident=row, from_user_id=row.commander_id, to_user=to_user, reason=reason)
        previous = row.commander_id
        row.commander = to_user
        row.save(update_fields=["commander"])
        log_action(
            actor=actor,
            subject=row,
            verb="command_handed_over",
            reason=reason,
            data={"from": previous, "to": to_user.pk},
        )
    return row


def level_change(*, incident: Incident, level: IncidentLevel, actor: Any, reason: str) -> Incident:
    """Change the level (commander or on-duty head only). Raising it activates the new level's measures of every
    plan already activated, and alerts at the new level."""
    reason = text(reason, field="reason", required=True)
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        if row.level_id == level.pk:
            raise DomainError(_("The incident is already at this level."), field="level")
        previous = row.level
        row.level = level
        row.save(update_fields=["level"])
        log_action(
            actor=actor, subject=row, verb="level_changed", from_state=previous.code, to_state=level.code, reason=reason
        )
        if level.rank > previous.rank:
            plans = EmergencyPlan.objects.filter(pk__in=row.activations.values("plan_id")).distinct()
            for plan in plans:
                _activate(row, plan, actor=actor, reason=_("Level raised to %(level)s") % {"level": level})
            _raise_opened(row, actor=actor)
    return row


def cadence_set(*, incident: Incident, minutes: int, actor: Any) -> Incident:
    if not 5 <= int(minutes) <= 720:
        raise DomainError(_("Between 5 and 720 minutes."), field="minutes")
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        row.report_every_minutes = int(minutes)
        last = row.reports.order_by("-created_at").first()
        start = last.created_at if last else row.opened_at
        row.next_report_due_at = start + dt.timedelta(minutes=int(minutes))
        row.save(update_fields=["report_every_minutes", "next_report_due_at"])
        log_action(actor=actor, subject=row, verb="cadence_set", data={"minutes": int(minutes)})
    return row


# --- plans and measures ------------------------------------------------------------------------------------------


def route(measure: PlanMeasure, incident: Incident) -> tuple[Department | None, str]:
    """The department that carries out ``measure`` at the incident's place, and why (routing rows are data)."""
    responsible = measure.responsible or ""
    for row in MeasureRouting.objects.all():
        if row.keyword and row.keyword not in responsible:
            continue
        if row.measure_kind and row.measure_kind != measure.kind:
            continue
        department = SubjectPlace(incident.jurisdiction).department(row.department_kind)
        if department is None:
            continue
        if row.keyword:
            why = _("“%(who)s” names %(kind)s") % {"who": responsible, "kind": row.get_department_kind_display()}
        elif row.measure_kind:
            why = _("%(measure)s is carried out by %(kind)s") % {
                "measure": measure.get_kind_display(),
                "kind": row.get_department_kind_display(),
            }
        else:
            why = _("No other department named: %(kind)s coordinates") % {"kind": row.get_department_kind_display()}
        return department, f"{why}（{department}）"
    return None, _("No department of the kind found at this place")


def _checklist(measure: PlanMeasure) -> list[dict[str, Any]]:
    items = [_("Arrive and take position")]
    if measure.trigger:
        items.append(measure.trigger)
    items.extend(part.strip() for part in measure.action.replace("；", "\n").splitlines() if part.strip())
    items.append(_("Report done on the incident page"))
    return [{"text": str(item)[:200], "done": False} for item in items]


def _activate(incident: Incident, plan: EmergencyPlan, *, actor: Any, reason: str) -> PlanActivation | None:
    level = incident.level
    activation, created = PlanActivation.objects.get_or_create(
        incident=incident,
        plan=plan,
        level=level,
        defaults={"reason": reason, "activated_by": actor if getattr(actor, "pk", None) else None},
    )
    if not created:
        return None
    now = timezone.now()
    due = now + dt.timedelta(minutes=conf.measure_minutes())
    for measure in plan.measures.filter(alert_level=level.plan_level).order_by("position", "id"):
        department, why = route(measure, incident)
        row = IncidentMeasure.objects.create(
            incident=incident,
            activation=activation,
            plan_measure=measure,
            kind=measure.kind,
            kind_label=str(measure.get_kind_display()),
            action=measure.action,
            responsible=measure.responsible,
            department=department,
            routing_reason=why[:255],
            checklist=_checklist(measure),
            due_at=due,
            jurisdiction_path=incident.jurisdiction_path,
        )
        tasks_evaluate(subject=row, event="created", actor=actor, moment=now)
        alert_raise(
            rule_key=MEASURE_ALERT_RULE,
            subject=row,
            level=level.alert_level,
            jurisdiction=incident.jurisdiction,
            reason=_("%(measure)s within %(minutes)d minutes: %(action)s")
            % {"measure": row.kind_label, "minutes": conf.measure_minutes(), "action": row.action[:120]},
            actor=actor,
            exercise=incident.exercise,
        )
    log_action(
        actor=actor,
        subject=incident,
        verb="plan_activated",
        to_state=level.code,
        reason=reason,
        data={"plan": plan.pk, "activation": activation.pk},
    )
    return activation


def plan_activate(*, incident: Incident, plan: EmergencyPlan, actor: Any, reason: str = "") -> PlanActivation:
    """Activate ``plan`` for the incident: its measures of the incident's level become tasks of their
    departments due in minutes, each sent as an urgent alert."""
    reason = text(reason, field="reason")
    if not plan.is_active:
        raise DomainError(_("This plan is no longer in force."), field="plan")
    with transaction.atomic():
        row = locked(incident)
        check_command(actor, row)
        activation = _activate(row, plan, actor=actor, reason=reason)
        if activation is None:
            raise DomainError(_("This plan is already activated at this level."), field="plan")
    return activation


def measure_complete(*, measure: IncidentMeasure, actor: Any, note: str = "") -> IncidentMeasure:
    """The department (or the commander) reports the measure done: settles its task and records it as a
    crowd-control measure on the gathering."""
    note = text(note, field="note")
    with transaction.atomic():
        row = IncidentMeasure.objects.select_for_update(of=("self",)).select_related("incident").get(pk=measure.pk)
        incident = row.incident
        scope = actor_scope(actor)
        if not incident.is_open:
            raise DomainError(_("This incident is closed."), code="invalid_state")
        own = row.department_id is not None and row.department_id in scope.department_ids
        if not (own or access.can_command(scope, incident)):
            raise PermissionDeniedError(_("Only the measure's department or the commander may report it done."))
        if row.status != MeasureStatus.PENDING:
            raise DomainError(_("This measure is already settled."), code="invalid_state")
        now = timezone.now()
        row.status = MeasureStatus.DONE
        row.done_at = now
        row.done_by = actor
        row.note = note
        row.checklist = [{**item, "done": True} for item in row.checklist]
        fields = ["status", "done_at", "done_by", "note", "checklist"]
        if incident.gathering_id is not None:
            gathering = incident.gathering
            assert gathering is not None
            if gathering.status in ("verified", "monitoring"):
                recorded = measure_record(
                    gathering=gathering,
                    actor=actor,
                    kind=EVENTS_MEASURE_KIND.get(row.kind, "other"),
                    description=f"{incident.number}：{row.action}"[:2000],
                    applied_by_unit=str(row.department or "")[:128],
                )
                row.gathering_measure_id = recorded.pk
                fields.append("gathering_measure_id")
        row.save(update_fields=fields)
        tasks_settle(subject=row, keys=[MEASURE_RULE], actor=actor, note=note)
        log_action(
            actor=actor,
            subject=incident,
            verb="measure_done",
            reason=note,
            data={"measure": row.pk, "minutes": round((now - row.activation.activated_at).total_seconds() / 60, 1)},
        )
    return row
