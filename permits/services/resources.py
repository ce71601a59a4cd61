"""Issue 21: an event's structured security resources, its temporary structures and their acceptance (验收), the
event-day readiness they gate, the post-event review (活动复盘) and copying a past application into a new draft.

``temporary_structure_accept`` is the contract with the inspections app (docs/contracts/structures.md): it is
called when a pre-event inspection accepts a structure, and by the housing department's own acceptance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.services import grant_to_department, revoke_from_department
from duties.models import Task
from permits.access import VIEW_CODENAME, is_organizer, is_reviewer
from permits.choices import (
    AcceptanceVia,
    ApplicationState,
    ResourceKind,
    ReviewOutcome,
    ReviewSide,
    StructureKind,
)
from permits.duties import STRUCTURE_KEY
from permits.models import (
    EventSession,
    PermitApplication,
    PostEventReview,
    ResourcePlan,
    SecurityPlanSection,
    SiteInspection,
    TemporaryStructure,
    Undertaker,
    ZonePlan,
)
from permits.services.common import (
    check_editable,
    check_organizer,
    clean_text,
    evaluate,
    locked,
    refresh_derived,
    refuse,
    save_changed,
    settle,
    state_label,
)

S = ApplicationState
MAX_STRUCTURES = 50
MAX_RESOURCE_COUNT = 100_000
# Before the decision the joint site inspection may already accept a structure; after the event nothing is.
ACCEPTING_STATES = (S.UNDER_REVIEW, S.INSPECTION, S.APPROVED)
REVIEW_STATES = (S.HELD, S.CLOSED)


# --- resources ------------------------------------------------------------------------------------------------


def resource_set(
    *,
    application: PermitApplication,
    actor,
    resource: str,
    count: int,
    session: EventSession | None = None,
    zone=None,
) -> ResourcePlan | None:
    """The organizer plans ``count`` of a resource for a session (None: every session) and a zone (None: the
    whole event). Setting the same session, zone and resource again replaces the number; 0 removes the row."""
    if resource not in ResourceKind.values:
        raise DomainError(_("Choose a resource."), field="resource")
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field="count") from None
    if not 0 <= count <= MAX_RESOURCE_COUNT:
        raise DomainError(_("Enter a number from 0 to %(max)d.") % {"max": MAX_RESOURCE_COUNT}, field="count")
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if session is not None and session.application_id != application.pk:
            raise DomainError(_("That session is not part of this application."), field="session")
        if zone is not None and (application.venue_id is None or zone.venue_id != application.venue_id):
            raise DomainError(_("That zone is not part of the event's venue."), field="zone")
        existing = ResourcePlan.objects.filter(application=application, session=session, zone=zone, resource=resource)
        plan = existing.first()
        if count == 0:
            existing.delete()
            plan = None
        elif plan is None:
            plan = ResourcePlan.objects.create(
                application=application, session=session, zone=zone, resource=resource, count=count
            )
        else:
            plan.count = count
            plan.save(update_fields=["count"])
        log_action(
            actor=actor,
            subject=application,
            verb="permit_resource_set",
            data={
                "resource": resource,
                "count": count,
                "session": getattr(session, "pk", None),
                "zone": getattr(zone, "pk", None),
            },
        )
        save_changed(application, [])
    return plan


# --- temporary structures -------------------------------------------------------------------------------------


def temporary_structure_add(
    *, application: PermitApplication, actor, kind: str, name: str, zone=None, builder: str = "", erected_on=None
) -> TemporaryStructure:
    """The organizer lists a temporary structure (stage, stand, screen …) to be put up for the event."""
    if kind not in StructureKind.values:
        raise DomainError(_("Choose the kind of structure."), field="kind")
    name = clean_text(name, field="name", required=True, max_length=128)
    builder = clean_text(builder, field="builder", max_length=128)
    with transaction.atomic():
        application = locked(application)
        check_organizer(actor, application)
        check_editable(application)
        if zone is not None and (application.venue_id is None or zone.venue_id != application.venue_id):
            raise DomainError(_("That zone is not part of the event's venue."), field="zone")
        if TemporaryStructure.objects.filter(application=application).count() >= MAX_STRUCTURES:
            raise DomainError(_("At most %(max)d structures.") % {"max": MAX_STRUCTURES}, field="name")
        structure = TemporaryStructure.objects.create(
            application=application, kind=kind, name=name, zone=zone, builder=builder, erected_on=erected_on
        )
        log_action(actor=actor, subject=application, verb="permit_structure_added", data={"structure": name})
        save_changed(application, [])
    return structure


def temporary_structure_remove(*, structure: TemporaryStructure, actor) -> None:
    with transaction.atomic():
        application = locked(structure.application)
        check_organizer(actor, application)
        check_editable(application)
        TemporaryStructure.objects.filter(pk=structure.pk, application=application).delete()
        log_action(
            actor=actor, subject=application, verb="permit_structure_removed", data={"structure": structure.name}
        )
        save_changed(application, [])


def _may_accept(actor, application: PermitApplication, inspection) -> bool:
    """The licensing department; the housing department (住建) of the event's territory; a department of the
    joint site inspection; or, with an inspection, any government member who can see the application (the
    inspections app has checked that the actor signs that inspection)."""
    scope = get_scope(actor)
    if is_reviewer(scope, application):
        return True
    if scope.covers(application.jurisdiction_path or None, department_kind="housing"):
        return True
    if SiteInspection.objects.filter(application=application, department_id__in=scope.department_ids).exists():
        return True
    if inspection is not None and scope.is_government:
        return PermitApplication.objects.visible_to(actor).filter(pk=application.pk).exists()
    return False


def temporary_structure_accept(
    *, structure: TemporaryStructure, actor, inspection=None, note: str = ""
) -> TemporaryStructure:
    """Record the acceptance (验收) of a temporary structure before the event.

    ``inspection``: the accepting inspection (any model instance, e.g. the inspections app's pre-event
    inspection), stored as a generic reference and a label; None for the housing department's own acceptance.
    Idempotent: a structure already accepted is returned unchanged (an offline inspection may be sent twice).
    When the last structure of the application is accepted, the housing department's task closes.
    Raises ``PermissionDeniedError`` (not allowed) or ``DomainError`` code ``invalid_state`` (wrong state)."""
    note = clean_text(note, field="note", max_length=2000)
    with transaction.atomic():
        application = locked(structure.application)
        if not _may_accept(actor, application, inspection):
            raise PermissionDeniedError(
                _("Only the licensing department, the housing department or an inspecting department may accept it.")
            )
        # Locked after the application, in the same order as every other writer: two inspectors accepting the
        # same structure at once — the second sees it accepted and changes nothing.
        structure = TemporaryStructure.objects.select_for_update().get(pk=structure.pk)
        if structure.is_accepted:
            return structure
        if application.state not in ACCEPTING_STATES:
            refuse(
                _("A structure is accepted before an approved event; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        scope = get_scope(actor)
        department = scope.department_covering(application.jurisdiction_path or None)
        label = str(department) if department is not None else ""
        person = getattr(actor, "get_full_name", lambda: "")() or getattr(actor, "username", "")
        structure.accepted_at = timezone.now()
        structure.accepted_by = actor if getattr(actor, "pk", None) else None
        structure.accepted_by_label = "，".join(x for x in (label, person) if x)[:200]
        structure.acceptance_note = note
        if inspection is not None:
            structure.accepted_via = AcceptanceVia.INSPECTION
            structure.inspection_type = ContentType.objects.get_for_model(inspection)
            structure.inspection_id = inspection.pk
            structure.inspection_label = str(inspection)[:200]
        elif scope.covers(application.jurisdiction_path or None, department_kind="housing"):
            structure.accepted_via = AcceptanceVia.HOUSING
        else:
            structure.accepted_via = AcceptanceVia.OTHER
        structure.save(
            update_fields=[
                "accepted_at",
                "accepted_by",
                "accepted_by_label",
                "acceptance_note",
                "accepted_via",
                "inspection_type",
                "inspection_id",
                "inspection_label",
            ]
        )
        log_action(
            actor=actor,
            subject=application,
            verb="permit_structure_accepted",
            reason=note,
            data={"structure": structure.name, "via": structure.accepted_via, "inspection": structure.inspection_label},
        )
        if not application.structures.filter(accepted_at__isnull=True).exists():
            settle(application, [STRUCTURE_KEY], actor, note=_("Every temporary structure is accepted."))
            _revoke_structure_acceptors(application, actor)
    return structure


def grant_structure_acceptors(application: PermitApplication, tasks, actor) -> None:
    """Open the approved application to the department its structure-acceptance task falls on (the housing
    department), which otherwise sees only what it licenses or inspects; taken back when every structure is
    accepted (``temporary_structure_accept``)."""
    for task in tasks:
        department = task.responsible_department
        if task.rule.key != STRUCTURE_KEY or department is None:
            continue
        if department.pk != application.licensing_department_id:
            grant_to_department(
                obj=application,
                codename=VIEW_CODENAME,
                department=department,
                actor=actor,
                reason=_("Asked to accept the event's temporary structures."),
            )


def _revoke_structure_acceptors(application: PermitApplication, actor) -> None:
    tasks = Task.objects.filter(
        subject_type="permit_application", subject_id=application.pk, rule__key=STRUCTURE_KEY
    ).select_related("responsible_department")
    for task in tasks:
        department = task.responsible_department
        if department is None or department.pk == application.licensing_department_id:
            continue
        revoke_from_department(
            obj=application,
            codename=VIEW_CODENAME,
            department=department,
            actor=actor,
            reason=_("Every temporary structure is accepted."),
        )


def unaccepted_structures(application: PermitApplication) -> list[TemporaryStructure]:
    return list(application.structures.filter(accepted_at__isnull=True))


def application_mark_ready(*, application: PermitApplication, actor) -> PermitApplication:
    """Event-day readiness (活动当日就绪): the licensing department or the organizer confirms that the approved event
    is ready to open. Refused while a temporary structure is not accepted (安委办 notice (九): 临时设施组织验收)."""
    scope = get_scope(actor)
    with transaction.atomic():
        application = locked(application)
        if not (is_organizer(scope, application) or is_reviewer(scope, application)):
            raise PermissionDeniedError(_("Only the organizer or the licensing department may do this."))
        if not application.can_mark_ready():
            refuse(
                _("Only an approved event can be marked ready; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        pending = unaccepted_structures(application)
        if pending:
            raise DomainError(
                _("Not ready: these temporary structures are not accepted yet: %(names)s.")
                % {"names": "、".join(s.name for s in pending)},
                code="structures_not_accepted",
            )
        application.ready_at = timezone.now()
        application.ready_by = actor if getattr(actor, "pk", None) else None
        save_changed(application, ["ready_at", "ready_by"])
        log_action(actor=actor, subject=application, verb="permit_ready")
    return application


# --- post-event review ----------------------------------------------------------------------------------------


def review_record(
    *,
    application: PermitApplication,
    actor,
    attendance: Mapping[Any, Any] | None = None,
    incidents: str = "",
    worked: str = "",
    did_not_work: str = "",
    outcome: str = "",
) -> PostEventReview:
    """The organizer or the licensing department records its review of a held event (活动复盘): actual attendance
    per session (``{session id: number}``), incidents, measures that worked and did not. The department gives
    the outcome; a failed one weighs on the organizer's next application. Recording again replaces the side's
    review."""
    incidents = clean_text(incidents, field="incidents")
    worked = clean_text(worked, field="worked")
    did_not_work = clean_text(did_not_work, field="did_not_work")
    scope = get_scope(actor)
    with transaction.atomic():
        application = locked(application)
        if is_reviewer(scope, application):
            side = ReviewSide.DEPARTMENT
        elif is_organizer(scope, application):
            side = ReviewSide.ORGANIZER
        else:
            raise PermissionDeniedError(_("Only the organizer or the licensing department may do this."))
        if application.state not in REVIEW_STATES:
            refuse(
                _("A review is recorded after the event is held; this one is “%(state)s”.")
                % {"state": state_label(application.state)}
            )
        if side == ReviewSide.DEPARTMENT:
            if outcome not in ReviewOutcome.values:
                raise DomainError(_("Choose how the event went."), field="outcome")
        else:
            outcome = ""
        rows = []
        given = {str(k): v for k, v in (attendance or {}).items()}
        for session in application.sessions.all():
            value = given.get(str(session.pk))
            if value in (None, ""):
                actual = None
            else:
                try:
                    actual = int(value)
                except (TypeError, ValueError):
                    raise DomainError(_("Enter a whole number."), field=f"attendance_{session.pk}") from None
                if not 0 <= actual <= 10_000_000:
                    raise DomainError(
                        _("Enter a number from 0 to %(max)d.") % {"max": 10_000_000}, field=f"attendance_{session.pk}"
                    )
            rows.append(
                {
                    "session": session.pk,
                    "starts_at": session.starts_at.isoformat(),
                    "expected": session.expected_attendance,
                    "actual": actual,
                }
            )
        review, _created = PostEventReview.objects.update_or_create(
            application=application,
            side=side,
            defaults={
                "attendance": rows,
                "incidents": incidents,
                "worked": worked,
                "did_not_work": did_not_work,
                "outcome": outcome,
                "author": actor if getattr(actor, "pk", None) else None,
            },
        )
        log_action(
            actor=actor,
            subject=application,
            verb="permit_review_recorded",
            reason=incidents[:500],
            data={"side": side, "outcome": outcome},
        )
    return review


# --- copying a past application -------------------------------------------------------------------------------

COPIED_FIELDS = (
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


def application_copy(*, source: PermitApplication, actor) -> PermitApplication:
    """Start a new draft from one of the organisation's past applications: the event, venue, safety person,
    undertakers, zones (tickets), the written security plan, the planned resources (those for every session)
    and the temporary structures (not accepted) are copied; sessions (new dates), materials, decisions,
    comments, inspections and reviews are not."""
    scope = get_scope(actor)
    if not (scope.is_superuser or source.organisation_id in scope.organisation_ids_for(Role.ORGANIZER)):
        raise PermissionDeniedError(_("Only the applicant's organizers may do this."))
    with transaction.atomic():
        values = {name: getattr(source, name) for name in COPIED_FIELDS}
        if values["venue"] is not None and not values["venue"].is_active:
            values["venue"] = None
        application = PermitApplication(
            organisation=source.organisation, created_by=actor, copied_from=source, **values
        )
        application.save()
        application.number = f"XK{timezone.localdate().year}-{application.pk:06d}"
        fields = ["number", *refresh_derived(application)]
        save_changed(application, fields)
        Undertaker.objects.bulk_create(
            Undertaker(
                application=application,
                name=u.name,
                credit_code=u.credit_code,
                contact_name=u.contact_name,
                contact_phone=u.contact_phone,
            )
            for u in source.undertakers.all()
        )
        if application.venue_id is not None:
            ZonePlan.objects.bulk_create(
                ZonePlan(application=application, zone_id=z.zone_id, tickets=z.tickets)
                for z in source.zone_plans.filter(zone__venue_id=application.venue_id)
            )
        SecurityPlanSection.objects.bulk_create(
            SecurityPlanSection(application=application, section=p.section, text=p.text)
            for p in source.plan_sections.all()
            if p.text
        )
        ResourcePlan.objects.bulk_create(
            ResourcePlan(application=application, zone_id=r.zone_id, resource=r.resource, count=r.count)
            for r in source.resources.filter(session__isnull=True)
        )
        TemporaryStructure.objects.bulk_create(
            TemporaryStructure(application=application, kind=t.kind, name=t.name, zone_id=t.zone_id, builder=t.builder)
            for t in source.structures.all()
        )
        log_action(
            actor=actor,
            subject=application,
            verb="permit_application_copied",
            to_state=application.state,
            data={"from": source.number or source.pk},
        )
        evaluate(application, actor)
    return application
