"""Alert episodes (issue 15 point 4): one per (zone, episode), raised through alerts' ``alert_raise`` (the urgent
path) — or, for an exercise copy of a zone, only through the registered exercise dispatchers — with states
raised → acknowledged → measures under way → eased → closed, each change logged; the silence scan (监测中断);
plan measures ticked and recorded on the gathering."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.common.lookups import any_of
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from monitoring import access, hooks
from monitoring.choices import ALERT_STATE_ORDER, OPEN_ALERT_STATES, AlertKind, AlertState, Level, rank
from monitoring.models import MeasureTick, MonitoringAlert, Source, Zone, ZoneState

RULES = {
    AlertKind.LEVEL: "monitoring.zone_level",
    AlertKind.EARLY_WARNING: "monitoring.early_warning",
    AlertKind.SILENT: "monitoring.silent",
}


def _dispatch(episode: MonitoringAlert, *, level: str) -> None:
    """Tell people: the urgent path for a real zone; only the exercise's dispatchers for an exercise copy."""
    if episode.exercise:
        hooks.dispatch_exercise(episode)
        return
    alert_raise(
        rule_key=RULES[AlertKind(episode.kind)],
        subject=episode,
        level=level,
        jurisdiction=episode.jurisdiction,
        reason=episode.reason,
        actor=None,
    )


def _open(zone: Zone, kind: str) -> MonitoringAlert | None:
    return (
        MonitoringAlert.objects.select_for_update()
        .filter(zone=zone, kind=kind, exercise=zone.exercise, source__isnull=True, state__in=OPEN_ALERT_STATES)
        .first()
    )


def _ease(episode: MonitoringAlert, *, at: dt.datetime, reason: str) -> None:
    previous = episode.state
    episode.state, episode.eased_at = AlertState.EASED, at
    episode.save(update_fields=["state", "eased_at"])
    log_action(
        actor=None,
        subject=episode,
        verb="monitoring_alert_state",
        from_state=previous,
        to_state=episode.state,
        reason=reason,
    )


def _raise(
    *,
    zone: Zone | None,
    source: Source | None,
    kind: str,
    level: str,
    jurisdiction: Any,
    reason: str,
    working: dict[str, Any],
    observed_at: dt.datetime | None,
    exercise: bool,
) -> MonitoringAlert | None:
    episode = MonitoringAlert(
        zone=zone,
        source=source,
        kind=kind,
        level=level,
        jurisdiction=jurisdiction,
        jurisdiction_path=jurisdiction.path,
        exercise=exercise,
        raised_at=timezone.now(),
        observed_at=observed_at,
        reason=reason,
        working=working,
        organisation_id_snapshot=zone.organisation_id if zone is not None else None,
    )
    try:
        # The race: the zone state's row lock serialises batches of one zone, and the silence scan locks the source;
        # should two paths still meet, the partial unique constraint makes the second a no-op.
        with transaction.atomic():
            episode.save(force_insert=True)
    except IntegrityError:
        return None
    log_action(
        actor=None,
        subject=episode,
        verb="monitoring_alert_raised",
        to_state=level,
        reason=reason,
        data={"kind": kind, "observed_at": observed_at.isoformat() if observed_at else None},
    )
    _dispatch(episode, level=level)
    return episode


OpenEpisodes = dict[tuple[int, str], MonitoringAlert]


class OpenEpisode(NamedTuple):
    """What deciding whether a zone's episodes change needs of an open episode (no model object per episode)."""

    pk: int
    level: str


def open_episodes_for(zone_ids: list[int]) -> dict[tuple[int, str], OpenEpisode]:
    """The open level and early-warning episodes of these zones, locked, in one query (the ingest evaluates a
    batch's zones with this instead of two locked queries per zone): {(zone id, kind): (pk, level)}. Plain values:
    a city-wide batch has hundreds of open episodes and needs the objects of the few that change
    (``open_episodes_load``)."""
    rows = (
        # Only the episodes' rows (the join to the zones is for the exercise flag; the zones are not written).
        MonitoringAlert.objects.select_for_update(of=("self",))
        .filter(
            any_of("zone_id", zone_ids),
            kind__in=[AlertKind.LEVEL, AlertKind.EARLY_WARNING],
            exercise=F("zone__exercise"),
            source__isnull=True,
            state__in=OPEN_ALERT_STATES,
        )
        .order_by("pk")
        .values_list("pk", "zone_id", "kind", "level")
    )
    found: dict[tuple[int, str], OpenEpisode] = {}
    for pk, zone_id, kind, level in rows:
        if zone_id is not None:
            found.setdefault((zone_id, kind), OpenEpisode(pk, level))
    return found


def open_episodes_load(found: dict[tuple[int, str], OpenEpisode], zone_ids: list[int]) -> OpenEpisodes:
    """The episode objects of ``zone_ids`` among ``found`` (already locked), in one query, without their working (a
    snapshot of ~1.5 KB of JSON each, only ever replaced here)."""
    zones = set(zone_ids)
    wanted = {key: episode.pk for key, episode in found.items() if key[0] in zones}
    if not wanted:
        return {}
    objects = MonitoringAlert.objects.defer("working").in_bulk(list(wanted.values()))
    return {key: objects[pk] for key, pk in wanted.items() if pk in objects}


def episodes_need_follow(
    *,
    zone_id: int,
    level: str,
    forecast: dict[str, Any],
    previous_level: str,
    open_episodes: dict[tuple[int, str], OpenEpisode] | OpenEpisodes,
) -> bool:
    """Whether ``follow_episodes`` would change anything for a zone now at ``level`` with ``forecast``: a level
    change, an orange/red level without an open episode or above it, an open episode to ease, an early warning to
    open or to ease."""
    if level != previous_level:
        return True
    episode = open_episodes.get((zone_id, AlertKind.LEVEL))
    if rank(level) >= rank(Level.ORANGE):
        if episode is None or rank(level) > rank(episode.level):
            return True
    elif episode is not None:
        return True
    warning = open_episodes.get((zone_id, AlertKind.EARLY_WARNING))
    warn = bool((forecast or {}).get("early_warning")) and rank(level) < rank(Level.RED)
    return warn != (warning is not None)


def follow_episodes(
    *, zone: Zone, state: ZoneState, previous_level: str, reason: str, open_episodes: OpenEpisodes | None = None
) -> None:
    """Open, raise or ease the zone's level and early-warning episodes after its state changed (inside the
    ingest's transaction, the zone state locked). ``open_episodes`` (from ``open_episodes_for``) spares the two
    locked look-ups per zone."""
    at = state.observed_at or timezone.now()
    level = state.level
    if open_episodes is None:
        episode = _open(zone, AlertKind.LEVEL)
        warning = _open(zone, AlertKind.EARLY_WARNING)
    else:
        episode = open_episodes.get((zone.pk, AlertKind.LEVEL))
        warning = open_episodes.get((zone.pk, AlertKind.EARLY_WARNING))
    if rank(level) >= rank(Level.ORANGE):
        if episode is None:
            _raise(
                zone=zone,
                source=None,
                kind=AlertKind.LEVEL,
                level=level,
                jurisdiction=zone.jurisdiction,
                reason=reason,
                working={**state.working, "forecast": state.forecast},
                observed_at=at,
                exercise=zone.exercise,
            )
        elif rank(level) > rank(episode.level):
            episode.level, episode.reason, episode.observed_at = level, reason, at
            episode.working = {**state.working, "forecast": state.forecast}
            episode.save(update_fields=["level", "reason", "observed_at", "working"])
            log_action(actor=None, subject=episode, verb="monitoring_alert_raised", to_state=level, reason=reason)
            _dispatch(episode, level=level)
    elif episode is not None:
        _ease(episode, at=at, reason=reason)
    forecast = state.forecast or {}
    if forecast.get("early_warning") and rank(level) < rank(Level.RED):
        if warning is None:
            _raise(
                zone=zone,
                source=None,
                kind=AlertKind.EARLY_WARNING,
                level=Level.ORANGE,
                jurisdiction=zone.jurisdiction,
                reason=_("Early warning: %(reason)s") % {"reason": reason},
                working={**state.working, "forecast": forecast},
                observed_at=at,
                exercise=zone.exercise,
            )
    elif warning is not None:
        _ease(warning, at=at, reason=reason)
    if level != previous_level:
        hooks.zone_level_changed(zone=zone, level=level, reason=reason)


# --- silence (监测中断) -----------------------------------------------------------------------------------------


def sources_check_silent(*, now: dt.datetime | None = None) -> int:
    """The minute beat: each source silent for ``MONITORING_SILENT_FACTOR``× its interval opens one 监测中断
    episode (urgent), and its zones are marked interrupted when none of their sources is heard. Idempotent."""
    now = now or timezone.now()
    factor = settings.MONITORING_SILENT_FACTOR
    candidates = Source.objects.filter(revoked_at__isnull=True, is_builtin=False).exclude(
        alerts__kind=AlertKind.SILENT, alerts__state__in=OPEN_ALERT_STATES
    )
    raised = 0
    for source in candidates.select_related("jurisdiction").order_by("pk"):
        last = source.last_seen_at or source.created_at
        if now - last < dt.timedelta(seconds=factor * source.interval_s):
            continue
        with transaction.atomic():
            row = Source.objects.select_for_update(skip_locked=True).filter(pk=source.pk).first()
            if row is None:
                continue
            zones = list(row.zones.select_related("jurisdiction").order_by("pk"))
            place = zones[0].jurisdiction if zones else row.jurisdiction
            exercise = bool(zones) and all(z.exercise for z in zones)
            minutes = (now - last).total_seconds() / 60
            reason = _(
                "Monitoring interrupted: %(source)s has sent nothing for %(minutes).0f min (interval %(interval)d s). "
                "No data does not mean nobody is there: check the zones %(zones)s on site."
            ) % {
                "source": row.name,
                "minutes": minutes,
                "interval": row.interval_s,
                "zones": "、".join(z.name for z in zones) or "—",
            }
            episode = _raise(
                zone=None,
                source=row,
                kind=AlertKind.SILENT,
                level=Level.ORANGE,
                jurisdiction=place,
                reason=reason,
                working={
                    "last_seen_at": last.isoformat(),
                    "interval_s": row.interval_s,
                    "factor": factor,
                    "zones": [z.pk for z in zones],
                },
                observed_at=source.last_seen_at,
                exercise=exercise,
            )
            if episode is not None:
                raised += 1
                for zone in zones:
                    heard = (
                        zone.sources.exclude(pk=row.pk)
                        .filter(
                            revoked_at__isnull=True,
                            last_seen_at__gte=now - dt.timedelta(seconds=factor * row.interval_s),
                        )
                        .exists()
                    )
                    if not heard:
                        ZoneState.objects.update_or_create(zone=zone, defaults={"interrupted": True})
    return raised


def source_heard(*, source: Source, now: dt.datetime) -> None:
    """A source sent data again: its open 监测中断 episode eases."""
    for episode in MonitoringAlert.objects.select_for_update().filter(
        source=source, kind=AlertKind.SILENT, state__in=OPEN_ALERT_STATES
    ):
        _ease(episode, at=now, reason=_("Data received again."))


# --- states and measures ------------------------------------------------------------------------------------


def alert_advance(*, alert: MonitoringAlert, to: str, actor: Any, note: str = "") -> MonitoringAlert:
    """Move an episode forward: acknowledged → measures under way → eased → closed (closing from any state)."""
    if to not in AlertState.values or to == AlertState.RAISED:
        raise DomainError(_("Choose the next state of the alert."), field="to")
    with transaction.atomic():
        row = MonitoringAlert.objects.select_for_update(of=("self",)).select_related("zone").get(pk=alert.pk)
        if not access.can_work_alert(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may not work on this alert."))
        if row.state == AlertState.CLOSED:
            raise DomainError(_("This alert is closed."), code="closed")
        if to != AlertState.CLOSED and ALERT_STATE_ORDER[to] <= ALERT_STATE_ORDER[row.state]:
            raise DomainError(_("An alert's state only moves forward."), field="to")
        previous, now = row.state, timezone.now()
        row.state = to
        fields = ["state"]
        if to == AlertState.ACKNOWLEDGED or (row.acknowledged_at is None and to != AlertState.CLOSED):
            row.acknowledged_at = row.acknowledged_at or now
            fields.append("acknowledged_at")
        if to == AlertState.EASED:
            row.eased_at = now
            fields.append("eased_at")
        if to == AlertState.CLOSED:
            row.closed_at = now
            fields.append("closed_at")
        row.save(update_fields=fields)
        log_action(
            actor=actor,
            subject=row,
            verb="monitoring_alert_state",
            from_state=previous,
            to_state=to,
            reason=(note or "").strip()[:500],
        )
    return row


def measure_tick(*, alert: MonitoringAlert, plan_measure: Any, actor: Any) -> MeasureTick:
    """Tick one of the plan's measures on the alert: recorded once, as a crowd-control measure on the zone's
    gathering (events.Measure) and on the action log; the alert moves to "measures under way"."""
    from events.services.field import measure_record
    from monitoring.selectors import plan_measures_for

    with transaction.atomic():
        row = MonitoringAlert.objects.select_for_update(of=("self",)).select_related("zone").get(pk=alert.pk)
        if not access.can_work_alert(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may not work on this alert."))
        if plan_measure.pk not in {m.pk for m in plan_measures_for(row)}:
            raise DomainError(_("This measure is not in the plan for this alert."), field="plan_measure")
        existing = MeasureTick.objects.filter(alert=row, plan_measure=plan_measure).first()
        if existing is not None:
            return existing
        now = timezone.now()
        tick = MeasureTick.objects.create(alert=row, plan_measure=plan_measure, ticked_by=actor, ticked_at=now)
        if row.zone is not None and row.zone.gathering is not None:
            measure = measure_record(
                gathering=row.zone.gathering,
                actor=actor,
                kind=hooks.events_measure_kind(plan_measure.kind),
                applied_at=now,
                description=plan_measure.action,
            )
            tick.gathering_measure_id = measure.pk
            tick.save(update_fields=["gathering_measure_id"])
        log_action(
            actor=actor,
            subject=row,
            verb="monitoring_measure_ticked",
            reason=plan_measure.action,
            data={"plan_measure": plan_measure.pk, "kind": plan_measure.kind},
        )
        if row.state in (AlertState.RAISED, AlertState.ACKNOWLEDGED):
            previous = row.state
            MonitoringAlert.objects.filter(pk=row.pk).update(
                state=AlertState.MEASURES, acknowledged_at=row.acknowledged_at or now
            )
            log_action(
                actor=actor,
                subject=row,
                verb="monitoring_alert_state",
                from_state=previous,
                to_state=AlertState.MEASURES,
                reason=plan_measure.action,
            )
    return tick
