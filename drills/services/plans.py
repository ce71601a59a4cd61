"""Writes to emergency plans: create, update (with their measures and contacts), withdraw, add a version, share
with a department, and create an event's plan from its permit application's uploaded emergency plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import CheckedUpload, check_upload
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope, get_scope
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from crowdsafe.org.services import grant_to_department, revoke_from_department
from drills import permits
from drills.access import check_manage_plan, coordinates, is_owner_person
from drills.choices import (
    AlertLevel,
    GatheringKind,
    MeasureKind,
    OwnerKind,
    PlanKind,
    ScopeKind,
    VersionSource,
)
from drills.duties import GOVERNMENT_DRILL, ON_SITE_PLAN_DRILL, VENUE_DRILL
from drills.models import EmergencyPlan, PlanContact, PlanMeasure, PlanVersion
from duties.models import ResponsibilityRule
from duties.services import tasks_evaluate
from venues.models import Venue, phone_validator

TITLE_MAX = 200
TEXT_MAX = 5000
MAX_MEASURES = 60
MAX_CONTACTS = 30
# 《生产安全事故应急预案管理办法》第三十三条: an overall or special plan is drilled at least once a year.
DEFAULT_INTERVAL_MONTHS = 12
VIEW_PERMISSION = "view_emergencyplan"
PLAN_FIELDS = ("title", "kind", "summary", "evacuation_target_minutes", "review_due", "drill_interval_months")


def _rule_months(key: str, fallback: int) -> int:
    months = ResponsibilityRule.objects.filter(key=key, is_active=True).values_list("recurrence_months", flat=True)
    return next(iter(months), None) or fallback


def default_drill_interval(*, kind: str, scope_kind: str) -> int | None:
    """How often a plan is drilled, from the drill rules (so an administrator's change of a rule's interval
    applies to new plans too). An event's plan is drilled once before the event: no interval."""
    if scope_kind == ScopeKind.EVENT:
        return None
    if kind == PlanKind.ON_SITE:
        return _rule_months(ON_SITE_PLAN_DRILL, 6)
    if scope_kind == ScopeKind.JURISDICTION:
        return _rule_months(GOVERNMENT_DRILL, 24)
    if scope_kind == ScopeKind.VENUE:
        return _rule_months(VENUE_DRILL, 6)
    return DEFAULT_INTERVAL_MONTHS


# --- validation ------------------------------------------------------------------------------------------


def _text(value, *, field: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > limit:
        raise DomainError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


def _minutes(value, *, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        minutes = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number of minutes."), field=field) from exc
    if not Decimal("0.1") <= minutes <= Decimal("1440"):
        raise DomainError(_("Enter between 0.1 and 1440 minutes."), field=field)
    return minutes


def _interval(value, *, field: str = "drill_interval_months") -> int | None:
    if value in (None, ""):
        return None
    try:
        months = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Enter a whole number of months."), field=field) from exc
    if not 1 <= months <= 120:
        raise DomainError(_("Enter between 1 and 120 months."), field=field)
    return months


def _phone(value, *, field: str, required: bool) -> str:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(_("Give a phone number."), field=field)
        return ""
    try:
        phone_validator(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field) from exc
    return value


def clean_measures(measures: Iterable[Mapping[str, Any]]) -> list[PlanMeasure]:
    """Measures as unsaved rows, in order; each needs a level, a kind, what is done and who does it."""
    rows = []
    for i, raw in enumerate(measures):
        level, kind = raw.get("alert_level"), raw.get("kind")
        if level not in AlertLevel.values:
            raise DomainError(_("Measure %(n)d: choose the alert level.") % {"n": i + 1}, field="measures")
        if kind not in MeasureKind.values:
            raise DomainError(_("Measure %(n)d: choose the kind of measure.") % {"n": i + 1}, field="measures")
        action = (raw.get("action") or "").strip()
        responsible = (raw.get("responsible") or "").strip()
        if not action or not responsible:
            raise DomainError(_("Measure %(n)d: say what is done and who does it.") % {"n": i + 1}, field="measures")
        rows.append(
            PlanMeasure(
                alert_level=level,
                kind=kind,
                trigger=_text(raw.get("trigger"), field="measures", limit=255),
                action=_text(action, field="measures"),
                responsible=_text(responsible, field="measures", limit=200),
                position=i,
            )
        )
    if len(rows) > MAX_MEASURES:
        raise DomainError(_("At most %(n)d measures.") % {"n": MAX_MEASURES}, field="measures")
    return rows


def clean_contacts(contacts: Iterable[Mapping[str, Any]]) -> list[PlanContact]:
    rows = []
    for i, raw in enumerate(contacts):
        name = (raw.get("name") or "").strip()
        role = (raw.get("role") or "").strip()
        if not name or not role:
            raise DomainError(_("Contact %(n)d: give the name and the role.") % {"n": i + 1}, field="contacts")
        rows.append(
            PlanContact(
                name=name[:64],
                role=role[:100],
                phone=_phone(raw.get("phone"), field="contacts", required=True),
                duty_phone=_phone(raw.get("duty_phone"), field="contacts", required=False),
                position=i,
            )
        )
    if len(rows) > MAX_CONTACTS:
        raise DomainError(_("At most %(n)d contacts.") % {"n": MAX_CONTACTS}, field="contacts")
    return rows


def _owner_fields(owner_kind: str, owner) -> dict[str, Any]:
    if owner_kind == OwnerKind.DEPARTMENT and isinstance(owner, Department):
        return {"owner_department": owner}
    if owner_kind == OwnerKind.TOWNSHIP and isinstance(owner, Jurisdiction):
        if owner.level != JurisdictionLevel.TOWNSHIP:
            raise DomainError(_("%(name)s is not a township or street.") % {"name": owner.name}, field="owner")
        return {"owner_jurisdiction": owner}
    if owner_kind in (OwnerKind.VENUE_OPERATOR, OwnerKind.ORGANIZER) and isinstance(owner, Organisation):
        return {"owner_organisation": owner}
    raise DomainError(_("Choose the plan's owner."), field="owner")


def _territory(*, scope_kind: str, venue, application, territory) -> Jurisdiction:
    if scope_kind == ScopeKind.VENUE:
        if venue is None:
            raise DomainError(_("Choose the venue the plan covers."), field="venue")
        return venue.grid
    if scope_kind == ScopeKind.EVENT:
        if application is None:
            raise DomainError(_("Choose the permit application the plan covers."), field="application")
        if getattr(application, "venue", None) is None:
            raise DomainError(_("The application names no venue yet."), field="application")
        return application.venue.grid
    if scope_kind in (ScopeKind.GATHERING_KIND, ScopeKind.JURISDICTION):
        if territory is None:
            raise DomainError(_("Choose the territory the plan covers."), field="territory")
        if territory.level == JurisdictionLevel.GRID:
            raise DomainError(_("Choose a village/community or a larger territory."), field="territory")
        return territory
    raise DomainError(_("Choose what the plan covers."), field="scope_kind")


def _licenses(scope, application) -> bool:
    """The user works in the department that licenses the event (谁审批谁监管)."""
    return getattr(application, "licensing_department_id", None) in scope.department_ids


def _check_create(actor, *, owner_kind: str, owner, scope_kind: str, venue, application, territory) -> None:
    """The owner's people create their own plans; the territory's coordinators create plans in it."""
    if actor is None:
        return
    scope = get_scope(actor)
    if coordinates(scope, territory.path):
        return
    if scope_kind == ScopeKind.EVENT and _licenses(scope, application):
        return
    if owner_kind == OwnerKind.DEPARTMENT:
        if owner.pk in scope.department_ids and territory.path.startswith(owner.jurisdiction.path):
            return
        raise PermissionDeniedError(
            _("A department keeps plans for its own jurisdiction and only its people add them."), field="owner"
        )
    if owner_kind == OwnerKind.TOWNSHIP:
        if is_owner_person(scope, jurisdiction_id=owner.pk) and territory.path.startswith(owner.path):
            return
        raise PermissionDeniedError(_("Only the township's officers add its plans."), field="owner")
    if owner.pk not in scope.organisation_ids:
        raise PermissionDeniedError(_("You may add plans only for your own organisation."), field="owner")
    if scope_kind == ScopeKind.VENUE and venue.operator_id == owner.pk:
        return
    if scope_kind == ScopeKind.EVENT and getattr(application, "organisation_id", None) == owner.pk:
        return
    raise PermissionDeniedError(
        _("An organisation's plan covers a venue it runs or an event it applied for."), field="scope_kind"
    )


# --- create, update, withdraw ----------------------------------------------------------------------------


def plan_create(
    *,
    actor,
    title: str,
    kind: str,
    owner_kind: str,
    owner,
    scope_kind: str,
    venue: Venue | None = None,
    application=None,
    gathering_kind: str = "",
    territory: Jurisdiction | None = None,
    summary: str = "",
    evacuation_target_minutes=None,
    review_due: dt.date | None = None,
    drill_interval_months=None,
    measures: Sequence[Mapping[str, Any]] = (),
    contacts: Sequence[Mapping[str, Any]] = (),
    file=None,
    summary_of_changes: str = "",
) -> EmergencyPlan:
    """Register an emergency plan (and, with ``file``, its first version). ``drill_interval_months`` defaults
    from the drill rules (``default_drill_interval``)."""
    title = _text(title, field="title", required=True, limit=TITLE_MAX)
    if kind not in PlanKind.values:
        raise DomainError(_("Choose the kind of plan."), field="kind")
    if owner_kind not in OwnerKind.values:
        raise DomainError(_("Choose the plan's owner."), field="owner_kind")
    if scope_kind not in ScopeKind.values:
        raise DomainError(_("Choose what the plan covers."), field="scope_kind")
    owner_fields = _owner_fields(owner_kind, owner)
    if scope_kind == ScopeKind.GATHERING_KIND and gathering_kind not in GatheringKind.values:
        raise DomainError(_("Choose the kind of spontaneous gathering."), field="gathering_kind")
    if scope_kind != ScopeKind.GATHERING_KIND:
        gathering_kind = ""
    place = _territory(scope_kind=scope_kind, venue=venue, application=application, territory=territory)
    _check_create(
        actor,
        owner_kind=owner_kind,
        owner=owner,
        scope_kind=scope_kind,
        venue=venue,
        application=application,
        territory=place,
    )
    if venue is not None and not venue.is_active:
        raise DomainError(_("%(name)s is not on the active register.") % {"name": venue.name}, field="venue")
    interval = _interval(drill_interval_months)
    if interval is None and scope_kind != ScopeKind.EVENT:
        interval = default_drill_interval(kind=kind, scope_kind=scope_kind)
    plan = EmergencyPlan(
        title=title,
        kind=kind,
        owner_kind=owner_kind,
        **owner_fields,
        scope_kind=scope_kind,
        venue=venue if scope_kind == ScopeKind.VENUE else None,
        application_id=application.pk if scope_kind == ScopeKind.EVENT else None,
        gathering_kind=gathering_kind,
        jurisdiction=place,
        jurisdiction_path=place.path,
        summary=_text(summary, field="summary"),
        evacuation_target_minutes=_minutes(evacuation_target_minutes, field="evacuation_target_minutes"),
        review_due=review_due,
        drill_interval_months=interval,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    measure_rows = clean_measures(measures)
    contact_rows = clean_contacts(contacts)
    checked = check_upload(file, kind="plan", field="file") if file is not None else None
    with transaction.atomic():
        if (
            scope_kind == ScopeKind.EVENT
            and EmergencyPlan.objects.filter(application_id=plan.application_id, is_active=True).exists()
        ):
            raise DomainError(
                _("This event already has a plan in force: add a new version to it instead."), field="application"
            )
        try:
            with transaction.atomic():
                plan.save(force_insert=True)
        except IntegrityError as exc:  # a concurrent creation of the same event's plan
            raise DomainError(
                _("This event already has a plan in force: add a new version to it instead."), field="application"
            ) from exc
        _replace_rows(plan, measure_rows, contact_rows)
        log_action(
            actor=actor,
            subject=plan,
            verb="created",
            to_state=plan.kind,
            data={"scope": plan.scope_kind, "owner": str(plan.owner), "territory": place.code},
        )
        if checked is not None:
            _add_version(plan, checked=checked, actor=actor, summary=summary_of_changes or _("First version."))
        tasks_evaluate(subject=plan, event="created", actor=actor)
    return plan


def _replace_rows(plan: EmergencyPlan, measures: list[PlanMeasure] | None, contacts: list[PlanContact] | None):
    if measures is not None:
        plan.measures.all().delete()
        for row in measures:
            row.plan = plan
        PlanMeasure.objects.bulk_create(measures)
    if contacts is not None:
        plan.contacts.all().delete()
        for row in contacts:
            row.plan = plan
        PlanContact.objects.bulk_create(contacts)


def _locked(plan: EmergencyPlan) -> EmergencyPlan:
    return (
        EmergencyPlan.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "owner_department", "owner_jurisdiction", "owner_organisation", "venue")
        .get(pk=plan.pk)
    )


def _display(value) -> str:
    return "" if value is None else str(value)


def plan_update(
    *,
    plan: EmergencyPlan,
    actor,
    data: Mapping[str, Any],
    measures: Sequence[Mapping[str, Any]] | None = None,
    contacts: Sequence[Mapping[str, Any]] | None = None,
    reason: str = "",
) -> EmergencyPlan:
    """Change some of ``PLAN_FIELDS``, and replace the measures and/or contacts when given. The owner and the
    scope do not change (a plan for another venue is another plan)."""
    unknown = set(data) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"plan_update() got fields it does not set: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for field, value in data.items():
        if field == "title":
            cleaned[field] = _text(value, field="title", required=True, limit=TITLE_MAX)
        elif field == "kind":
            if value not in PlanKind.values:
                raise DomainError(_("Choose the kind of plan."), field="kind")
            cleaned[field] = value
        elif field == "summary":
            cleaned[field] = _text(value, field="summary")
        elif field == "evacuation_target_minutes":
            cleaned[field] = _minutes(value, field=field)
        elif field == "drill_interval_months":
            cleaned[field] = _interval(value)
        else:
            cleaned[field] = value
    measure_rows = clean_measures(measures) if measures is not None else None
    contact_rows = clean_contacts(contacts) if contacts is not None else None
    with transaction.atomic():
        # The lock makes two editors apply one after the other, each against the other's result.
        locked = _locked(plan)
        check_manage_plan(actor_scope(actor), locked)
        if not locked.is_active:
            raise DomainError(_("This plan has been withdrawn and can no longer be changed."), code="invalid_state")
        if locked.scope_kind != "event" and cleaned.get("drill_interval_months", 1) is None:
            cleaned["drill_interval_months"] = default_drill_interval(
                kind=cleaned.get("kind", locked.kind), scope_kind=locked.scope_kind
            )
        changes = {}
        for field, value in cleaned.items():
            old = getattr(locked, field)
            if old != value:
                changes[field] = [_display(old), _display(value)]
                setattr(locked, field, value)
        if measure_rows is not None:
            changes["measures"] = [str(locked.measures.count()), str(len(measure_rows))]
        if contact_rows is not None:
            changes["contacts"] = [str(locked.contacts.count()), str(len(contact_rows))]
        if not changes:
            return locked
        locked.save(update_fields=[f for f in changes if f in PLAN_FIELDS] + ["updated_at"])
        _replace_rows(locked, measure_rows, contact_rows)
        log_action(actor=actor, subject=locked, verb="updated", reason=reason, data={"changes": changes})
        if "kind" in changes:
            tasks_evaluate(subject=locked, event="updated", actor=actor)
    return locked


def plan_withdraw(*, plan: EmergencyPlan, actor, reason: str) -> EmergencyPlan:
    """Take a plan out of force (废止): its outstanding drill duties are cancelled; its history stays."""
    reason = _text(reason, field="reason", required=True)
    with transaction.atomic():
        locked = _locked(plan)
        check_manage_plan(actor_scope(actor), locked)
        if not locked.is_active:
            raise DomainError(_("This plan has already been withdrawn."), code="invalid_state")
        locked.is_active = False
        locked.save(update_fields=["is_active", "updated_at"])
        log_action(
            actor=actor, subject=locked, verb="plan_withdrawn", from_state="active", to_state="withdrawn", reason=reason
        )
        tasks_evaluate(subject=locked, event="updated", actor=actor)
    return locked


# --- versions --------------------------------------------------------------------------------------------


def _add_version(
    plan: EmergencyPlan,
    *,
    checked: CheckedUpload,
    actor,
    summary: str,
    source: str = VersionSource.UPLOAD,
    source_material_id: int | None = None,
) -> PlanVersion:
    """Inside the caller's transaction, with ``plan`` locked (or just created)."""
    number = plan.current_version + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        sha256=checked.sha256,
        summary_of_changes=summary,
        source=source,
        source_material_id=source_material_id,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    # A file written here stays on disk if the transaction later rolls back; it is then unreferenced and never
    # served (downloads go through the version row).
    version.store(checked)
    version.save(force_insert=True)
    plan.current_version = number
    plan.save(update_fields=["current_version", "updated_at"])
    log_action(
        actor=actor,
        subject=plan,
        verb="version_added",
        from_state=str(number - 1) if number > 1 else "",
        to_state=str(number),
        reason=summary,
        data={"file": checked.name, "sha256": checked.sha256, "source": source},
    )
    return version


def plan_version_add(*, plan: EmergencyPlan, actor, file, summary_of_changes: str) -> PlanVersion:
    """Upload a new version of the plan's document, with a summary of what changed (required from the second
    version on: a revision after a drill says what the drill taught)."""
    checked = check_upload(file, kind="plan", field="file")
    summary = _text(summary_of_changes, field="summary_of_changes")
    with transaction.atomic():
        # The lock numbers versions one after the other: two uploads at once get 2 and 3, never 2 twice.
        locked = _locked(plan)
        check_manage_plan(actor_scope(actor), locked)
        if not locked.is_active:
            raise DomainError(_("This plan has been withdrawn and can no longer be changed."), code="invalid_state")
        if locked.current_version and not summary:
            raise DomainError(_("Summarise what changed in this version."), field="summary_of_changes")
        latest = locked.versions.order_by("-number").first()
        if latest is not None and latest.sha256 == checked.sha256:
            raise DomainError(_("This file is the same as the current version."), field="file")
        version = _add_version(locked, checked=checked, actor=actor, summary=summary or _("First version."))
    plan.current_version = locked.current_version
    return version


# --- sharing ---------------------------------------------------------------------------------------------


def plan_share(*, plan: EmergencyPlan, department: Department, actor, reason: str = "") -> None:
    """Open the plan (and its drills) to a department outside its territory, e.g. a fire brigade that joins the
    drills of a venue in the next district."""
    with transaction.atomic():
        locked = _locked(plan)
        check_manage_plan(actor_scope(actor), locked)
        grant_to_department(obj=locked, codename=VIEW_PERMISSION, department=department, actor=actor, reason=reason)


def plan_unshare(*, plan: EmergencyPlan, department: Department, actor, reason: str = "") -> None:
    with transaction.atomic():
        locked = _locked(plan)
        check_manage_plan(actor_scope(actor), locked)
        revoke_from_department(obj=locked, codename=VIEW_PERMISSION, department=department, actor=actor, reason=reason)


# --- from a permit application ---------------------------------------------------------------------------


def plan_import_from_application(*, application, actor) -> EmergencyPlan:
    """Make the event's plan from the emergency plan uploaded with its permit application (material of kind
    "emergency_plan"): a new plan (owner: the organizer; scope: the event) with that file as version 1, or — when
    the event has a plan already — a new version of it if the file changed. Idempotent."""
    material = permits.emergency_plan_material(application)
    if material is None or not material.file:
        raise DomainError(_("The application has no uploaded emergency plan."), field="application")
    plan = EmergencyPlan.objects.filter(application_id=application.pk, is_active=True).first()
    with material.file.open("rb") as handle:
        upload = File(handle, name=material.file.name.rsplit("/", 1)[-1])
        checked = check_upload(upload, kind="plan", field="file")
        with transaction.atomic():
            if plan is None:
                organisation = application.organisation
                plan = plan_create(
                    actor=actor,
                    title=_("Emergency plan of %(event)s") % {"event": permits.application_label(application)},
                    kind=PlanKind.SPECIAL,
                    owner_kind=OwnerKind.ORGANIZER,
                    owner=organisation,
                    scope_kind=ScopeKind.EVENT,
                    application=application,
                )
                locked = _locked(plan)
            else:
                locked = _locked(plan)
                if actor is not None and not _licenses(get_scope(actor), application):
                    check_manage_plan(actor_scope(actor), locked)
                latest = locked.versions.order_by("-number").first()
                if latest is not None and latest.sha256 == checked.sha256:
                    return locked
            _add_version(
                locked,
                checked=checked,
                actor=actor,
                summary=_("Taken from the emergency plan uploaded with the permit application."),
                source=VersionSource.PERMIT_MATERIAL,
                source_material_id=material.pk,
            )
            log_action(
                actor=actor,
                subject=locked,
                verb="imported",
                to_state=str(locked.current_version),
                data={"application": application.pk, "material": material.pk},
            )
    return locked
