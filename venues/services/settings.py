"""Writes to the capacity settings (one row per zone kind), from the admin."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from venues.models import CapacitySetting
from venues.services.access import display, full_clean

CAPACITY_SETTING_FIELDS = (
    "space_per_person_m2",
    "flow_rate_level",
    "flow_rate_stairs",
    "flow_rate_ramp",
    "egress_minutes",
    "source",
)


def can_edit_capacity_settings(*, actor) -> bool:
    """The city's system administrators (and superusers) set the capacity parameters."""
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope.is_superuser or bool(scope.admin_paths)


def capacity_setting_update(
    *, setting: CapacitySetting, actor, data: Mapping[str, Any], reason: str = ""
) -> CapacitySetting:
    """Change the parameters of one zone kind; every venue's stored capacity is recomputed after commit."""
    unknown = set(data) - set(CAPACITY_SETTING_FIELDS)
    if unknown:
        raise TypeError(f"capacity_setting_update() got fields it does not set: {sorted(unknown)}")
    if not can_edit_capacity_settings(actor=actor):
        raise PermissionDeniedError(_("Only a system administrator may change the capacity settings."))
    values = dict(data)
    for field in ("space_per_person_m2", "egress_minutes"):
        if field in values:
            try:
                values[field] = Decimal(str(values[field]))
            except (InvalidOperation, ValueError) as exc:
                raise DomainError(_("Enter a number."), field=field) from exc
    with transaction.atomic():
        locked = CapacitySetting.objects.select_for_update().get(pk=setting.pk)
        changes = {}
        for field, value in values.items():
            old = getattr(locked, field)
            if old != value:
                changes[field] = [display(old), display(value)]
                setattr(locked, field, value)
        if not changes:
            return locked
        full_clean(locked)
        locked.save(update_fields=[*changes, "updated_at"])
        log_action(actor=actor, subject=locked, verb="updated", reason=reason, data={"changes": changes})
        if set(changes) - {"source"}:
            from venues.tasks import recompute_venue_capacities

            transaction.on_commit(recompute_venue_capacities.delay)
    return locked
