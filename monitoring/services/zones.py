"""Zones and sources: create, change, revoke; the built-in sources of manual counts and gathering headcounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from monitoring import access
from monitoring.choices import AreaSource, SourceKind, ZoneKind
from monitoring.geometry import PolygonError, polygon_area_m2
from monitoring.models import Source, Zone, ZoneState, hash_token, new_source_token
from monitoring.services.ingest import IngestResult, readings_ingest


def _capacities(zone: Zone) -> None:
    """Safe capacity from the venue zone (the capacity calculator), approved capacity from the permit: the
    approved tickets of that zone, else the application's approved number."""
    if zone.venue_zone is not None:
        from venues.capacity import load_parameters, venue_capacity_from_models

        venue = zone.venue_zone.venue
        result = venue_capacity_from_models(venue, load_parameters())
        found = result.zones.get(zone.venue_zone_id) or result.zones.get(zone.venue_zone)
        zone.safe_capacity = (found.safe_capacity if found is not None else None) or venue.computed_capacity
        zone.organisation_id = zone.organisation_id or venue.operator_id
    if zone.application is not None:
        from permits.models import ZonePlan

        plan = ZonePlan.objects.filter(application_id=zone.application.pk, zone_id=zone.venue_zone_id or 0).first()
        approved = plan.approved_tickets if plan is not None and zone.venue_zone_id else None
        zone.approved_capacity = approved or zone.application.approved_capacity
        zone.organisation_id = zone.organisation_id or getattr(zone.application, "organisation_id", None)
    if zone.gathering is not None:
        zone.organisation_id = zone.organisation_id or zone.gathering.organizer_id


def _area(zone: Zone, *, polygon: Any, area_m2: Any) -> None:
    if polygon:
        try:
            zone.area_m2 = polygon_area_m2(polygon)
        except (PolygonError, TypeError, ValueError) as exc:
            raise DomainError(
                _("The polygon is not valid GeoJSON: %(error)s") % {"error": exc}, field="polygon"
            ) from exc
        zone.polygon, zone.area_source = polygon, AreaSource.POLYGON
    elif area_m2 not in (None, ""):
        zone.area_m2, zone.area_source = Decimal(str(area_m2)), AreaSource.TYPED
    elif zone.venue_zone is not None:
        zone.area_m2, zone.area_source = zone.venue_zone.usable_area_m2, AreaSource.VENUE
    if not zone.area_m2 or zone.area_m2 <= 0:
        raise DomainError(_("Give the zone's area or draw its polygon."), field="area_m2")


FIELDS = ("name", "kind", "declared_capacity", "venue_zone", "application", "gathering", "organisation", "is_active")


def zone_create(*, actor: Any, jurisdiction: Any, polygon: Any = None, area_m2: Any = None, **fields: Any) -> Zone:
    """A monitored zone at ``jurisdiction``: its area from the polygon (geodesic) or typed, or the venue zone's."""
    if not access.can_manage_at(actor_scope(actor), jurisdiction.path):
        raise PermissionDeniedError(_("You may not create monitored zones here."))
    if fields.get("kind") not in ZoneKind.values:
        raise DomainError(_("Choose the kind of zone."), field="kind")
    zone = Zone(
        jurisdiction=jurisdiction,
        jurisdiction_path=jurisdiction.path,
        created_by=actor if getattr(actor, "pk", None) else None,
        **{k: v for k, v in fields.items() if k in FIELDS},
    )
    _area(zone, polygon=polygon, area_m2=area_m2)
    with transaction.atomic():
        _capacities(zone)
        zone.save()
        ZoneState.objects.create(zone=zone)
        log_action(
            actor=actor,
            subject=zone,
            verb="zone_created",
            data={"area_m2": str(zone.area_m2), "area_source": zone.area_source},
        )
    return zone


def zone_update(*, zone: Zone, actor: Any, polygon: Any = None, area_m2: Any = None, **fields: Any) -> Zone:
    with transaction.atomic():
        row = Zone.objects.select_for_update().get(pk=zone.pk)
        if not access.can_manage(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may not change this zone."))
        for key, value in fields.items():
            if key in FIELDS:
                setattr(row, key, value)
        if polygon is not None or area_m2 is not None:
            _area(row, polygon=polygon, area_m2=area_m2)
        _capacities(row)
        row.save()
        log_action(actor=actor, subject=row, verb="zone_updated", data={"fields": sorted(fields)})
    return row


def source_create(
    *, actor: Any, name: str, kind: str, jurisdiction: Any, zones: list[Zone], interval_s: int = 60
) -> tuple[Source, str]:
    """A source with its own token (returned once; only its hash is kept), scoped to ``zones``."""
    scope = actor_scope(actor)
    if not access.can_manage_at(scope, jurisdiction.path):
        raise PermissionDeniedError(_("You may not create monitoring sources here."))
    if kind not in SourceKind.values or kind == SourceKind.HEADCOUNT:
        raise DomainError(_("Choose the kind of source."), field="kind")
    if not zones:
        raise DomainError(_("Name at least one zone the source counts."), field="zones")
    for zone in zones:
        if not access.can_manage(scope, zone):
            raise DomainError(_("One of the zones is not yours to manage."), field="zones")
    if not (1 <= int(interval_s) <= 86400):
        raise DomainError(_("The interval is between 1 second and a day."), field="interval_s")
    token = new_source_token()
    with transaction.atomic():
        source = Source.objects.create(
            name=(name or "").strip()[:128] or _("Source"),
            kind=kind,
            jurisdiction=jurisdiction,
            jurisdiction_path=jurisdiction.path,
            interval_s=interval_s,
            token_hash=hash_token(token),
            token_prefix=token[:8],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        source.zones.set(zones)
        log_action(actor=actor, subject=source, verb="source_created", data={"zones": [z.pk for z in zones]})
    return source, token


def source_revoke(*, source: Source, actor: Any) -> Source:
    with transaction.atomic():
        row = Source.objects.select_for_update().get(pk=source.pk)
        if not access.can_manage(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may not revoke this source."))
        if row.revoked_at is None:
            row.revoked_at = timezone.now()
            row.save(update_fields=["revoked_at"])
            log_action(actor=actor, subject=row, verb="source_revoked")
    return row


def source_for_token(token: str) -> Source | None:
    if not token or len(token) > 100:
        return None
    return Source.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True).first()


def builtin_source(zone: Zone, kind: str) -> Source:
    """The zone's own source of manual counts (or of its gathering's headcounts), made on first use."""
    source = Source.objects.filter(is_builtin=True, kind=kind, zones=zone).first()
    if source is None:
        label = _("Manual counts") if kind == SourceKind.MANUAL else _("Gathering headcounts")
        source = Source.objects.create(
            name=f"{label} · {zone.name}"[:128],
            kind=kind,
            jurisdiction=zone.jurisdiction,
            jurisdiction_path=zone.jurisdiction_path,
            interval_s=600,
            is_builtin=True,
        )
        source.zones.add(zone)
    return source


def count_record(*, zone: Zone, count: int, actor: Any, observed_at: dt.datetime | None = None) -> IngestResult:
    """A manual count by a person (steward, grid worker): through the zone's manual source; it corrects the gate
    balance (people inside) to the count."""
    if not access.can_count(actor_scope(actor), zone):
        raise PermissionDeniedError(_("You may not count in this zone."))
    with transaction.atomic():
        source = builtin_source(zone, SourceKind.MANUAL)
        result = readings_ingest(
            source=source,
            rows=[{"zone": zone.pk, "observed_at": observed_at or timezone.now(), "count": count}],
            reset_gate=True,
        )
    if result.rejected:
        raise DomainError(result.rejected[0]["reason"], field="count", code=result.rejected[0]["code"])
    return result


def headcount_feed(update: Any) -> None:
    """A gathering's headcount (events) feeds the gathering's monitored zones."""
    for zone in Zone.objects.filter(gathering_id=update.gathering_id, is_active=True):
        source = builtin_source(zone, SourceKind.HEADCOUNT)
        readings_ingest(
            source=source, rows=[{"zone": zone.pk, "observed_at": update.observed_at, "count": update.count}]
        )
