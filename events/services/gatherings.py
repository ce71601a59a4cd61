"""Logging a gathering, changing it, and its life: verify, confirm or dismiss, end, decide (suspend, cancel,
postpone, lift, reschedule), merge into a duplicate, and the risk level (``gathering_set_risk_level``, which the
risk app calls when an assessment of a gathering is signed off; the dependency direction is in
docs/architecture.md).

Every transition locks the row (``select_for_update``), checks the guard on the model and the actor's right,
saves with ``update_fields``, writes the action log and evaluates the responsibility rules, in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.informing import gathering_news
from alerts.services import alert_raise
from crowdsafe.audit.services import LogEntry, log_action, log_actions
from crowdsafe.common.text import join_clauses
from crowdsafe.errors import DomainError, PermissionDeniedError, Problems
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Jurisdiction, Organisation
from crowdsafe.workdays.selectors import day_info
from duties.choices import TaskStatus
from duties.services import tasks_evaluate_many
from events import access
from events.choices import (
    DecisionKind,
    GatheringKind,
    GatheringSource,
    GatheringStatus,
    MeasureKind,
    Recurrence,
    RiskLevel,
    RiskSource,
    risk_rank,
)
from events.duties import CONFIRM_EXPECTED, TERRITORIAL_VERIFY
from events.models import MAX_ATTENDANCE, Gathering, GatheringDecision, Measure
from events.services.common import (
    RISK_FIELDS,
    apply_triage,
    check_manage,
    clean_reason,
    evaluate,
    full_clean,
    locked,
    refuse,
    settle_all,
)
from events.services.photos import check_photos, save_photos
from events.triage import load_triage_settings, triage, triage_gathering
from venues.capacity import exit_redundancy
from venues.choices import VENUE_LEVELS

COORDINATE_PLACES = Decimal("0.000001")
# How far ahead a gathering may be logged, and how far back (an import of last year's list).
MAX_AHEAD = dt.timedelta(days=2 * 366)
MAX_BACK = dt.timedelta(days=3 * 366)

GATHERING_FIELDS = (
    "title",
    "kind",
    "venue",
    "grid",
    "location_name",
    "latitude",
    "longitude",
    "location_accuracy_m",
    "starts_at",
    "ends_at",
    "recurrence",
    "organizer",
    "organizer_name",
    "organizer_phone",
    "estimated_attendance_min",
    "estimated_attendance_max",
    "source",
    "source_reference",
    "online_hype",
    "description",
)
_STRIPPED = {"title", "location_name", "organizer_name", "organizer_phone", "source_reference", "description"}
# Changing these re-runs the automatic pre-level.
TRIAGE_INPUTS = {"venue", "estimated_attendance_max", "starts_at", "ends_at", "online_hype"}


def _normalise(field: str, value: Any) -> Any:
    if field in _STRIPPED:
        return (value or "").strip()
    if field in {"latitude", "longitude"} and value is not None and value != "":
        try:
            return Decimal(str(value)).quantize(COORDINATE_PLACES)
        except ArithmeticError as exc:
            raise DomainError(_("Enter a number."), field=field) from exc
    if field in {"latitude", "longitude"} and value == "":
        return None
    if field == "recurrence" and not value:
        return Recurrence.ONCE
    if field == "online_hype":
        return bool(value)
    return value


def default_title(gathering: Gathering) -> str:
    place = gathering.venue.name if gathering.venue_id else (gathering.location_name or gathering.grid.name)
    return f"{place} · {GatheringKind(gathering.kind).label}"[:128]


def _validate(gathering: Gathering, *, now: dt.datetime) -> None:
    """Every problem of the input at once (issue 20 point 3), not the first one per attempt."""
    problems = Problems()
    if gathering.kind not in GatheringKind.values:
        problems.add(_("Choose the kind of gathering."), field="kind")
    if gathering.source not in GatheringSource.values:
        problems.add(_("Choose how the gathering became known."), field="source")
    if gathering.recurrence not in Recurrence.values:
        problems.add(_("Unknown recurrence."), field="recurrence")
    if gathering.grid.level not in VENUE_LEVELS:
        problems.add(
            _("%(name)s is a %(level)s: a gathering is placed in a grid or a village/community.")
            % {"name": gathering.grid.name, "level": gathering.grid.get_level_display()},
            field="grid",
        )
    if gathering.venue_id is None and not gathering.location_name:
        problems.add(_("Name the place, or choose a registered venue."), field="location_name")
    if gathering.venue_id is not None and gathering.venue.grid_id != gathering.grid_id:
        problems.add(
            _("%(venue)s is in %(grid)s: choose that grid, or leave the grid to the venue.")
            % {"venue": gathering.venue.name, "grid": gathering.venue.grid.name},
            field="grid",
        )
    low, high = gathering.estimated_attendance_min, gathering.estimated_attendance_max
    if high is None:
        problems.add(_("Estimate how many people: at least the upper figure."), field="estimated_attendance_max")
    else:
        if low is None:
            gathering.estimated_attendance_min = low = high
        if high < 1 or low < 0:
            problems.add(_("The attendance must be a positive number."), field="estimated_attendance_max")
        elif high > MAX_ATTENDANCE:
            problems.add(_("The attendance is too large."), field="estimated_attendance_max")
        elif low > high:
            problems.add(_("The lower estimate is above the upper one."), field="estimated_attendance_min")
    if gathering.ends_at is not None and timezone.is_naive(gathering.ends_at):
        gathering.ends_at = timezone.make_aware(gathering.ends_at)
    if gathering.starts_at is None:
        problems.add(_("Give the start time."), field="starts_at")
    else:
        if timezone.is_naive(gathering.starts_at):
            gathering.starts_at = timezone.make_aware(gathering.starts_at)
        if gathering.starts_at > now + MAX_AHEAD:
            problems.add(_("The start is more than two years ahead."), field="starts_at")
        elif gathering.starts_at < now - MAX_BACK:
            problems.add(_("The start is more than three years ago."), field="starts_at")
        if gathering.ends_at is not None and gathering.ends_at < gathering.starts_at:
            problems.add(_("The end is before the start."), field="ends_at")
    if (gathering.latitude is None) != (gathering.longitude is None):
        field = "longitude" if gathering.longitude is None else "latitude"
        problems.add(_("Give both the latitude and the longitude, or neither."), field=field)
    problems.check()
    if not gathering.title:
        gathering.title = default_title(gathering)
    # The related rows were checked or are the acting user (reported_by): their existence is not queried again,
    # row after row of an import (issue 19).
    full_clean(
        gathering,
        exclude=["grid", "venue", "organizer", "jurisdiction_path", "merged_into", "key_date", "reported_by"],
    )


def _check_placement(*, actor, gathering: Gathering) -> None:
    if not access.can_report_at(actor_scope(actor), gathering):
        raise PermissionDeniedError(
            _("%(grid)s is outside your territory.") % {"grid": gathering.grid.name}, field="grid"
        )


def _parse_key(idempotency_key) -> uuid.UUID | None:
    if idempotency_key in (None, ""):
        return None
    if isinstance(idempotency_key, uuid.UUID):
        return idempotency_key
    try:
        return uuid.UUID(str(idempotency_key))
    except ValueError as exc:
        raise DomainError(_("The form key is not valid; reload the form."), field="idempotency_key") from exc


def _existing_for_key(key: uuid.UUID, actor) -> Gathering | None:
    existing = Gathering.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if actor is not None and existing.reported_by_id not in (None, actor.pk):
        raise DomainError(_("This form was already sent by someone else; reload the form."), field="idempotency_key")
    return existing


def _log_risk(gathering: Gathering, *, actor, previous: str, reason: str = "", data=None) -> None:
    log_action(
        actor=actor,
        subject=gathering,
        verb="risk_level_set",
        from_state=previous,
        to_state=gathering.risk_level,
        reason=reason or join_clauses(gathering.risk_reasons),
        data={"source": gathering.risk_source, **(data or {})},
    )
    # Orange or red (triage, override, headcount, signed-off assessment): the one urgent-alert path decides who
    # is told (rule "gathering.risk_level"); the same level again alerts nobody twice. Not for a prediction.
    if gathering.status != GatheringStatus.EXPECTED:
        alert_raise(
            rule_key="gathering.risk_level",
            subject=gathering,
            level=gathering.risk_level,
            jurisdiction=gathering.grid,
            reason=reason or join_clauses(gathering.risk_reasons),
            actor=actor,
        )


def gathering_report(
    *,
    actor,
    idempotency_key=None,
    photos: Sequence = (),
    status: str = GatheringStatus.REPORTED,
    log_data: Mapping[str, Any] | None = None,
    key_date=None,
    occurrence_on: dt.date | None = None,
    expected_from: Gathering | None = None,
    **fields,
) -> tuple[Gathering, bool]:
    """Log a gathering. Returns (gathering, created).

    ``idempotency_key`` (made by the form, once per form instance) makes the call safe to repeat: a resend or a
    double tap of the same form returns the record the first call made (created False), photos and all.
    ``status`` is "reported", or "expected" for a gathering predicted by the key-date scan (with ``key_date``,
    ``occurrence_on`` and ``expected_from``, the gathering it was predicted from).
    """
    if status not in (GatheringStatus.REPORTED, GatheringStatus.EXPECTED):
        raise ValueError("A gathering is logged as reported or expected.")
    unknown = set(fields) - set(GATHERING_FIELDS)
    if unknown:
        raise TypeError(f"gathering_report() got fields it does not set: {sorted(unknown)}")
    key = _parse_key(idempotency_key)
    if key is not None:
        existing = _existing_for_key(key, actor)
        if existing is not None:
            return existing, False
    values = {field: _normalise(field, fields.get(field)) for field in GATHERING_FIELDS if field in fields}
    venue = values.get("venue")
    if values.get("grid") is None and venue is not None:
        values["grid"] = venue.grid
    if values.get("grid") is None:
        raise DomainError(_("Choose the grid or community."), field="grid")
    gathering = Gathering(**values)
    gathering.status = status
    gathering.key_date = key_date
    gathering.occurrence_on = occurrence_on
    gathering.expected_from = expected_from
    gathering.idempotency_key = key
    gathering.reported_by = actor if getattr(actor, "pk", None) else None
    gathering.jurisdiction_path = gathering.grid.path
    if venue is not None and not venue.is_active:
        raise DomainError(_("%(venue)s is no longer on the register.") % {"venue": venue.name}, field="venue")
    _check_placement(actor=actor, gathering=gathering)
    _validate(gathering, now=timezone.now())
    checked = check_photos(photos, existing=0)
    apply_triage(gathering, triage_gathering(gathering), actor=None)
    try:
        with transaction.atomic():
            # The race: the same form sent twice at once (a double tap on a slow network). Both passed the
            # lookup above; the unique constraint on the key makes the second INSERT fail once the first commits,
            # and that call then returns the first one's record.
            with transaction.atomic():
                gathering.save(force_insert=True)
            log_action(
                actor=actor,
                subject=gathering,
                verb="created",
                to_state=gathering.status,
                data={
                    "kind": gathering.kind,
                    "grid": gathering.grid.code,
                    "venue": gathering.venue_id or "",
                    "source": gathering.source,
                    **(log_data or {}),
                },
            )
            _log_risk(gathering, actor=actor, previous="")
            save_photos(gathering, checked, actor=actor)
            evaluate(gathering, actor=actor, events=("created",))
    except IntegrityError:
        if key is not None:
            existing = _existing_for_key(key, actor)
            if existing is not None:
                return existing, False
        raise
    return gathering, True


@dataclass
class BatchReport:
    """What ``gatherings_report_many`` did: the gatherings it created (in the order given) and the items it
    refused, by their index in the input, with the service's error."""

    created: list[Gathering]
    refused: list[tuple[int, DomainError]]


# How many gatherings one step of a batch writes (an INSERT of each kind; the progress is told after each).
BATCH_STEP = 2000


def gatherings_report_many(
    *,
    actor,
    items: Sequence[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    skip_refused: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> BatchReport:
    """``gathering_report`` for many gatherings at once (a spreadsheet import of up to 50,000 rows), set-based:
    each item (its fields, its ``log_data``) is checked and pre-levelled exactly as ``gathering_report`` would,
    writing nothing; then, ``BATCH_STEP`` gatherings at a time, they are inserted in one ``INSERT``, their
    action-log entries (created, risk level set) in another, an orange or red one raises its alert, and the
    responsibility rules are evaluated for the step (``tasks_evaluate_many``). The records, tasks and log
    entries are the ones that calling ``gathering_report`` for each item would make
    (``tests/events/test_import_batch.py``). No photos, no idempotency key: an import has neither.

    An item the service refuses is left out when ``skip_refused``; otherwise nothing is written and the
    refusals are returned. ``on_progress(n)`` is told how many are written after each step. Runs in the caller's
    transaction (one is opened if there is none)."""
    now = timezone.now()
    scope = actor_scope(actor)
    settings_row = load_triage_settings()
    days: dict[dt.date, Any] = {}

    def day_info_of(date: dt.date):
        info = days.get(date)
        if info is None:
            info = days[date] = day_info(date)
        return info

    venue_facts: dict[int, tuple[Any, list[str]]] = {}

    def facts_of(venue):
        facts = venue_facts.get(venue.pk)
        if facts is None:
            facts = venue_facts[venue.pk] = (
                exit_redundancy(venue),
                list(venue.risk_points.values_list("kind", flat=True)),
            )
        return facts

    prepared: list[tuple[Gathering, Mapping[str, Any] | None]] = []
    refused: list[tuple[int, DomainError]] = []
    for index, (fields, log_data) in enumerate(items):
        try:
            unknown = set(fields) - set(GATHERING_FIELDS)
            if unknown:
                raise TypeError(f"gatherings_report_many() got fields it does not set: {sorted(unknown)}")
            values = {field: _normalise(field, fields.get(field)) for field in GATHERING_FIELDS if field in fields}
            venue = values.get("venue")
            if values.get("grid") is None and venue is not None:
                values["grid"] = venue.grid
            if values.get("grid") is None:
                raise DomainError(_("Choose the grid or community."), field="grid")
            gathering = Gathering(**values)
            gathering.status = GatheringStatus.REPORTED
            gathering.reported_by = actor if getattr(actor, "pk", None) else None
            gathering.jurisdiction_path = gathering.grid.path
            if venue is not None and not venue.is_active:
                raise DomainError(_("%(venue)s is no longer on the register.") % {"venue": venue.name}, field="venue")
            if not access.can_report_at(scope, gathering):
                raise PermissionDeniedError(
                    _("%(grid)s is outside your territory.") % {"grid": gathering.grid.name}, field="grid"
                )
            _validate(gathering, now=now)
            redundancy, kinds = facts_of(venue) if venue is not None else (None, None)
            result = triage(
                venue=venue,
                estimated_attendance_max=gathering.estimated_attendance_max,
                starts_at=gathering.starts_at,
                ends_at=gathering.ends_at,
                online_hype=gathering.online_hype,
                latest_headcount=gathering.latest_headcount,
                settings_row=settings_row,
                risk_point_kinds=kinds,
                redundancy=redundancy,
                day_info_of=day_info_of,
            )
            apply_triage(gathering, result, actor=None)
        except DomainError as exc:
            refused.append((index, exc))
            continue
        prepared.append((gathering, log_data))
    if refused and not skip_refused:
        return BatchReport(created=[], refused=refused)
    created: list[Gathering] = []
    with transaction.atomic():
        for start in range(0, len(prepared), BATCH_STEP):
            step = prepared[start : start + BATCH_STEP]
            gatherings = Gathering.objects.bulk_create([gathering for gathering, _data in step])
            entries: list[LogEntry] = []
            for gathering, log_data in step:
                entries.append(
                    LogEntry(
                        subject=gathering,
                        verb="created",
                        to_state=gathering.status,
                        data={
                            "kind": gathering.kind,
                            "grid": gathering.grid.code,
                            "venue": gathering.venue_id or "",
                            "source": gathering.source,
                            **(log_data or {}),
                        },
                    )
                )
                entries.append(
                    LogEntry(
                        subject=gathering,
                        verb="risk_level_set",
                        to_state=gathering.risk_level,
                        reason=join_clauses(gathering.risk_reasons),
                        data={"source": gathering.risk_source},
                    )
                )
            log_actions(actor=actor, entries=entries)
            for gathering in gatherings:
                # Orange or red: the one urgent-alert path, as ``_log_risk`` (nothing below orange, no query).
                if risk_rank(gathering.risk_level) >= risk_rank(RiskLevel.ORANGE):
                    alert_raise(
                        rule_key="gathering.risk_level",
                        subject=gathering,
                        level=gathering.risk_level,
                        jurisdiction=gathering.grid,
                        reason=join_clauses(gathering.risk_reasons),
                        actor=actor,
                    )
            tasks_evaluate_many(subjects=gatherings, event="created", actor=actor)
            created.extend(gatherings)
            if on_progress is not None:
                on_progress(len(created))
    return BatchReport(created=created, refused=refused)


def gathering_update(*, gathering: Gathering, actor, data: Mapping[str, Any], reason: str = "") -> Gathering:
    """Change some of the gathering's details. Nothing changed, nothing written. A change of the attendance,
    time, venue or online hype re-runs the automatic pre-level (see ``retriage``)."""
    unknown = set(data) - set(GATHERING_FIELDS)
    if unknown:
        raise TypeError(f"gathering_update() got fields it does not set: {sorted(unknown)}")
    with transaction.atomic():
        # The lock makes two concurrent edits apply one after the other, each checked against the other's result.
        row = locked(gathering)
        if not access.can_edit(actor_scope(actor), row):
            if row.is_terminal:
                refuse(_("This gathering is closed (%(status)s).") % {"status": row.get_status_display()})
            raise PermissionDeniedError(_("You may see this gathering but not change it."))
        changes: dict[str, list[str]] = {}
        for field, raw in data.items():
            value = _normalise(field, raw)
            old = getattr(row, field)
            if old != value:
                changes[field] = [_display(old), _display(value)]
                setattr(row, field, value)
        if "venue" in changes and row.venue is not None and "grid" not in data:
            row.grid = row.venue.grid
            changes.setdefault("grid", ["", row.grid.code])
        if not changes:
            return row
        if "grid" in changes or "venue" in changes:
            _check_placement(actor=actor, gathering=row)
            row.jurisdiction_path = row.grid.path
        if "title" in changes and not row.title:
            row.title = default_title(row)
        _validate(row, now=timezone.now())
        fields = [*changes, "updated_at"]
        if "grid" in changes:
            fields.append("jurisdiction_path")
        row.save(update_fields=sorted(set(fields)))
        log_action(actor=actor, subject=row, verb="updated", reason=reason, data={"changes": changes})
        if TRIAGE_INPUTS & set(changes):
            retriage(row, actor=actor)
        evaluate(row, actor=actor)
    return row


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Jurisdiction):
        return value.code
    if isinstance(value, Organisation):
        return value.credit_code
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


# --- risk level ----------------------------------------------------------------------------------------


def retriage(gathering: Gathering, *, actor) -> bool:
    """Re-run the automatic pre-level on a locked gathering after its facts changed. While the level is the
    automatic one it follows the facts, up or down. Once staff set it or an assessment did, the facts may still
    raise it — a crowd that grows past the venue's capacity is escalated whatever was decided before — but never
    lower it. Returns True when the level or its reasons changed."""
    result = triage_gathering(gathering, settings_row=load_triage_settings())
    if gathering.risk_source != RiskSource.TRIAGE and risk_rank(result.level) <= risk_rank(gathering.risk_level):
        return False
    if gathering.risk_source == RiskSource.TRIAGE and result.facts == gathering.risk_facts:
        return False
    previous, previous_source = gathering.risk_level, gathering.risk_source
    apply_triage(gathering, result, actor=None)
    gathering.save(update_fields=[*RISK_FIELDS, "updated_at"])
    data = {"escalated_over": previous_source} if previous_source != RiskSource.TRIAGE else {}
    _log_risk(gathering, actor=actor, previous=previous, data=data)
    return True


def gathering_set_risk_level(
    *, gathering: Gathering, level: str, reasons: list[str], source: str, actor, assessment_id: int | None = None
) -> Gathering:
    """Set the risk level (contract events ↔ risk). ``source``: "triage" (the automatic pre-level), "override"
    (township or public-security staff, with the reason) or "assessment" (a signed-off risk assessment from the
    risk app, whose level becomes the current one). Locks the row, stores level, reasons and source, logs it on
    the timeline and re-evaluates the rules (an orange or red level puts the gathering on the attention list
    and gives public security and the township their tasks; a lower one cancels those that are still open)."""
    if level not in RiskLevel.values:
        raise DomainError(
            _("Unknown risk level “%(level)s”: use blue, yellow, orange or red.") % {"level": level}, field="level"
        )
    if source not in RiskSource.values:
        raise DomainError(_("Unknown source of the risk level “%(source)s”.") % {"source": source}, field="source")
    reasons = [str(r).strip() for r in (reasons or []) if str(r).strip()]
    if source == RiskSource.OVERRIDE and not reasons:
        raise DomainError(_("Say why the risk level is changed."), field="reason")
    if source == RiskSource.ASSESSMENT and assessment_id is None:
        raise DomainError(_("Name the risk assessment that sets the level."), field="assessment_id")
    with transaction.atomic():
        # The lock serialises a staff override and an assessment sign-off arriving together: the later one
        # wins, and both are on the timeline.
        row = locked(gathering)
        if source == RiskSource.OVERRIDE:
            check_manage(actor=actor, gathering=row)
        if row.is_terminal:
            refuse(_("This gathering is closed (%(status)s).") % {"status": row.get_status_display()})
        previous = row.risk_level
        row.risk_level = level
        row.risk_reasons = reasons
        row.risk_facts = []
        row.risk_source = source
        row.risk_set_at = timezone.now()
        row.risk_set_by = actor if getattr(actor, "pk", None) else None
        row.risk_assessment_id = assessment_id if source == RiskSource.ASSESSMENT else None
        row.save(update_fields=[*RISK_FIELDS, "updated_at"])
        _log_risk(
            row,
            actor=actor,
            previous=previous,
            reason=join_clauses(reasons),
            data={"assessment": assessment_id} if assessment_id else None,
        )
        evaluate(row, actor=actor)
    return row


def gathering_follow_monitoring(*, gathering: Gathering, level: str, reason: str) -> Gathering | None:
    """The gathering's risk level follows its monitored zone's level (issue 15 point 4), with the reason: set
    with the source "monitoring" by the platform. A closed gathering is left as it is (returns None)."""
    if gathering.is_terminal:
        return None
    if gathering.risk_level == level and gathering.risk_source == RiskSource.MONITORING:
        return gathering
    return gathering_set_risk_level(
        gathering=gathering, level=level, reasons=[reason], source=RiskSource.MONITORING, actor=None
    )


# --- transitions ---------------------------------------------------------------------------------------


def _transition(row: Gathering, *, actor, to: str, verb: str, reason: str = "", data=None, fields=()) -> None:
    previous = row.status
    row.status = to
    row.save(update_fields=["status", "updated_at", *fields])
    log_action(actor=actor, subject=row, verb=verb, from_state=previous, to_state=to, reason=reason, data=data or {})


def gathering_verify(*, gathering: Gathering, actor, note: str = "") -> Gathering:
    """The township or public security verified on site that the reported gathering is real (核实)."""
    with transaction.atomic():
        # The lock serialises two officers verifying at once: the second is refused by the guard.
        row = locked(gathering)
        check_manage(actor=actor, gathering=row)
        if not row.can_verify():
            refuse(
                _("Only a reported gathering can be verified; this one is %(status)s.")
                % {"status": row.get_status_display()}
            )
        row.verified_at = timezone.now()
        row.verified_by = actor if getattr(actor, "pk", None) else None
        _transition(
            row,
            actor=actor,
            to=GatheringStatus.VERIFIED,
            verb="verified",
            reason=note.strip(),
            fields=("verified_at", "verified_by"),
        )
        from duties.services import tasks_settle

        tasks_settle(subject=row, keys=[TERRITORIAL_VERIFY], actor=actor, note=_("The gathering was verified."))
        evaluate(row, actor=actor, events=("state_changed", "updated"))
        gathering_news(row, "verified", actor=actor, detail=note.strip())
    return row


def gathering_confirm(*, gathering: Gathering, actor, note: str = "") -> Gathering:
    """The township confirms that an expected gathering (from the key-date calendar) will take place."""
    with transaction.atomic():
        row = locked(gathering)
        check_manage(actor=actor, gathering=row)
        if not row.can_confirm():
            refuse(
                _("Only an expected gathering can be confirmed; this one is %(status)s.")
                % {"status": row.get_status_display()}
            )
        row.verified_at = timezone.now()
        row.verified_by = actor if getattr(actor, "pk", None) else None
        _transition(
            row,
            actor=actor,
            to=GatheringStatus.VERIFIED,
            verb="confirmed",
            reason=note.strip(),
            fields=("verified_at", "verified_by"),
        )
        from duties.services import tasks_settle

        tasks_settle(
            subject=row,
            keys=[CONFIRM_EXPECTED],
            actor=actor,
            note=_("Confirmed: the gathering is expected to take place."),
        )
        evaluate(row, actor=actor, events=("state_changed", "updated"))
    return row


def gathering_dismiss(*, gathering: Gathering, actor, reason: str) -> Gathering:
    """An expected gathering that will not take place this time, or a report that turned out false."""
    reason = clean_reason(reason, message=_("Say why the gathering is dismissed."))
    with transaction.atomic():
        row = locked(gathering)
        check_manage(actor=actor, gathering=row)
        if not row.can_dismiss():
            refuse(_("This gathering is %(status)s and cannot be dismissed.") % {"status": row.get_status_display()})
        _transition(row, actor=actor, to=GatheringStatus.DISMISSED, verb="dismissed", reason=reason)
        settle_all(
            row,
            actor=actor,
            outcome=TaskStatus.CANCELLED,
            note=_("The gathering was dismissed: %(reason)s") % {"reason": reason},
        )
        evaluate(row, actor=actor, events=("state_changed", "updated"))
        gathering_news(row, "dismissed", actor=actor, detail=reason)
    return row


def gathering_start_monitoring(*, gathering: Gathering, actor, reason: str = "") -> Gathering:
    """Measures are active: the gathering is under monitoring (usually started by recording the first measure)."""
    with transaction.atomic():
        row = locked(gathering)
        if not access.can_work(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may see this gathering but not record field work on it."))
        if not row.can_monitor():
            refuse(
                _("Only a verified gathering can be put under monitoring; this one is %(status)s.")
                % {"status": row.get_status_display()}
            )
        _transition(row, actor=actor, to=GatheringStatus.MONITORING, verb="monitoring_started", reason=reason)
        evaluate(row, actor=actor, events=("state_changed", "updated"))
    return row


def gathering_end(*, gathering: Gathering, actor, ended_at: dt.datetime | None = None, note: str = "") -> Gathering:
    """The crowd has dispersed. Active measures are lifted at that moment and the gathering's outstanding tasks
    are closed as done."""
    with transaction.atomic():
        row = locked(gathering)
        if not access.can_work(actor_scope(actor), row):
            raise PermissionDeniedError(_("You may see this gathering but not record field work on it."))
        if not row.can_end():
            refuse(
                _("Only a verified gathering or one under monitoring can end; this one is %(status)s.")
                % {"status": row.get_status_display()}
            )
        now = timezone.now()
        ended_at = ended_at or now
        if timezone.is_naive(ended_at):
            ended_at = timezone.make_aware(ended_at)
        if ended_at > now + dt.timedelta(minutes=5):
            raise DomainError(_("The end cannot be in the future."), field="ended_at")
        if ended_at < row.starts_at:
            raise DomainError(_("The end is before the start."), field="ended_at")
        row.ended_at = ended_at
        fields = ["ended_at"]
        if row.ends_at is None or row.ends_at > ended_at:
            row.ends_at = ended_at
            fields.append("ends_at")
        _transition(row, actor=actor, to=GatheringStatus.ENDED, verb="ended", reason=note.strip(), fields=fields)
        Measure.objects.filter(gathering=row, ended_at__isnull=True, applied_at__lte=ended_at).update(ended_at=ended_at)
        settle_all(
            row,
            actor=actor,
            outcome=TaskStatus.DONE,
            note=note.strip() or _("The gathering ended; the crowd dispersed."),
        )
        evaluate(row, actor=actor, events=("state_changed", "updated"))
    return row


DECISION_TARGET = {
    DecisionKind.SUSPEND: GatheringStatus.SUSPENDED,
    DecisionKind.CANCEL: GatheringStatus.CANCELLED,
    DecisionKind.POSTPONE: GatheringStatus.POSTPONED,
    DecisionKind.RESUME: GatheringStatus.MONITORING,
    DecisionKind.RESCHEDULE: GatheringStatus.VERIFIED,
}


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "系统"
    from crowdsafe.org.access import get_scope

    units = [str(m.anchor) for m in get_scope(actor).memberships if m.anchor is not None]
    return f"{actor.display_name}（{'、'.join(units)}）"[:255] if units else actor.display_name[:255]


def gathering_decide(
    *,
    gathering: Gathering,
    actor,
    kind: str,
    reason: str,
    decided_at: dt.datetime | None = None,
    new_starts_at: dt.datetime | None = None,
    new_ends_at: dt.datetime | None = None,
) -> GatheringDecision:
    """Record a decision: suspend, cancel or postpone the gathering (for a risk that cannot be removed), lift a
    suspension, or reschedule a postponed gathering. Who, why and when are kept with the decision; a suspension
    is also logged as a measure; a cancellation closes the gathering's tasks."""
    if kind not in DecisionKind.values:
        raise DomainError(_("Unknown decision."), field="kind")
    reason = clean_reason(reason, message=_("Give the reason for the decision."))
    now = timezone.now()
    decided_at = decided_at or now
    if timezone.is_naive(decided_at):
        decided_at = timezone.make_aware(decided_at)
    if decided_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("The decision cannot be dated in the future."), field="decided_at")
    for name, value in (("new_starts_at", new_starts_at), ("new_ends_at", new_ends_at)):
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
            if name == "new_starts_at":
                new_starts_at = value
            else:
                new_ends_at = value
    if kind == DecisionKind.RESCHEDULE and new_starts_at is None:
        raise DomainError(_("Give the new start time."), field="new_starts_at")
    if new_starts_at and new_ends_at and new_ends_at < new_starts_at:
        raise DomainError(_("The end is before the start."), field="new_ends_at")
    with transaction.atomic():
        # The lock serialises two decisions on one gathering (a suspension and a cancellation sent together): the
        # second is checked against the status the first left.
        row = locked(gathering)
        check_manage(actor=actor, gathering=row)
        if not row.can_decide(kind):
            refuse(
                _("“%(decision)s” is not possible while the gathering is %(status)s.")
                % {"decision": DecisionKind(kind).label, "status": row.get_status_display()}
            )
        target = DECISION_TARGET[DecisionKind(kind)]
        decision = GatheringDecision.objects.create(
            gathering=row,
            kind=kind,
            reason=reason,
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_by_label=_actor_label(actor),
            decided_at=decided_at,
            new_starts_at=new_starts_at,
            new_ends_at=new_ends_at,
            from_status=row.status,
            to_status=target,
        )
        fields: list[str] = []
        if kind in (DecisionKind.POSTPONE, DecisionKind.RESCHEDULE) and new_starts_at is not None:
            row.starts_at = new_starts_at
            row.ends_at = new_ends_at
            fields += ["starts_at", "ends_at"]
        _transition(
            row,
            actor=actor,
            to=target,
            verb=f"decision_{kind}",
            reason=reason,
            data={"decision": decision.pk, "decided_at": decided_at.isoformat()},
            fields=fields,
        )
        if kind == DecisionKind.SUSPEND:
            Measure.objects.create(
                gathering=row,
                kind=MeasureKind.SUSPENSION,
                description=reason,
                applied_by=actor if getattr(actor, "pk", None) else None,
                applied_by_unit=decision.decided_by_label[:128],
                applied_at=decided_at,
            )
        elif kind == DecisionKind.RESUME:
            Measure.objects.filter(gathering=row, kind=MeasureKind.SUSPENSION, ended_at__isnull=True).update(
                ended_at=decided_at
            )
        elif kind == DecisionKind.CANCEL:
            settle_all(
                row,
                actor=actor,
                outcome=TaskStatus.CANCELLED,
                note=_("The gathering was cancelled: %(reason)s") % {"reason": reason},
            )
        if fields:
            retriage(row, actor=actor)
        evaluate(row, actor=actor, events=("state_changed", "updated"))
    return decision


def gathering_merge(*, gathering: Gathering, into: Gathering, actor, reason: str = "") -> Gathering:
    """The same gathering was logged twice: this record is merged into ``into`` (which stays), its tasks are
    cancelled, and both timelines say so."""
    if into.pk == gathering.pk:
        raise DomainError(_("A gathering cannot be merged into itself."), field="into")
    reason = (reason or "").strip() or _("Logged twice.")
    with transaction.atomic():
        # Both rows locked, in id order, so two merges crossing each other (A into B, B into A) cannot deadlock:
        # the second sees the first's result and is refused.
        first, second = sorted([gathering.pk, into.pk])
        rows = {
            g.pk: g
            for g in Gathering.objects.select_for_update(of=("self",))
            .select_related("venue", "grid")
            .filter(pk__in=[first, second])
            .order_by("pk")
        }
        row, target = rows[gathering.pk], rows[into.pk]
        check_manage(actor=actor, gathering=row)
        if not row.can_merge():
            refuse(_("This gathering is %(status)s and cannot be merged.") % {"status": row.get_status_display()})
        if target.is_terminal:
            refuse(_("The gathering to merge into is closed (%(status)s).") % {"status": target.get_status_display()})
        row.merged_into = target
        _transition(
            row,
            actor=actor,
            to=GatheringStatus.MERGED,
            verb="merged",
            reason=reason,
            data={"into": target.pk},
            fields=("merged_into",),
        )
        log_action(actor=actor, subject=target, verb="duplicate_merged", reason=reason, data={"duplicate": row.pk})
        settle_all(
            row, actor=actor, outcome=TaskStatus.CANCELLED, note=_("Merged into “%(title)s”.") % {"title": target.title}
        )
        evaluate(row, actor=actor, events=("state_changed", "updated"))
        gathering_news(row, "merged", actor=actor, detail=target.title)
    return row
