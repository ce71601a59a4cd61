"""Exercise mode (演练, issue 15 point 6): a count series replayed into an exercise copy of a zone.

- ``series_parse``: an uploaded CSV (``time,count``) checked row by row into [[seconds, count], ...].
- ``exercise_create``: the exercise copy of a zone (same place, kind, area and capacities; ``exercise=True``),
  its replay source, the participants; ``exercise_start`` sets it going; ``exercise_step`` (the Celery task
  ``monitoring.exercise_step``) ingests the rows that are due through the one ingest path
  (``readings_ingest``) and schedules itself for the next row; ``exercise_cancel``.
- Alerts: the monitoring core raises an exercise copy's episodes marked ``exercise`` and hands them to the
  dispatcher registered here (``connect()``), which raises them through ``alert_raise`` with ``exercise=True`` and
  the participants as the only recipients: each participant gets the urgent alert marked 【演练】, acknowledges it
  and is re-sent it like a real one, and nobody else is told — the real zone's township, on-duty desk and leader
  get nothing, and nothing is passed up the chain.
- ``exercise_record_drill``: the exercise recorded as a drill of its plan (``drills.services.drill_record``) with
  what the replay did (levels, alerts, times) and the after-action items.

Time: the replayed readings carry a simulated time that ends when the replay ends. Row k (``offset`` seconds
after the first) is ingested at wall time ``started + offset / speed`` and dated
``started + duration / speed − duration + offset``: at ×1 that is the wall clock; at ×60 a 90-minute series
takes 90 seconds and its readings fall over the 90 minutes before its end — never in the future — so the trend
(persons per minute), the forecast and the 5-minute hysteresis see the series' own minutes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import Scope, actor_scope, path_q
from drills.models import EmergencyPlan
from drills.services.drills import ItemSpec, drill_record
from monitoring import access, hooks
from monitoring.choices import AlertKind, SourceKind
from monitoring.exercise_models import Exercise, ExerciseState
from monitoring.models import MonitoringAlert, Zone, ZoneState
from monitoring.services.ingest import readings_ingest
from monitoring.services.zones import builtin_source

SERIES_MAX_BYTES = 1024 * 1024
SERIES_MAX_ROWS = 20_000
SERIES_MAX_HOURS = 24
SPEEDS = (1, 2, 5, 10, 20, 30, 60)
# At most this many rows are ingested by one step (a late worker catches up in batches, never one huge one).
STEP_MAX_ROWS = 500


# --- visibility ---------------------------------------------------------------------------------------------


def exercise_visible_q(scope: Scope) -> Q:
    """An exercise is seen by the government people of its territory and by its participants."""
    territory = path_q(scope.paths_for(None), field="jurisdiction_path")
    if scope.user_id is None:
        return territory
    mine = Exercise.participants.through.objects.filter(user_id=scope.user_id).values("exercise_id")
    return territory | Q(pk__in=mine)


def can_run(scope: Scope, exercise: Exercise) -> bool:
    """Start, cancel and record an exercise: whoever may manage zones at its place."""
    return access.can_manage_at(scope, exercise.jurisdiction_path)


# --- the series ---------------------------------------------------------------------------------------------


def series_parse(data: bytes | str) -> list[list[int]]:
    """The rows of a ``time,count`` CSV as [[seconds after the first row, count], ...]. ``time``: ISO 8601 (a
    date and time, with or without an offset) or seconds from the start. A header row is allowed. Every error
    names its line; nothing is half-accepted."""
    if isinstance(data, bytes):
        if len(data) > SERIES_MAX_BYTES:
            raise DomainError(_("The series file is larger than 1 MB."), field="series")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(_("The series file is not UTF-8 text."), field="series") from None
    rows: list[tuple[float, int]] = []
    first_time: dt.datetime | None = None
    for number, line in enumerate(csv.reader(io.StringIO(data)), start=1):
        if not line or not "".join(line).strip():
            continue
        if len(line) < 2:
            raise DomainError(_("Line %(n)s: give a time and a count.") % {"n": number}, field="series")
        when, count_text = line[0].strip(), line[1].strip()
        if number == 1 and not count_text.lstrip("-").isdigit():
            continue  # the header
        try:
            count = int(count_text)
        except ValueError:
            raise DomainError(
                _("Line %(n)s: the count is not a whole number.") % {"n": number}, field="series"
            ) from None
        if count < 0:
            raise DomainError(_("Line %(n)s: the count is negative.") % {"n": number}, field="series")
        moment = parse_datetime(when) if not _is_number(when) else None
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            first_time = first_time or moment
            seconds = (moment - first_time).total_seconds()
        elif _is_number(when):
            seconds = float(when)
        else:
            raise DomainError(_("Line %(n)s: the time is not a date and time.") % {"n": number}, field="series")
        if rows and seconds <= rows[-1][0]:
            raise DomainError(_("Line %(n)s: the times must go forward.") % {"n": number}, field="series")
        rows.append((seconds, count))
        if len(rows) > SERIES_MAX_ROWS:
            raise DomainError(_("The series has more than %(n)s rows.") % {"n": SERIES_MAX_ROWS}, field="series")
    if len(rows) < 2:
        raise DomainError(_("The series needs at least two rows."), field="series")
    start = rows[0][0]
    if rows[-1][0] - start > SERIES_MAX_HOURS * 3600:
        raise DomainError(_("The series is longer than 24 hours."), field="series")
    return [[round(seconds - start), count] for seconds, count in rows]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- create, start, step, cancel ----------------------------------------------------------------------------


def exercise_create(
    *,
    zone: Zone,
    series: Sequence[Sequence[int]],
    series_name: str,
    speed: int,
    participants: Iterable[Any],
    actor: Any,
    plan: EmergencyPlan | None = None,
    title: str = "",
) -> Exercise:
    """An exercise of ``zone``: its exercise copy (same place, kind, area, capacities, polygon; never on the board,
    its alerts marked 演练) and the replay source of the copy."""
    scope = actor_scope(actor)
    if zone.exercise:
        raise DomainError(_("Choose a real zone, not an exercise copy."), field="zone")
    if not access.can_manage(scope, zone):
        raise PermissionDeniedError(_("You may not run exercises on this zone."))
    if int(speed) not in SPEEDS:
        raise DomainError(_("Choose a speed from ×1 to ×60."), field="speed")
    people = [p for p in participants if getattr(p, "is_active", False)]
    if not people:
        raise DomainError(
            _("Name at least one participant: the exercise's alerts reach only them."), field="participants"
        )
    if plan is not None and not plan.is_active:
        raise DomainError(_("This plan has been withdrawn."), field="plan")
    rows = [[int(s), int(c)] for s, c in series]
    title = (title or "").strip()[:200] or _("Exercise: %(zone)s") % {"zone": zone.name}
    with transaction.atomic():
        # The copy is the core's Zone with exercise=True (zone_create does not take the exercise fields).
        copy = Zone.objects.create(
            name=f"【{_('Exercise')}】{zone.name}"[:128],
            jurisdiction=zone.jurisdiction,
            jurisdiction_path=zone.jurisdiction_path,
            kind=zone.kind,
            area_m2=zone.area_m2,
            area_source=zone.area_source,
            polygon=zone.polygon,
            declared_capacity=zone.declared_capacity,
            safe_capacity=zone.safe_capacity,
            approved_capacity=zone.approved_capacity,
            exercise=True,
            exercise_of=zone,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        ZoneState.objects.create(zone=copy)
        source = builtin_source(copy, SourceKind.MANUAL)
        exercise = Exercise.objects.create(
            title=title,
            original=zone,
            zone=copy,
            source=source,
            plan=plan,
            series_name=(series_name or "").strip()[:200] or _("uploaded series"),
            series=rows,
            speed=int(speed),
            jurisdiction_path=zone.jurisdiction_path,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        exercise.participants.set(people)
        log_action(
            actor=actor,
            subject=exercise,
            verb="exercise_created",
            data={
                "zone": zone.pk,
                "copy": copy.pk,
                "rows": len(rows),
                "speed": exercise.speed,
                "participants": [p.pk for p in people],
            },
        )
    return exercise


def _locked(exercise: Exercise) -> Exercise:
    return Exercise.objects.select_for_update().get(pk=exercise.pk)


def exercise_start(*, exercise: Exercise, actor: Any, now: dt.datetime | None = None) -> Exercise:
    if not can_run(actor_scope(actor), exercise):
        raise PermissionDeniedError(_("You may not run this exercise."))
    with transaction.atomic():
        # The lock: two taps on "start" make one replay (the second finds it running and is refused).
        row = _locked(exercise)
        if row.state != ExerciseState.PREPARED:
            raise DomainError(_("This exercise has already been started."), code="invalid_state")
        row.state, row.started_at = ExerciseState.RUNNING, now or timezone.now()
        row.save(update_fields=["state", "started_at"])
        log_action(
            actor=actor,
            subject=row,
            verb="exercise_started",
            from_state=ExerciseState.PREPARED,
            to_state=row.state,
            data={"speed": row.speed},
        )
        transaction.on_commit(lambda: exercise_step_task.delay(row.pk))
    return row


def exercise_cancel(*, exercise: Exercise, actor: Any) -> Exercise:
    if not can_run(actor_scope(actor), exercise):
        raise PermissionDeniedError(_("You may not run this exercise."))
    with transaction.atomic():
        row = _locked(exercise)
        if row.state in (ExerciseState.FINISHED, ExerciseState.CANCELLED):
            return row
        previous = row.state
        row.state, row.finished_at = ExerciseState.CANCELLED, timezone.now()
        row.save(update_fields=["state", "finished_at"])
        log_action(actor=actor, subject=row, verb="exercise_cancelled", from_state=previous, to_state=row.state)
    return row


def simulated_time(exercise: Exercise, offset_s: float) -> dt.datetime:
    """The time a row ``offset_s`` seconds into the series is dated (see the module docstring)."""
    assert exercise.started_at is not None
    duration = exercise.duration_s
    return exercise.started_at + dt.timedelta(seconds=duration / exercise.speed - duration + offset_s)


def exercise_step(*, exercise_id: int, now: dt.datetime | None = None) -> float | None:
    """Ingest the rows due by ``now``; returns the seconds until the next row is due (None when the replay is
    over or not running). Idempotent: the row lock and ``next_index`` make a second run for the same moment a
    no-op, and the ingest stores a reading once per (source, zone, observed_at) anyway."""
    now = now or timezone.now()
    with transaction.atomic():
        row = Exercise.objects.select_for_update(of=("self",)).select_related("source").filter(pk=exercise_id).first()
        if row is None or row.state != ExerciseState.RUNNING or row.started_at is None or row.source is None:
            return None
        reached = (now - row.started_at).total_seconds() * row.speed
        due: list[dict[str, Any]] = []
        index = row.next_index
        while index < len(row.series) and row.series[index][0] <= reached and len(due) < STEP_MAX_ROWS:
            offset, count = row.series[index]
            due.append({"zone": row.zone_id, "observed_at": simulated_time(row, offset), "count": count})
            index += 1
        if due:
            readings_ingest(source=row.source, rows=due, now=max(d["observed_at"] for d in due))
        row.next_index = index
        fields = ["next_index"]
        if index >= len(row.series):
            row.state, row.finished_at = ExerciseState.FINISHED, now
            fields += ["state", "finished_at"]
            log_action(
                actor=None,
                subject=row,
                verb="exercise_finished",
                from_state=ExerciseState.RUNNING,
                to_state=row.state,
                data={"rows": len(row.series)},
            )
        row.save(update_fields=fields)
        if row.state != ExerciseState.RUNNING:
            return None
        next_offset = row.series[index][0]
        return max(0.0, next_offset / row.speed - (now - row.started_at).total_seconds())


@shared_task(name="monitoring.exercise_step", ignore_result=True)
def exercise_step_task(exercise_id: int) -> None:
    """One step of a replay; schedules the next (a short countdown: at most the series' interval ÷ speed)."""
    wait = exercise_step(exercise_id=exercise_id)
    if wait is not None:
        exercise_step_task.apply_async(args=[exercise_id], countdown=min(wait, 60.0))


# --- alerts reach only the participants ---------------------------------------------------------------------


def participants_of(zone: Zone) -> list[Any]:
    """The people of the exercise running on ``zone`` (an exercise copy); [] for any other zone."""
    if not zone.exercise:
        return []
    exercise = Exercise.objects.filter(zone=zone).first()
    return list(exercise.participants.filter(is_active=True)) if exercise is not None else []


def exercise_dispatch(episode: MonitoringAlert) -> None:
    """An exercise copy's alert episode: the urgent alert of the same rule and level as the real zone's would be
    (``alert_raise``), marked as an exercise (【演练】 in every message) and addressed to the exercise's participants
    only — each acknowledges it from their own link or in the app, and is sent it again when they do not, like a
    real alert; it is never passed up to anyone outside the exercise. The real zone's township, on-duty desk and
    leader get nothing."""
    from monitoring.services.alerts import RULES

    zone = episode.zone
    if zone is None or not zone.exercise:
        return
    people = participants_of(zone)
    if not people:
        return
    alert = alert_raise(
        rule_key=RULES[AlertKind(episode.kind)],
        subject=episode,
        level=episode.level,
        jurisdiction=episode.jurisdiction,
        reason=_("This is an exercise, not a real alert.") + " " + (episode.reason or ""),
        actor=None,
        exercise=True,
        people=people,
    )
    log_action(
        actor=None,
        subject=episode,
        verb="monitoring_alert_raised",
        to_state=episode.level,
        reason=episode.reason,
        data={"exercise": True, "participants": [p.pk for p in people], "alert": alert.pk if alert else None},
    )


def connect() -> None:
    """Register the exercise dispatcher with the monitoring core and the exercise's action-log verbs (called
    from the app's ``ready``)."""
    from crowdsafe.audit.verbs import register

    hooks.register_exercise_dispatcher(exercise_dispatch)
    register(
        {
            "exercise_created": gettext_lazy("exercise prepared"),
            "exercise_started": gettext_lazy("exercise started"),
            "exercise_cancelled": gettext_lazy("exercise cancelled"),
            "exercise_finished": gettext_lazy("exercise replay finished"),
            "exercise_recorded": gettext_lazy("exercise recorded as a drill"),
        }
    )


# --- the drill record ---------------------------------------------------------------------------------------


def exercise_summary(exercise: Exercise) -> str:
    """What the replay did, in words: the series, the speed, each alert with its level and time."""
    alerts = MonitoringAlert.objects.filter(zone=exercise.zone).order_by("raised_at")
    lines = [
        _(
            "Series “%(name)s” (%(rows)s counts over %(minutes)s minutes) replayed at ×%(speed)s into an exercise copy "
            "of %(zone)s."
        )
        % {
            "name": exercise.series_name,
            "rows": len(exercise.series),
            "minutes": round(exercise.duration_s / 60),
            "speed": exercise.speed,
            "zone": exercise.original.name,
        }
    ]
    for alert in alerts:
        when = timezone.localtime(alert.observed_at or alert.raised_at).strftime("%H:%M")
        lines.append(f"{when} {alert.get_kind_display()} · {alert.get_level_display()}: {alert.reason}".strip())
    if len(lines) == 1:
        lines.append(_("No alert was raised."))
    return "\n".join(lines)


def exercise_record_drill(
    *,
    exercise: Exercise,
    actor: Any,
    narrative: str = "",
    problems: str = "",
    items: Sequence[ItemSpec] = (),
    plan: EmergencyPlan | None = None,
) -> Any:
    """Record the exercise as a drill of its plan (a functional drill held today), with the replay's summary and
    the after-action items. Once: a second call returns the drill already recorded."""
    if not can_run(actor_scope(actor), exercise):
        raise PermissionDeniedError(_("You may not record this exercise."))
    with transaction.atomic():
        row = _locked(exercise)
        if row.drill_id:
            return row.drill
        if row.state == ExerciseState.PREPARED:
            raise DomainError(_("Start the exercise before recording it."), code="invalid_state")
        plan = plan or row.plan
        if plan is None:
            raise DomainError(_("Choose the emergency plan the exercise drilled."), field="plan")
        people = list(row.participants.all())
        summary = exercise_summary(row)
        drill = drill_record(
            actor=actor,
            plan=plan,
            held_on=timezone.localdate(),
            scenario=_("Monitoring exercise (演练): %(title)s") % {"title": row.title},
            form="functional",
            place=row.original.name,
            narrative="\n\n".join(p for p in (summary, (narrative or "").strip()) if p),
            participants_count=len(people),
            participants_note="、".join(p.display_name for p in people),
            problems=problems,
            items=items,
        )
        row.drill, row.plan = drill, plan
        row.save(update_fields=["drill", "plan"])
        log_action(actor=actor, subject=row, verb="exercise_recorded", data={"drill": drill.pk})
    return drill
