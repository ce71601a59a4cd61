"""Every write to gatherings (DESIGN.md section 3: ``<entity>_<verb>(*, ..., actor)``). A package; import from
here: ``from events.services import gathering_report``.

- ``gatherings``: logging (idempotent), changes, the status machine, decisions, merging, and
  ``gathering_set_risk_level`` (the contract with the risk app);
- ``field``: measures and headcounts;
- ``photos``: photos and their limits;
- ``keydates``: key dates, triage thresholds, and the daily scan for expected gatherings;
- ``imports``: spreadsheet imports of a gathering list.
"""

from events.services.field import headcount_record, measure_record, measure_update
from events.services.gatherings import (
    GATHERING_FIELDS,
    gathering_confirm,
    gathering_decide,
    gathering_dismiss,
    gathering_end,
    gathering_merge,
    gathering_report,
    gathering_set_risk_level,
    gathering_start_monitoring,
    gathering_update,
    gathering_verify,
    retriage,
)
from events.services.keydates import (
    expected_gatherings_create,
    key_date_occurrence_delete,
    key_date_occurrence_save,
    key_date_save,
    triage_settings_save,
)
from events.services.photos import MAX_PHOTOS, photo_add

__all__ = [
    "GATHERING_FIELDS",
    "MAX_PHOTOS",
    "expected_gatherings_create",
    "gathering_confirm",
    "gathering_decide",
    "gathering_dismiss",
    "gathering_end",
    "gathering_merge",
    "gathering_report",
    "gathering_set_risk_level",
    "gathering_start_monitoring",
    "gathering_update",
    "gathering_verify",
    "headcount_record",
    "key_date_occurrence_delete",
    "key_date_occurrence_save",
    "key_date_save",
    "measure_record",
    "measure_update",
    "photo_add",
    "retriage",
    "triage_settings_save",
]
