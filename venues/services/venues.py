"""Writes to venues: create, update, deactivate and reactivate, and keeping their computed capacity.

``VENUE_CHANGED_HOOKS`` lets other apps react to a venue being created or changed without this app importing
them (the responsibility engine in ``duties`` puts the venue's duties on their departments this way). Each
hook is called as ``hook(venue=venue, event="created" | "updated", actor=actor)`` inside the transaction that
made the change, after the change and its action-log entry were written: if a hook raises, the change rolls
back with it. A hook that only needs to start background work should use ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, Problems
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.capacity import load_parameters, venue_capacity_from_models
from venues.choices import VENUE_LEVELS, FireInspectionStatus, VenueKind
from venues.models import Venue
from venues.services.access import check_can_manage, check_placement, display

VenueChangedHook = Callable[..., None]
VENUE_CHANGED_HOOKS: list[VenueChangedHook] = []

VENUE_CREATED = "created"
VENUE_UPDATED = "updated"

# Fields a venue service may set; ``venue_update`` refuses any other key.
VENUE_FIELDS = (
    "name",
    "kind",
    "grid",
    "address",
    "latitude",
    "longitude",
    "operator",
    "responsible_person_name",
    "responsible_person_phone",
    "declared_capacity",
    "fire_inspection_status",
    "fire_inspection_date",
    "completion_acceptance_date",
    "completion_acceptance_ref",
    "built_year",
    "design_service_life_years",
    "safety_appraisal_date",
)
_STRIPPED = {"name", "address", "responsible_person_name", "responsible_person_phone", "completion_acceptance_ref"}
COORDINATE_PLACES = Decimal("0.000001")


def _run_hooks(*, venue: Venue, event: str, actor) -> None:
    for hook in list(VENUE_CHANGED_HOOKS):
        hook(venue=venue, event=event, actor=actor)


def _normalise(field: str, value: Any) -> Any:
    if field in _STRIPPED:
        return (value or "").strip()
    if field in {"latitude", "longitude"} and value is not None:
        try:
            return Decimal(str(value)).quantize(COORDINATE_PLACES)
        except ArithmeticError as exc:
            raise DomainError(_("Enter a number."), field=field) from exc
    if field == "fire_inspection_status" and not value:
        return FireInspectionStatus.NOT_INSPECTED
    return value


def _validate(venue: Venue, *, today: datetime.date, check_name: bool = True) -> None:
    """Every problem of the input at once (issue 20 point 3), not the first one per attempt: the register's own
    checks, the model's (lengths, formats) and a name already taken in the grid, in one DomainError."""
    problems = Problems()
    if not venue.name:
        problems.add(_("The name cannot be empty."), field="name")
    if venue.kind not in VenueKind.values:
        problems.add(_("Unknown kind of venue."), field="kind")
    if venue.grid.level not in VENUE_LEVELS:
        problems.add(
            _("%(name)s is a %(level)s: a venue is placed in a grid or a village/community.")
            % {"name": venue.grid.name, "level": venue.grid.get_level_display()},
            field="grid",
        )
    if (venue.latitude is None) != (venue.longitude is None):
        field = "longitude" if venue.longitude is None else "latitude"
        problems.add(_("Give both the latitude and the longitude, or neither."), field=field)
    for field in ("fire_inspection_date", "completion_acceptance_date", "safety_appraisal_date"):
        value = getattr(venue, field)
        if value is not None and value > today:
            problems.add(_("This date is in the future."), field=field)
    if venue.fire_inspection_status != FireInspectionStatus.NOT_INSPECTED and venue.fire_inspection_date is None:
        problems.add(_("Give the date of the fire-safety inspection."), field="fire_inspection_date")
    if venue.fire_inspection_status == FireInspectionStatus.NOT_INSPECTED and venue.fire_inspection_date:
        problems.add(
            _("Choose the outcome of the fire-safety inspection held on that date."), field="fire_inspection_status"
        )
    if venue.built_year is not None and venue.built_year > today.year:
        problems.add(_("The year built is in the future."), field="built_year")
    try:
        venue.full_clean(
            exclude=["grid", "operator", "jurisdiction_path"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        seen = set(problems.items)
        for field, message in DomainError.from_validation_error(exc).problems:
            if (field, message) not in seen and not any(f == field for f, _m in problems.items):
                problems.add(message, field=field)
    if check_name and venue.name and _name_taken(venue):
        problems.add(_name_taken_message(venue), field="name")
    problems.check()


def _name_taken(venue: Venue) -> bool:
    return Venue.objects.filter(grid_id=venue.grid_id, name=venue.name, is_active=True).exclude(pk=venue.pk).exists()


def _name_taken_message(venue: Venue) -> str:
    return _("%(grid)s already has a venue named “%(name)s”.") % {"grid": venue.grid.name, "name": venue.name}


def _check_name_free(venue: Venue) -> None:
    if _name_taken(venue):
        raise DomainError(_name_taken_message(venue), field="name")


def _save(venue: Venue, **kwargs) -> None:
    try:
        with transaction.atomic():
            venue.save(**kwargs)
    except IntegrityError as exc:  # a concurrent insert of the same name in the same grid
        raise DomainError(_name_taken_message(venue), field="name") from exc


def venue_create(
    *,
    actor,
    name: str,
    kind: str,
    grid: Jurisdiction,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    operator: Organisation | None = None,
    responsible_person_name: str = "",
    responsible_person_phone: str = "",
    declared_capacity: int | None = None,
    fire_inspection_status: str = FireInspectionStatus.NOT_INSPECTED,
    fire_inspection_date: datetime.date | None = None,
    completion_acceptance_date: datetime.date | None = None,
    completion_acceptance_ref: str = "",
    built_year: int | None = None,
    design_service_life_years: int | None = None,
    safety_appraisal_date: datetime.date | None = None,
    log_data: Mapping[str, Any] | None = None,
) -> Venue:
    """Register a crowded place in ``grid``. ``log_data`` adds to the action-log entry (e.g. the import job)."""
    values = {
        "name": name,
        "kind": kind,
        "grid": grid,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "operator": operator,
        "responsible_person_name": responsible_person_name,
        "responsible_person_phone": responsible_person_phone,
        "declared_capacity": declared_capacity,
        "fire_inspection_status": fire_inspection_status,
        "fire_inspection_date": fire_inspection_date,
        "completion_acceptance_date": completion_acceptance_date,
        "completion_acceptance_ref": completion_acceptance_ref,
        "built_year": built_year,
        "design_service_life_years": design_service_life_years,
        "safety_appraisal_date": safety_appraisal_date,
    }
    venue = Venue(**{field: _normalise(field, value) for field, value in values.items()})
    venue.jurisdiction_path = grid.path
    check_placement(actor=actor, grid=grid, operator=operator)
    with transaction.atomic():
        _validate(venue, today=timezone.localdate())
        _save(venue, force_insert=True)
        log_action(
            actor=actor,
            subject=venue,
            verb="created",
            data={
                "kind": venue.kind,
                "grid": grid.code,
                "operator": operator.credit_code if operator else "",
                **(log_data or {}),
            },
        )
        _run_hooks(venue=venue, event=VENUE_CREATED, actor=actor)
    return venue


def venue_update(*, venue: Venue, actor, data: Mapping[str, Any], reason: str = "") -> Venue:
    """Change some of ``VENUE_FIELDS``. Nothing changed, nothing written (no log entry, no hooks)."""
    unknown = set(data) - set(VENUE_FIELDS)
    if unknown:
        raise TypeError(f"venue_update() got fields it does not set: {sorted(unknown)}")
    with transaction.atomic():
        # The row lock makes two concurrent edits apply one after the other, each checked against the other's
        # result, so neither silently overwrites the other's fields with stale values.
        locked = Venue.objects.select_for_update(of=("self",)).select_related("grid", "operator").get(pk=venue.pk)
        check_can_manage(actor=actor, venue=locked)
        changes: dict[str, list[str]] = {}
        for field, raw in data.items():
            value = _normalise(field, raw)
            old = getattr(locked, field)
            if old != value:
                changes[field] = [display(old), display(value)]
                setattr(locked, field, value)
        if not changes:
            return locked
        if "grid" in changes or "operator" in changes:
            check_placement(actor=actor, grid=locked.grid, operator=locked.operator)
            locked.jurisdiction_path = locked.grid.path
        _validate(locked, today=timezone.localdate(), check_name="name" in changes or "grid" in changes)
        fields = [*changes, "updated_at"]
        if "grid" in changes:
            fields.append("jurisdiction_path")
        _save(locked, update_fields=fields)
        if "declared_capacity" in changes:
            refresh_capacity(venue=locked)
        log_action(actor=actor, subject=locked, verb="updated", reason=reason, data={"changes": changes})
        _run_hooks(venue=locked, event=VENUE_UPDATED, actor=actor)
    return locked


def _set_active(*, venue: Venue, actor, active: bool, reason: str) -> Venue:
    with transaction.atomic():
        locked = Venue.objects.select_for_update(of=("self",)).select_related("grid").get(pk=venue.pk)
        check_can_manage(actor=actor, venue=locked)
        if locked.is_active == active:
            return locked
        if active:
            _check_name_free(locked)
        elif not reason.strip():
            raise DomainError(_("Say why the venue is being deactivated."), field="reason")
        locked.is_active = active
        _save(locked, update_fields=["is_active", "updated_at"])
        log_action(
            actor=actor,
            subject=locked,
            verb="reactivated" if active else "deactivated",
            from_state="active" if not active else "inactive",
            to_state="active" if active else "inactive",
            reason=reason.strip(),
        )
        _run_hooks(venue=locked, event=VENUE_UPDATED, actor=actor)
    return locked


def venue_deactivate(*, venue: Venue, actor, reason: str) -> Venue:
    """Take a venue off the active register (closed, demolished, entered twice); it stays on record. Hooks
    are told with ``event="updated"`` and see ``is_active=False``."""
    return _set_active(venue=venue, actor=actor, active=False, reason=reason)


def venue_reactivate(*, venue: Venue, actor, reason: str = "") -> Venue:
    return _set_active(venue=venue, actor=actor, active=True, reason=reason)


# --- computed capacity ------------------------------------------------------------------------------------


def _capacity_prefetched(queryset):
    return queryset.prefetch_related(
        "zones",
        "exits__zones",
    )


def refresh_capacity(*, venue: Venue, parameters=None) -> Venue:
    """Recompute the stored safe capacity and warning of one venue from its zones, exits and the capacity
    settings. Called by every service that changes them, inside its transaction."""
    fresh = _capacity_prefetched(Venue.objects.filter(pk=venue.pk)).get()
    result = venue_capacity_from_models(fresh, parameters or load_parameters()).venue
    warning = result.declared_exceeds_computed
    if fresh.computed_capacity != result.safe_capacity or fresh.capacity_warning != warning:
        Venue.objects.filter(pk=venue.pk).update(computed_capacity=result.safe_capacity, capacity_warning=warning)
    venue.computed_capacity = result.safe_capacity
    venue.capacity_warning = warning
    return venue


def venue_capacity_recompute_all(*, chunk_size: int = 500) -> int:
    """Recompute the stored capacity of every venue (after an admin changed the capacity settings). Returns
    how many venues changed. Reads in chunks with their zones and exits prefetched: a few queries per chunk."""
    parameters = load_parameters()
    changed: list[Venue] = []
    count = 0
    queryset = _capacity_prefetched(
        Venue.objects.order_by("pk").only("pk", "declared_capacity", "computed_capacity", "capacity_warning")
    )
    for venue in queryset.iterator(chunk_size=chunk_size):
        result = venue_capacity_from_models(venue, parameters).venue
        warning = result.declared_exceeds_computed
        if venue.computed_capacity != result.safe_capacity or venue.capacity_warning != warning:
            venue.computed_capacity = result.safe_capacity
            venue.capacity_warning = warning
            changed.append(venue)
        if len(changed) >= chunk_size:
            Venue.objects.bulk_update(changed, ["computed_capacity", "capacity_warning"])
            count += len(changed)
            changed = []
    if changed:
        Venue.objects.bulk_update(changed, ["computed_capacity", "capacity_warning"])
        count += len(changed)
    return count


__all__ = [
    "VENUE_CHANGED_HOOKS",
    "VENUE_CREATED",
    "VENUE_FIELDS",
    "VENUE_UPDATED",
    "refresh_capacity",
    "venue_capacity_recompute_all",
    "venue_create",
    "venue_deactivate",
    "venue_reactivate",
    "venue_update",
]
