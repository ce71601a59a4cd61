"""Writes to the parts and records of a venue: zones, exits, risk points, temporary structures and special
equipment. Each locks the venue row, checks that the actor may change the venue, validates, writes, logs on
the venue (so the venue's timeline tells its whole story) and, where capacity depends on it, recomputes the
venue's stored capacity in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_upload
from crowdsafe.errors import DomainError
from venues.choices import EquipmentKind, ExitKind, RiskPointKind, ZoneKind
from venues.models import Exit, RiskPoint, SpecialEquipment, TemporaryStructure, Venue, Zone
from venues.services.access import check_can_manage, display, full_clean
from venues.services.venues import VENUE_UPDATED, _run_hooks, refresh_capacity


def _lock_venue(venue: Venue, actor) -> Venue:
    # Locking the venue serialises all writes to its zones and exits: two people adding an exit each at the
    # same moment would otherwise both recompute the capacity without the other's exit, and the stored figure
    # would miss one of them.
    locked = Venue.objects.select_for_update(of=("self",)).select_related("grid").get(pk=venue.pk)
    check_can_manage(actor=actor, venue=locked)
    return locked


def _check_keys(data: Mapping[str, Any], allowed: Iterable[str], service: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"{service}() got fields it does not set: {sorted(unknown)}")


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainError(_("Enter a number."), field=field) from exc


def _save_unique(obj: models.Model, *, message: str, field: str = "name", **kwargs) -> None:
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:  # a concurrent insert with the same name
        raise DomainError(message, field=field) from exc


def _apply(obj: models.Model, data: Mapping[str, Any]) -> dict[str, list[str]]:
    changes = {}
    for field, value in data.items():
        old = getattr(obj, field)
        if old != value:
            changes[field] = [display(old), display(value)]
            setattr(obj, field, value)
    return changes


# --- zones ----------------------------------------------------------------------------------------------

ZONE_FIELDS = ("name", "kind", "usable_area_m2", "seats")


def _validate_zone(zone: Zone) -> None:
    zone.name = (zone.name or "").strip()
    if not zone.name:
        raise DomainError(_("The name cannot be empty."), field="name")
    if zone.kind not in ZoneKind.values:
        raise DomainError(_("Unknown kind of zone."), field="kind")
    if zone.kind == ZoneKind.SEATED and not zone.seats:
        raise DomainError(_("A seated zone needs its number of seats."), field="seats")
    if zone.kind != ZoneKind.SEATED:
        zone.seats = None
    full_clean(zone, exclude=["venue"])
    if Zone.objects.filter(venue_id=zone.venue_id, name=zone.name).exclude(pk=zone.pk).exists():
        raise DomainError(_("This venue already has a zone named “%(name)s”.") % {"name": zone.name}, field="name")


def zone_create(
    *, venue: Venue, actor, name: str, kind: str, usable_area_m2: Decimal, seats: int | None = None
) -> Zone:
    with transaction.atomic():
        locked = _lock_venue(venue, actor)
        zone = Zone(
            venue=locked,
            name=name,
            kind=kind,
            usable_area_m2=_decimal(usable_area_m2, "usable_area_m2"),
            seats=seats,
        )
        _validate_zone(zone)
        _save_unique(zone, message=_("This venue already has a zone with this name."), force_insert=True)
        log_action(
            actor=actor,
            subject=locked,
            verb="zone_added",
            to_state=zone.name,
            data={"zone": zone.pk, "kind": zone.kind, "usable_area_m2": str(zone.usable_area_m2), "seats": zone.seats},
        )
        refresh_capacity(venue=locked)
    return zone


def zone_update(*, zone: Zone, actor, data: Mapping[str, Any]) -> Zone:
    _check_keys(data, ZONE_FIELDS, "zone_update")
    data = dict(data)
    if "usable_area_m2" in data:
        data["usable_area_m2"] = _decimal(data["usable_area_m2"], "usable_area_m2")
    with transaction.atomic():
        locked = _lock_venue(zone.venue, actor)
        current = Zone.objects.get(pk=zone.pk, venue=locked)
        if data.get("kind", current.kind) != ZoneKind.SEATED:
            data["seats"] = None
        changes = _apply(current, data)
        if not changes:
            return current
        _validate_zone(current)
        _save_unique(current, message=_("This venue already has a zone with this name."))
        log_action(
            actor=actor,
            subject=locked,
            verb="zone_changed",
            to_state=current.name,
            data={"zone": current.pk, "changes": changes},
        )
        refresh_capacity(venue=locked)
    return current


def zone_delete(*, zone: Zone, actor) -> None:
    with transaction.atomic():
        locked = _lock_venue(zone.venue, actor)
        current = Zone.objects.filter(pk=zone.pk, venue=locked).first()
        if current is None:
            return
        log_action(actor=actor, subject=locked, verb="zone_removed", from_state=current.name, data={"zone": current.pk})
        try:
            current.delete()
        except models.ProtectedError as error:
            # A permit application plans tickets or resources for the zone (permits: ZonePlan, ResourcePlan keep
            # their zone, Order 505 Art. 7/18): the zone stays, with the reason.
            kinds = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
            raise DomainError(
                _("Zone “%(zone)s” cannot be removed: permit applications still plan for it (%(what)s).")
                % {"zone": current.name, "what": "、".join(kinds)}
            ) from error
        refresh_capacity(venue=locked)


# --- exits ----------------------------------------------------------------------------------------------

EXIT_FIELDS = ("name", "kind", "clear_width_m", "zones")


def _validate_exit(exit_: Exit) -> None:
    exit_.name = (exit_.name or "").strip()
    if not exit_.name:
        raise DomainError(_("The name cannot be empty."), field="name")
    if exit_.kind not in ExitKind.values:
        raise DomainError(_("Unknown kind of exit."), field="kind")
    if exit_.clear_width_m is None or exit_.clear_width_m <= 0:
        raise DomainError(_("The clear width must be more than 0 m."), field="clear_width_m")
    full_clean(exit_, exclude=["venue", "zones"])
    if Exit.objects.filter(venue_id=exit_.venue_id, name=exit_.name).exclude(pk=exit_.pk).exists():
        raise DomainError(_("This venue already has an exit named “%(name)s”.") % {"name": exit_.name}, field="name")


def _own_zones(venue: Venue, zones: Iterable[Zone | int]) -> list[Zone]:
    ids = sorted({z.pk if isinstance(z, Zone) else int(z) for z in zones})
    found = list(Zone.objects.filter(venue=venue, pk__in=ids))
    if len(found) != len(ids):
        raise DomainError(_("An exit can only serve zones of its own venue."), field="zones")
    return found


def exit_create(
    *,
    venue: Venue,
    actor,
    name: str,
    clear_width_m: Decimal,
    kind: str = ExitKind.LEVEL,
    zones: Iterable[Zone | int] = (),
) -> Exit:
    with transaction.atomic():
        locked = _lock_venue(venue, actor)
        exit_ = Exit(venue=locked, name=name, kind=kind, clear_width_m=_decimal(clear_width_m, "clear_width_m"))
        _validate_exit(exit_)
        served = _own_zones(locked, zones)
        _save_unique(exit_, message=_("This venue already has an exit with this name."), force_insert=True)
        exit_.zones.set(served)
        log_action(
            actor=actor,
            subject=locked,
            verb="exit_added",
            to_state=exit_.name,
            data={
                "exit": exit_.pk,
                "kind": exit_.kind,
                "clear_width_m": str(exit_.clear_width_m),
                "zones": [z.pk for z in served],
            },
        )
        refresh_capacity(venue=locked)
    return exit_


def exit_update(*, exit: Exit, actor, data: Mapping[str, Any]) -> Exit:
    _check_keys(data, EXIT_FIELDS, "exit_update")
    data = dict(data)
    if "clear_width_m" in data:
        data["clear_width_m"] = _decimal(data["clear_width_m"], "clear_width_m")
    zones = data.pop("zones", None)
    with transaction.atomic():
        locked = _lock_venue(exit.venue, actor)
        current = Exit.objects.get(pk=exit.pk, venue=locked)
        changes = _apply(current, data)
        if changes:
            _validate_exit(current)
            _save_unique(current, message=_("This venue already has an exit with this name."))
        if zones is not None:
            served = _own_zones(locked, zones)
            before = sorted(current.zones.values_list("pk", flat=True))
            after = sorted(z.pk for z in served)
            if before != after:
                current.zones.set(served)
                changes["zones"] = [",".join(map(str, before)), ",".join(map(str, after))]
        if not changes:
            return current
        log_action(
            actor=actor,
            subject=locked,
            verb="exit_changed",
            to_state=current.name,
            data={"exit": current.pk, "changes": changes},
        )
        refresh_capacity(venue=locked)
    return current


def exit_delete(*, exit: Exit, actor) -> None:
    with transaction.atomic():
        locked = _lock_venue(exit.venue, actor)
        current = Exit.objects.filter(pk=exit.pk, venue=locked).first()
        if current is None:
            return
        log_action(actor=actor, subject=locked, verb="exit_removed", from_state=current.name, data={"exit": current.pk})
        current.delete()
        refresh_capacity(venue=locked)


# --- risk points ----------------------------------------------------------------------------------------

RISK_POINT_FIELDS = ("kind", "notes", "photo")


def _check_photo(photo) -> None:
    if photo:
        check_upload(photo, kind="photo", field="photo")


def _delete_file_on_commit(file_field) -> None:
    if not file_field:
        return
    storage, name = file_field.storage, file_field.name
    transaction.on_commit(lambda: storage.delete(name))


def risk_point_create(*, venue: Venue, actor, kind: str, notes: str = "", photo=None) -> RiskPoint:
    if kind not in RiskPointKind.values:
        raise DomainError(_("Unknown kind of risk point."), field="kind")
    _check_photo(photo)
    with transaction.atomic():
        locked = _lock_venue(venue, actor)
        point = RiskPoint(venue=locked, kind=kind, notes=(notes or "").strip())
        if photo:
            point.photo = photo
        point.save(force_insert=True)
        log_action(
            actor=actor,
            subject=locked,
            verb="risk_point_added",
            to_state=kind,
            data={"risk_point": point.pk, "photo": bool(point.photo)},
        )
    return point


def risk_point_update(*, risk_point: RiskPoint, actor, data: Mapping[str, Any]) -> RiskPoint:
    """Change kind and notes; ``photo`` replaces the photo with an upload, or removes it when None."""
    _check_keys(data, RISK_POINT_FIELDS, "risk_point_update")
    if "kind" in data and data["kind"] not in RiskPointKind.values:
        raise DomainError(_("Unknown kind of risk point."), field="kind")
    if data.get("photo"):
        _check_photo(data["photo"])
    with transaction.atomic():
        locked = _lock_venue(risk_point.venue, actor)
        current = RiskPoint.objects.get(pk=risk_point.pk, venue=locked)
        changes = _apply(
            current, {k: (v or "").strip() if k == "notes" else v for k, v in data.items() if k != "photo"}
        )
        if "photo" in data:
            old = current.photo
            if data["photo"]:
                _delete_file_on_commit(old)
                current.photo = data["photo"]
                changes["photo"] = [old.name or "", "new"]
            elif old:
                _delete_file_on_commit(old)
                current.photo = None
                changes["photo"] = [old.name, ""]
        if not changes:
            return current
        current.save()
        log_action(
            actor=actor,
            subject=locked,
            verb="risk_point_changed",
            to_state=current.kind,
            data={"risk_point": current.pk, "changes": changes},
        )
    return current


def risk_point_delete(*, risk_point: RiskPoint, actor) -> None:
    with transaction.atomic():
        locked = _lock_venue(risk_point.venue, actor)
        current = RiskPoint.objects.filter(pk=risk_point.pk, venue=locked).first()
        if current is None:
            return
        _delete_file_on_commit(current.photo)
        log_action(
            actor=actor,
            subject=locked,
            verb="risk_point_removed",
            from_state=current.kind,
            data={"risk_point": current.pk},
        )
        current.delete()


# --- temporary structures -------------------------------------------------------------------------------

STRUCTURE_FIELDS = ("name", "erected_on", "accepted_on", "accepted_by", "notes")


def _validate_structure(structure: TemporaryStructure, *, today: datetime.date) -> None:
    structure.name = (structure.name or "").strip()
    structure.accepted_by = (structure.accepted_by or "").strip()
    structure.notes = (structure.notes or "").strip()
    if not structure.name:
        raise DomainError(_("The name cannot be empty."), field="name")
    if structure.erected_on is None:
        raise DomainError(_("Give the date the structure was put up."), field="erected_on")
    if structure.accepted_on is not None:
        if structure.accepted_on < structure.erected_on:
            raise DomainError(_("A structure cannot be accepted before it is put up."), field="accepted_on")
        if structure.accepted_on > today:
            raise DomainError(_("This date is in the future."), field="accepted_on")
        if not structure.accepted_by:
            raise DomainError(_("Say who accepted the structure."), field="accepted_by")
    elif structure.accepted_by:
        raise DomainError(_("Give the date of the acceptance."), field="accepted_on")
    full_clean(structure, exclude=["venue"])


def temporary_structure_create(
    *,
    venue: Venue,
    actor,
    name: str,
    erected_on: datetime.date,
    accepted_on: datetime.date | None = None,
    accepted_by: str = "",
    notes: str = "",
) -> TemporaryStructure:
    with transaction.atomic():
        locked = _lock_venue(venue, actor)
        structure = TemporaryStructure(
            venue=locked,
            name=name,
            erected_on=erected_on,
            accepted_on=accepted_on,
            accepted_by=accepted_by,
            notes=notes,
        )
        _validate_structure(structure, today=timezone.localdate())
        structure.save(force_insert=True)
        log_action(
            actor=actor,
            subject=locked,
            verb="structure_added",
            to_state=structure.name,
            data={"structure": structure.pk, "accepted": structure.is_accepted},
        )
    return structure


def temporary_structure_update(*, structure: TemporaryStructure, actor, data: Mapping[str, Any]) -> TemporaryStructure:
    _check_keys(data, STRUCTURE_FIELDS, "temporary_structure_update")
    with transaction.atomic():
        locked = _lock_venue(structure.venue, actor)
        current = TemporaryStructure.objects.get(pk=structure.pk, venue=locked)
        changes = _apply(current, data)
        if not changes:
            return current
        _validate_structure(current, today=timezone.localdate())
        current.save()
        log_action(
            actor=actor,
            subject=locked,
            verb="structure_changed",
            to_state=current.name,
            data={"structure": current.pk, "changes": changes},
        )
    return current


def temporary_structure_delete(*, structure: TemporaryStructure, actor) -> None:
    with transaction.atomic():
        locked = _lock_venue(structure.venue, actor)
        current = TemporaryStructure.objects.filter(pk=structure.pk, venue=locked).first()
        if current is None:
            return
        log_action(
            actor=actor,
            subject=locked,
            verb="structure_removed",
            from_state=current.name,
            data={"structure": current.pk},
        )
        current.delete()


# --- special equipment ----------------------------------------------------------------------------------

EQUIPMENT_FIELDS = ("kind", "name", "registration_no", "last_inspected_on", "next_inspection_due")


def _validate_equipment(equipment: SpecialEquipment, *, today: datetime.date) -> None:
    equipment.name = (equipment.name or "").strip()
    equipment.registration_no = (equipment.registration_no or "").strip().upper()
    if equipment.kind not in EquipmentKind.values:
        raise DomainError(_("Unknown kind of special equipment."), field="kind")
    if not equipment.name:
        raise DomainError(_("The name cannot be empty."), field="name")
    if not equipment.registration_no:
        raise DomainError(_("Give the registration certificate number."), field="registration_no")
    if equipment.next_inspection_due is None:
        raise DomainError(_("Give the date the next statutory inspection is due."), field="next_inspection_due")
    if equipment.last_inspected_on is not None:
        if equipment.last_inspected_on > today:
            raise DomainError(_("This date is in the future."), field="last_inspected_on")
        if equipment.next_inspection_due <= equipment.last_inspected_on:
            raise DomainError(_("The next inspection must be due after the last one."), field="next_inspection_due")
    full_clean(equipment, exclude=["venue"])
    clash = SpecialEquipment.objects.filter(venue_id=equipment.venue_id, registration_no=equipment.registration_no)
    if clash.exclude(pk=equipment.pk).exists():
        raise DomainError(
            _("This venue already has equipment with registration number %(number)s.")
            % {"number": equipment.registration_no},
            field="registration_no",
        )


def special_equipment_create(
    *,
    venue: Venue,
    actor,
    kind: str,
    name: str,
    registration_no: str,
    next_inspection_due: datetime.date,
    last_inspected_on: datetime.date | None = None,
) -> SpecialEquipment:
    with transaction.atomic():
        locked = _lock_venue(venue, actor)
        equipment = SpecialEquipment(
            venue=locked,
            kind=kind,
            name=name,
            registration_no=registration_no,
            next_inspection_due=next_inspection_due,
            last_inspected_on=last_inspected_on,
        )
        _validate_equipment(equipment, today=timezone.localdate())
        _save_unique(
            equipment,
            message=_("This venue already has equipment with this registration number."),
            field="registration_no",
            force_insert=True,
        )
        log_action(
            actor=actor,
            subject=locked,
            verb="equipment_added",
            to_state=equipment.name,
            data={
                "equipment": equipment.pk,
                "kind": equipment.kind,
                "registration_no": equipment.registration_no,
                "next_inspection_due": equipment.next_inspection_due.isoformat(),
            },
        )
        # The market-regulation duty depends on the venue having special equipment: re-evaluate its rules.
        _run_hooks(venue=locked, event=VENUE_UPDATED, actor=actor)
    return equipment


def special_equipment_update(*, equipment: SpecialEquipment, actor, data: Mapping[str, Any]) -> SpecialEquipment:
    _check_keys(data, EQUIPMENT_FIELDS, "special_equipment_update")
    with transaction.atomic():
        locked = _lock_venue(equipment.venue, actor)
        current = SpecialEquipment.objects.get(pk=equipment.pk, venue=locked)
        changes = _apply(current, data)
        if not changes:
            return current
        _validate_equipment(current, today=timezone.localdate())
        _save_unique(
            current,
            message=_("This venue already has equipment with this registration number."),
            field="registration_no",
        )
        log_action(
            actor=actor,
            subject=locked,
            verb="equipment_changed",
            to_state=current.name,
            data={"equipment": current.pk, "changes": changes},
        )
        _run_hooks(venue=locked, event=VENUE_UPDATED, actor=actor)
    return current


def special_equipment_delete(*, equipment: SpecialEquipment, actor) -> None:
    with transaction.atomic():
        locked = _lock_venue(equipment.venue, actor)
        current = SpecialEquipment.objects.filter(pk=equipment.pk, venue=locked).first()
        if current is None:
            return
        log_action(
            actor=actor,
            subject=locked,
            verb="equipment_removed",
            from_state=current.name,
            data={"equipment": current.pk},
        )
        current.delete()
        _run_hooks(venue=locked, event=VENUE_UPDATED, actor=actor)
