"""Writes to drills: plan (schedule), change and cancel a planned drill; record a drill held (with photos and
after-action items), which settles the drill-due duties; raise and close after-action items (the revision loop
演练—评估—修订); and the duties of governments to drill, evaluated for every government."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import CheckedUpload, check_uploads
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from drills import permits
from drills.access import can_close_item, check_manage_plan
from drills.choices import DrillForm, DrillStatus, ItemStatus, OwnerKind, ScopeKind
from drills.duties import (
    AFTER_ACTION_ITEM,
    GOVERNMENT_DRILL,
    GOVERNMENT_LEVELS,
    ON_SITE_PLAN_DRILL,
    PRE_EVENT_DRILL,
    VENUE_DRILL,
)
from drills.models import AfterActionItem, Drill, DrillPhoto, EmergencyPlan, PlanVersion
from drills.services.plans import _locked as _locked_plan
from drills.services.plans import _minutes, _text, plan_version_add
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from duties.services import tasks_evaluate, tasks_settle
from duties.subjects import registration_for

MAX_ITEMS = 30
# The photos of one drill: enough to show each phase of it.
PHOTO_MAX_COUNT = 12
# How far back a drill may be recorded: the register learns of the last drill a venue held before it was added.
RECORD_BACK_YEARS = 5


@dataclass(frozen=True)
class ItemSpec:
    """An after-action item to raise: what must be done, by whom (a Department, Organisation or township
    Jurisdiction), by when, and whether the plan must be revised for it."""

    description: str
    owner: Department | Organisation | Jurisdiction
    due_date: dt.date
    requires_plan_revision: bool = False


def _system(actor):
    return actor if getattr(actor, "pk", None) else None


def _locked_drill(drill: Drill) -> Drill:
    return Drill.objects.select_for_update(of=("self",)).select_related("plan").get(pk=drill.pk)


def _check_form(form: str) -> str:
    if form not in DrillForm.values:
        raise DomainError(_("Choose the form of the drill."), field="form")
    return form


def _count(value, *, field: str, minimum: int = 0) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Enter a whole number."), field=field) from exc
    if number < minimum or number > 1_000_000:
        raise DomainError(_("Enter a number from %(min)d up.") % {"min": minimum}, field=field)
    return number


# --- planning --------------------------------------------------------------------------------------------


def _participants(drill: Drill, departments, units) -> None:
    if departments is not None:
        drill.departments.set(list(departments))
    if units is not None:
        drill.units.set(list(units))


def drill_schedule(
    *,
    plan: EmergencyPlan,
    actor,
    scheduled_for: dt.datetime,
    scenario: str,
    place: str = "",
    form: str = DrillForm.FUNCTIONAL,
    departments: Iterable[Department] = (),
    units: Iterable[Organisation] = (),
    other_units: str = "",
    public_participation: bool = False,
    public_participants=None,
    now: dt.datetime | None = None,
) -> Drill:
    """Put a drill of ``plan`` on the calendar (演练计划)."""
    now = now or timezone.now()
    scenario = _text(scenario, field="scenario", required=True)
    if scheduled_for is None:
        raise DomainError(_("Give the date and time of the drill."), field="scheduled_for")
    if timezone.is_naive(scheduled_for):
        scheduled_for = timezone.make_aware(scheduled_for)
    if timezone.localdate(scheduled_for) < timezone.localdate(now):
        raise DomainError(
            _("A planned drill cannot be in the past: record a drill already held instead."), field="scheduled_for"
        )
    public_participants = _count(public_participants, field="public_participants")
    if public_participants and not public_participation:
        public_participation = True
    with transaction.atomic():
        locked = _locked_plan(plan)
        check_manage_plan(actor_scope(actor), locked)
        if not locked.is_active:
            raise DomainError(_("This plan has been withdrawn and can no longer be changed."), code="invalid_state")
        drill = Drill.objects.create(
            plan=locked,
            status=DrillStatus.PLANNED,
            form=_check_form(form),
            scenario=scenario,
            place=_text(place, field="place", limit=200),
            scheduled_for=scheduled_for,
            on_date=timezone.localdate(scheduled_for),
            other_units=_text(other_units, field="other_units", limit=255),
            public_participation=bool(public_participation),
            public_participants=public_participants,
            jurisdiction_path=locked.jurisdiction_path,
            created_by=_system(actor),
        )
        _participants(drill, departments, units)
        log_action(
            actor=actor,
            subject=drill,
            verb="scheduled",
            to_state=drill.status,
            data={"plan": locked.pk, "on": drill.on_date.isoformat()},
        )
    return drill


DRILL_PLAN_FIELDS = (
    "scheduled_for",
    "scenario",
    "place",
    "form",
    "other_units",
    "public_participation",
    "public_participants",
)


def drill_update(
    *,
    drill: Drill,
    actor,
    data: Mapping[str, Any],
    departments: Iterable[Department] | None = None,
    units: Iterable[Organisation] | None = None,
    now: dt.datetime | None = None,
) -> Drill:
    """Change a planned drill (reschedule, change the scenario or who takes part)."""
    unknown = set(data) - set(DRILL_PLAN_FIELDS)
    if unknown:
        raise TypeError(f"drill_update() got fields it does not set: {sorted(unknown)}")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_drill(drill)
        check_manage_plan(actor_scope(actor), locked.plan)
        if not locked.can_change_plan():
            raise DomainError(
                _("This drill is %(status)s and can no longer be changed.") % {"status": locked.get_status_display()},
                code="invalid_state",
            )
        changes = {}
        for field, value in data.items():
            if field == "scenario":
                value = _text(value, field="scenario", required=True)
            elif field in ("place", "other_units"):
                value = _text(value, field=field, limit=255)
            elif field == "form":
                value = _check_form(value)
            elif field == "public_participants":
                value = _count(value, field=field)
            elif field == "scheduled_for":
                if value is None:
                    raise DomainError(_("Give the date and time of the drill."), field="scheduled_for")
                if timezone.is_naive(value):
                    value = timezone.make_aware(value)
                if timezone.localdate(value) < timezone.localdate(now):
                    raise DomainError(_("A planned drill cannot be in the past."), field="scheduled_for")
            old = getattr(locked, field)
            if old != value:
                changes[field] = [str(old or ""), str(value or "")]
                setattr(locked, field, value)
        if locked.public_participants and not locked.public_participation:
            locked.public_participation = True
            changes.setdefault("public_participation", ["False", "True"])
        if "scheduled_for" in changes:
            locked.on_date = timezone.localdate(locked.scheduled_for)
        if changes:
            locked.save(update_fields=[*changes, "on_date", "updated_at"])
        if departments is not None or units is not None:
            _participants(locked, departments, units)
            changes["participants"] = ["", ""]
        if changes:
            log_action(actor=actor, subject=locked, verb="rescheduled", data={"changes": changes})
    return locked


def drill_cancel(*, drill: Drill, actor, reason: str) -> Drill:
    reason = _text(reason, field="reason", required=True)
    with transaction.atomic():
        locked = _locked_drill(drill)
        check_manage_plan(actor_scope(actor), locked.plan)
        if not locked.can_cancel():
            raise DomainError(
                _("This drill is %(status)s and cannot be cancelled.") % {"status": locked.get_status_display()},
                code="invalid_state",
            )
        previous = locked.status
        locked.status = DrillStatus.CANCELLED
        locked.cancel_reason = reason
        locked.save(update_fields=["status", "cancel_reason", "updated_at"])
        log_action(
            actor=actor, subject=locked, verb="cancelled", from_state=previous, to_state=locked.status, reason=reason
        )
    return locked


# --- recording -------------------------------------------------------------------------------------------


def _check_items(items: Sequence[ItemSpec], *, today: dt.date) -> list[ItemSpec]:
    if len(items) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d after-action items per drill.") % {"n": MAX_ITEMS}, field="items")
    for i, item in enumerate(items):
        if not (item.description or "").strip():
            raise DomainError(_("Item %(n)d: say what must be done.") % {"n": i + 1}, field="items")
        if not isinstance(item.owner, Department | Organisation | Jurisdiction):
            raise DomainError(_("Item %(n)d: choose who must do it.") % {"n": i + 1}, field="items")
        if isinstance(item.owner, Jurisdiction) and item.owner.level not in GOVERNMENT_LEVELS:
            raise DomainError(
                _("Item %(n)d: a territory holding an item is a township, district or city.") % {"n": i + 1},
                field="items",
            )
        if item.due_date is None or item.due_date < today:
            raise DomainError(_("Item %(n)d: the due date cannot be in the past.") % {"n": i + 1}, field="items")
    return list(items)


def _check_photos(photos: Sequence[Any], *, existing: int = 0) -> list[CheckedUpload]:
    if existing + len(photos) > PHOTO_MAX_COUNT:
        raise DomainError(_("At most %(n)d photos per drill.") % {"n": PHOTO_MAX_COUNT}, field="photos")
    return check_uploads(photos, kind="photo", field="photos")


def _save_photos(drill: Drill, photos: Sequence[CheckedUpload], *, actor) -> None:
    for photo in photos:
        row = DrillPhoto(drill=drill, uploaded_by=_system(actor), uploaded_at=timezone.now())
        row.image.save(photo.name, photo.upload, save=False)
        row.save(force_insert=True)


def _raise_item(drill: Drill, spec: ItemSpec, *, actor) -> AfterActionItem:
    owner = spec.owner
    item = AfterActionItem.objects.create(
        drill=drill,
        plan=drill.plan,
        description=spec.description.strip()[:5000],
        owner_department=owner if isinstance(owner, Department) else None,
        owner_organisation=owner if isinstance(owner, Organisation) else None,
        owner_jurisdiction=owner if isinstance(owner, Jurisdiction) else None,
        due_date=spec.due_date,
        requires_plan_revision=spec.requires_plan_revision,
        baseline_version=drill.plan.current_version,
        jurisdiction_path=drill.plan.jurisdiction_path,
    )
    log_action(
        actor=actor,
        subject=item,
        verb="created",
        to_state=item.status,
        data={"drill": drill.pk, "owner": str(owner), "due": spec.due_date.isoformat()},
    )
    # The item's task, held by its owner (rule drills.after_action_item, party "assigned").
    tasks_evaluate(subject=item, event="created", actor=actor)
    return item


def government_of(plan: EmergencyPlan) -> Jurisdiction | None:
    """The government (city, district, township/street) whose duty to drill a drill of ``plan`` fulfils: a plan
    of a whole jurisdiction, a township's own plan, or a plan of a township government or emergency department."""
    from crowdsafe.org.choices import DepartmentKind

    if plan.scope_kind == ScopeKind.JURISDICTION and plan.jurisdiction.level in GOVERNMENT_LEVELS:
        return plan.jurisdiction
    if plan.owner_kind == OwnerKind.TOWNSHIP:
        return plan.owner_jurisdiction
    department = plan.owner_department
    if (
        department is not None
        and department.kind in (DepartmentKind.TOWNSHIP_GOVERNMENT, DepartmentKind.EMERGENCY)
        and department.jurisdiction.level in GOVERNMENT_LEVELS
    ):
        return department.jurisdiction
    return None


def _drill_duties(plan: EmergencyPlan, held_on: dt.date) -> list[tuple[Any, str]]:
    """The subjects whose drill-due duty a drill of ``plan`` held on ``held_on`` fulfils, with the rule key."""
    from drills.choices import PlanKind

    duties: list[tuple[Any, str]] = []
    if plan.kind == PlanKind.ON_SITE:
        duties.append((plan, ON_SITE_PLAN_DRILL))
    if plan.scope_kind == ScopeKind.VENUE and plan.venue_id:
        duties.append((plan.venue, VENUE_DRILL))
    if plan.scope_kind == ScopeKind.EVENT:
        application = permits.get_application(plan.application_id)
        if application is not None:
            first = permits.first_session_date(application)
            # "至少进行1次检验性演练" before the event: a drill after the first session does not count.
            if first is None or held_on <= first:
                duties.append((application, PRE_EVENT_DRILL))
    government = government_of(plan)
    if government is not None:
        duties.append((government, GOVERNMENT_DRILL))
    return duties


def _settle_drill_duties(plan: EmergencyPlan, drill: Drill, *, actor) -> list[Task]:
    """Close the drill-due tasks this drill fulfils, completed on the drill's date, so that the engine makes the
    next one due the rule's interval after the drill (``duties.services.tasks._create_successor``)."""
    closed: list[Task] = []
    note = _("Drill held on %(date)s: %(scenario)s") % {
        "date": drill.held_on.isoformat(),
        "scenario": drill.scenario[:200],
    }
    for subject, key in _drill_duties(plan, drill.held_on):
        if key == GOVERNMENT_DRILL:
            # A government's first duty is made by the daily sync; make it now if the sync has not run yet.
            tasks_evaluate(subject=subject, event="created", actor=actor)
        outstanding = Task.objects.filter(
            subject_type=registration_for(subject).name,
            subject_id=subject.pk,
            rule__key=key,
            status__in=OUTSTANDING_VALUES,
        )
        # A drill older than the one that completed the previous occurrence does not restart the clock: the
        # next drill stays due after the newer one.
        if any(task.previous_id is not None and drill.held_on < task.anchor_date for task in outstanding):
            continue
        closed += tasks_settle(subject=subject, keys=[key], actor=actor, note=note, completed_on=drill.held_on)
    return closed


def drill_record(
    *,
    actor,
    held_on: dt.date,
    narrative: str,
    plan: EmergencyPlan | None = None,
    drill: Drill | None = None,
    scenario: str | None = None,
    form: str | None = None,
    place: str | None = None,
    duration_minutes=None,
    participants_count=None,
    participants_note: str = "",
    departments: Iterable[Department] | None = None,
    units: Iterable[Organisation] | None = None,
    other_units: str | None = None,
    public_participation: bool | None = None,
    public_participants=None,
    evacuation_minutes=None,
    evacuated_people=None,
    problems: str = "",
    items: Sequence[ItemSpec] = (),
    photos: Sequence[Any] = (),
    today: dt.date | None = None,
) -> Drill:
    """Record a drill held: a planned ``drill``, or — given ``plan`` — one held without being planned.

    Stores what happened, who took part, how long it took and the evacuation time measured against the plan's
    target; saves the photos; raises the after-action items (each becomes a task of its holder); and settles the
    drill-due duties the drill fulfils (the venue's, the on-site plan's, the event's, the government's), completed
    on ``held_on`` — so the next drill falls due the rule's interval after this one."""
    today = today or timezone.localdate()
    if (plan is None) == (drill is None):
        raise TypeError("drill_record() takes a planned drill or a plan, not both")
    if held_on is None:
        raise DomainError(_("Give the date the drill was held."), field="held_on")
    if held_on > today:
        raise DomainError(_("A drill cannot be recorded before it is held."), field="held_on")
    if held_on.year < today.year - RECORD_BACK_YEARS:
        raise DomainError(_("This date is too long ago."), field="held_on")
    narrative = _text(narrative, field="narrative", required=True)
    duration = _count(duration_minutes, field="duration_minutes", minimum=1)
    if duration is not None and duration > 1440:
        raise DomainError(_("Enter at most 1440 minutes."), field="duration_minutes")
    measured = _minutes(evacuation_minutes, field="evacuation_minutes")
    items = _check_items(items, today=today)
    with transaction.atomic():
        if drill is not None:
            # The lock records a planned drill once: a second submission finds it held and is refused.
            drill = _locked_drill(drill)
            plan_locked = _locked_plan(drill.plan)
            check_manage_plan(actor_scope(actor), plan_locked)
            if not drill.can_record():
                raise DomainError(
                    _("This drill is %(status)s and cannot be recorded again.")
                    % {"status": drill.get_status_display()},
                    code="invalid_state",
                )
        else:
            plan_locked = _locked_plan(plan)
            check_manage_plan(actor_scope(actor), plan_locked)
            scenario_text = _text(scenario, field="scenario", required=True)
            drill = Drill(
                plan=plan_locked,
                scenario=scenario_text,
                on_date=held_on,
                jurisdiction_path=plan_locked.jurisdiction_path,
                created_by=_system(actor),
            )
        if not plan_locked.is_active:
            raise DomainError(_("This plan has been withdrawn and can no longer be changed."), code="invalid_state")
        photos = _check_photos(photos, existing=drill.photos.count() if drill.pk else 0)
        if scenario is not None and drill.pk:
            drill.scenario = _text(scenario, field="scenario", required=True)
        if form is not None:
            drill.form = _check_form(form)
        if place is not None:
            drill.place = _text(place, field="place", limit=200)
        if other_units is not None:
            drill.other_units = _text(other_units, field="other_units", limit=255)
        if public_participation is not None:
            drill.public_participation = bool(public_participation)
        if public_participants not in (None, ""):
            drill.public_participants = _count(public_participants, field="public_participants")
            drill.public_participation = drill.public_participation or bool(drill.public_participants)
        previous = drill.status if drill.pk else ""
        drill.status = DrillStatus.HELD
        drill.held_on = held_on
        drill.on_date = held_on
        drill.duration_minutes = duration
        drill.narrative = narrative
        drill.participants_count = _count(participants_count, field="participants_count")
        drill.participants_note = _text(participants_note, field="participants_note")
        drill.evacuation_minutes = measured
        drill.evacuation_target_minutes = plan_locked.evacuation_target_minutes
        drill.evacuated_people = _count(evacuated_people, field="evacuated_people")
        drill.problems = _text(problems, field="problems")
        drill.plan_version = plan_locked.current_version or None
        drill.recorded_by = _system(actor)
        drill.recorded_at = timezone.now()
        drill.save()
        _participants(drill, departments, units)
        _save_photos(drill, photos, actor=actor)
        raised = [_raise_item(drill, spec, actor=actor) for spec in items]
        if plan_locked.last_drilled_on is None or held_on > plan_locked.last_drilled_on:
            plan_locked.last_drilled_on = held_on
            plan_locked.save(update_fields=["last_drilled_on", "updated_at"])
        settled = _settle_drill_duties(plan_locked, drill, actor=actor)
        log_action(
            actor=actor,
            subject=drill,
            verb="recorded",
            from_state=previous,
            to_state=drill.status,
            data={
                "held_on": held_on.isoformat(),
                "evacuation_minutes": str(measured) if measured is not None else "",
                "target_minutes": str(drill.evacuation_target_minutes or ""),
                "items": [item.pk for item in raised],
                "settled_tasks": [task.pk for task in settled],
            },
        )
        log_action(
            actor=actor,
            subject=plan_locked,
            verb="drill_recorded",
            to_state=held_on.isoformat(),
            data={"drill": drill.pk, "items": len(raised)},
        )
    return drill


def drill_photos_add(*, drill: Drill, actor, photos: Sequence[Any]) -> list[DrillPhoto]:
    """Add photos to a drill (during planning, e.g. of the site, or after it was held)."""
    if not photos:
        raise DomainError(_("Choose at least one photo."), field="photos")
    with transaction.atomic():
        locked = _locked_drill(drill)
        check_manage_plan(actor_scope(actor), locked.plan)
        photos = _check_photos(photos, existing=locked.photos.count())
        before = set(locked.photos.values_list("pk", flat=True))
        _save_photos(locked, photos, actor=actor)
        added = list(locked.photos.exclude(pk__in=before))
        log_action(actor=actor, subject=locked, verb="photo_added", data={"photos": [p.pk for p in added]})
    return added


# --- after-action items ----------------------------------------------------------------------------------


def item_add(*, drill: Drill, actor, spec: ItemSpec, today: dt.date | None = None) -> AfterActionItem:
    """Raise one more after-action item on a drill held (e.g. from the evaluation meeting after it)."""
    [spec] = _check_items([spec], today=today or timezone.localdate())
    with transaction.atomic():
        locked = _locked_drill(drill)
        check_manage_plan(actor_scope(actor), locked.plan)
        if locked.status != DrillStatus.HELD:
            raise DomainError(_("After-action items are raised on a drill that was held."), code="invalid_state")
        return _raise_item(locked, spec, actor=actor)


def item_close(
    *,
    item: AfterActionItem,
    actor,
    note: str,
    version: PlanVersion | None = None,
    file=None,
    summary_of_changes: str = "",
) -> AfterActionItem:
    """Close an after-action item with what was done (required). An item that requires a revision of the plan
    closes only against a version of the plan newer than the one in force when the item was raised: ``version``,
    or a new one uploaded here (``file`` with ``summary_of_changes``), or else the plan's latest version if it is
    newer. Settles the item's task."""
    note = _text(note, field="note", required=True)
    with transaction.atomic():
        # The lock closes the item once; a second submission waits and then finds it closed.
        locked = AfterActionItem.objects.select_for_update(of=("self",)).select_related("plan", "drill").get(pk=item.pk)
        if not can_close_item(actor_scope(actor), locked):
            raise PermissionDeniedError(_("You may see this item but not close it."))
        if not locked.can_close():
            raise DomainError(_("This item is already closed."), code="invalid_state")
        resolved = None
        if locked.requires_plan_revision:
            if file is not None:
                resolved = plan_version_add(
                    plan=locked.plan, actor=actor, file=file, summary_of_changes=summary_of_changes
                )
            elif version is not None:
                if version.plan_id != locked.plan_id:
                    raise DomainError(_("That version belongs to another plan."), field="version")
                resolved = version
            else:
                resolved = locked.plan.versions.order_by("-number").first()
            if resolved is None or resolved.number <= locked.baseline_version:
                raise DomainError(
                    _(
                        "This item requires a revision of the plan: upload a new version of the plan "
                        "(演练—评估—修订) before closing it."
                    ),
                    field="file",
                    code="revision_required",
                )
        locked.status = ItemStatus.CLOSED
        locked.closing_note = note
        locked.closed_at = timezone.now()
        locked.closed_by = _system(actor)
        locked.resolved_by_version = resolved
        locked.save(update_fields=["status", "closing_note", "closed_at", "closed_by", "resolved_by_version"])
        log_action(
            actor=actor,
            subject=locked,
            verb="item_closed",
            from_state=ItemStatus.OPEN,
            to_state=ItemStatus.CLOSED,
            reason=note,
            data={"version": resolved.number if resolved else None},
        )
        tasks_settle(subject=locked, keys=[AFTER_ACTION_ITEM], actor=actor, note=note)
    return locked


# --- governments' duty to drill --------------------------------------------------------------------------


def government_drill_duties_sync(*, actor=None, limit: int | None = None) -> int:
    """Evaluate the drill rule of governments (cities, districts, townships and streets) for every one that has no
    task of it yet, so that each owes a drill at least every two years. Idempotent (the engine's dedupe key);
    run daily from the beat schedule and by the demo data. Returns how many jurisdictions were evaluated."""
    done = Task.objects.filter(rule__key=GOVERNMENT_DRILL, subject_type="jurisdiction").values("subject_id")
    pending = Jurisdiction.objects.filter(level__in=list(GOVERNMENT_LEVELS)).exclude(pk__in=done).order_by("path")
    if limit is not None:
        pending = pending[:limit]
    count = 0
    for jurisdiction in pending:
        with transaction.atomic():
            tasks_evaluate(subject=jurisdiction, event="created", actor=actor)
        count += 1
    return count


INCIDENT_ITEM_DAYS = 30


def items_from_incident(
    *, incident: Any, plans: Iterable[EmergencyPlan], lessons: Sequence[str], actor, today: dt.date | None = None
) -> list[AfterActionItem]:
    """The review after a real incident (issue 16 point 7): each lesson becomes an after-action item of each plan
    activated in it, held by the plan's owner, requiring a revision of the plan (演练—评估—修订 also after real
    incidents), due in ``INCIDENT_ITEM_DAYS`` days. The caller (the incident's close) has checked the right to
    close; called inside its transaction."""
    texts = [str(text).strip()[:5000] for text in lessons if str(text or "").strip()]
    if len(texts) > MAX_ITEMS:
        raise DomainError(_("At most %(n)d after-action items.") % {"n": MAX_ITEMS}, field="lessons")
    due = (today or timezone.localdate()) + dt.timedelta(days=INCIDENT_ITEM_DAYS)
    made: list[AfterActionItem] = []
    for plan in plans:
        for text in texts:
            item = AfterActionItem.objects.create(
                incident=incident,
                plan=plan,
                description=text,
                owner_department=plan.owner_department,
                owner_organisation=plan.owner_organisation if plan.owner_department is None else None,
                owner_jurisdiction=plan.owner_jurisdiction
                if plan.owner_department is None and plan.owner_organisation is None
                else None,
                due_date=due,
                requires_plan_revision=True,
                baseline_version=plan.current_version,
                jurisdiction_path=plan.jurisdiction_path,
            )
            log_action(
                actor=actor,
                subject=item,
                verb="created",
                to_state=item.status,
                data={"incident": incident.pk, "owner": str(item.owner), "due": due.isoformat()},
            )
            tasks_evaluate(subject=item, event="created", actor=actor)
            made.append(item)
    return made
