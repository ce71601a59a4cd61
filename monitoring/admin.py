"""Monitoring in the admin: the level bands (edited by the city's administrators through ``band_update``, each
change logged with the figures before and after and the source they come from); zones, sources and alerts are
looked up here and changed only through the app (the API and pages check who may act and log it)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from crowdsafe.common.admin import ReadOnlyAdmin, ServiceErrorsAdmin
from crowdsafe.org.access import get_scope
from monitoring import access
from monitoring.models import Band, MonitoringAlert, Source, Zone
from monitoring.services import band_update


@admin.register(Band)
class BandAdmin(ServiceErrorsAdmin):
    """The bands per measure and zone kind, with the source of their figures (seeded, cited; see
    docs/monitoring-sensors.md). Not added or deleted: every measure needs its bands."""

    list_display = ["measure", "zone_kind", "yellow", "orange", "red", "source", "updated_at"]
    list_filter = ["measure", "zone_kind"]
    fields = ["measure", "zone_kind", "yellow", "orange", "red", "source", "updated_at"]
    readonly_fields = ["measure", "zone_kind", "updated_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and access.can_edit_bands(get_scope(request.user))

    def save_model(self, request: HttpRequest, obj: Band, form: Any, change: bool) -> None:
        band_update(band=obj, actor=request.user, yellow=obj.yellow, orange=obj.orange, red=obj.red, source=obj.source)


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["name", "jurisdiction", "kind", "area_m2", "area_source", "declared_capacity", "exercise"]
    list_filter = ["kind", "exercise", "is_active"]
    search_fields = ["name", "jurisdiction__code", "jurisdiction__name"]


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "jurisdiction", "interval_s", "last_seen_at", "revoked_at", "suspect"]
    list_filter = ["kind", "suspect"]
    search_fields = ["name", "token_prefix"]
    exclude = ["token_hash"]


@admin.register(MonitoringAlert)
class MonitoringAlertAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "level", "state", "raised_at", "exercise"]
    list_filter = ["kind", "level", "state", "exercise"]
