"""Every write to venues and their records (DESIGN.md section 3: ``<entity>_<verb>(*, ..., actor)``).

A package because it outgrew one module; import from here: ``from venues.services import venue_create``.

- ``venues``: venue create / update / deactivate / reactivate, stored capacity, ``VENUE_CHANGED_HOOKS``;
- ``parts``: zones, exits, risk points, temporary structures, special equipment;
- ``settings``: the capacity settings per zone kind;
- ``imports``: spreadsheet imports;
- ``access``: who may change what (``can_manage_venue``, ``can_create_venues``).
"""

from venues.services.access import can_create_venues, can_manage_venue
from venues.services.imports import venue_import_accept_valid_rows, venue_import_run, venue_import_start
from venues.services.parts import (
    exit_create,
    exit_delete,
    exit_update,
    risk_point_create,
    risk_point_delete,
    risk_point_update,
    special_equipment_create,
    special_equipment_delete,
    special_equipment_update,
    temporary_structure_create,
    temporary_structure_delete,
    temporary_structure_update,
    zone_create,
    zone_delete,
    zone_update,
)
from venues.services.settings import can_edit_capacity_settings, capacity_setting_update
from venues.services.venues import (
    VENUE_CHANGED_HOOKS,
    VENUE_CREATED,
    VENUE_FIELDS,
    VENUE_UPDATED,
    refresh_capacity,
    venue_capacity_recompute_all,
    venue_create,
    venue_deactivate,
    venue_reactivate,
    venue_update,
)

__all__ = [
    "VENUE_CHANGED_HOOKS",
    "VENUE_CREATED",
    "VENUE_FIELDS",
    "VENUE_UPDATED",
    "can_create_venues",
    "can_edit_capacity_settings",
    "can_manage_venue",
    "capacity_setting_update",
    "exit_create",
    "exit_delete",
    "exit_update",
    "refresh_capacity",
    "risk_point_create",
    "risk_point_delete",
    "risk_point_update",
    "special_equipment_create",
    "special_equipment_delete",
    "special_equipment_update",
    "temporary_structure_create",
    "temporary_structure_delete",
    "temporary_structure_update",
    "venue_capacity_recompute_all",
    "venue_create",
    "venue_deactivate",
    "venue_import_accept_valid_rows",
    "venue_import_run",
    "venue_import_start",
    "venue_reactivate",
    "venue_update",
    "zone_create",
    "zone_delete",
    "zone_update",
]
