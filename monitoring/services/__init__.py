"""Every write of the monitoring app (docs/contracts/monitoring.md)."""

from monitoring.services.alerts import alert_advance, measure_tick, sources_check_silent
from monitoring.services.bands import band_update
from monitoring.services.ingest import IngestResult, readings_ingest
from monitoring.services.zones import (
    count_record,
    source_create,
    source_for_token,
    source_revoke,
    zone_create,
    zone_update,
)

__all__ = [
    "IngestResult",
    "alert_advance",
    "band_update",
    "count_record",
    "measure_tick",
    "readings_ingest",
    "source_create",
    "source_for_token",
    "source_revoke",
    "sources_check_silent",
    "zone_create",
    "zone_update",
]
