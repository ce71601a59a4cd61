"""The exercise pages (演练, issue 15 point 6): the list, a new exercise (a count series uploaded or a shipped sample,
the real zone, the participants, the speed), and one exercise with its progress (polled while it replays), its
alerts marked 演练, start / cancel, and the drill it is recorded as. Thin: ``monitoring.exercise`` holds the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope, get_scoped_or_404, path_q
from monitoring import access
from monitoring import exercise as ex
from monitoring.exercise_models import Exercise, ExerciseState
from monitoring.forms import ExerciseForm, RecordForm
from monitoring.models import MonitoringAlert, Zone

POLL_SECONDS = 5
OPTIONS_MAX = 300


def _zones(request: HttpRequest) -> list[Zone]:
    """The real zones the user may run exercises on."""
    scope = get_scope(request.user)
    zones = (
        Zone.objects.visible_to(request.user)
        .filter(exercise=False, is_active=True)
        .select_related("jurisdiction")
        .order_by("jurisdiction_path", "name", "id")
    )
    return [z for z in zones[: OPTIONS_MAX * 2] if access.can_manage(scope, z)][:OPTIONS_MAX]


def _people(request: HttpRequest) -> QuerySet[Any]:
    """The people of the user's territory (jurisdiction and department memberships), the user included."""
    scope = get_scope(request.user)
    people = get_user_model().objects.filter(is_active=True)
    if not scope.is_superuser:
        paths = scope.paths_for(None)
        people = people.filter(
            path_q(paths, field="memberships__jurisdiction__path")
            | path_q(paths, field="memberships__department__jurisdiction__path")
            | Q(pk=request.user.pk)
        )
    return people.distinct().order_by("username")[:OPTIONS_MAX]


def _plans(request: HttpRequest) -> list[Any]:
    from drills.selectors import plan_list

    return list(plan_list(user=request.user)[:OPTIONS_MAX])


def _exercise(request: HttpRequest, pk: int) -> Exercise:
    qs = Exercise.objects.visible_to(request.user).select_related("original", "original__jurisdiction", "zone", "plan")
    return get_scoped_or_404(qs, pk=pk)


def _add_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "series":
        field = "series_file"
    form.add_error(field, str(exc.message))


@login_required
@require_GET
def exercise_list(request: HttpRequest) -> HttpResponse:
    exercises = list(Exercise.objects.visible_to(request.user).select_related("original", "drill")[:200])
    return render(
        request,
        "monitoring/exercise_list.html",
        {"exercises": exercises, "can_create": bool(_zones(request))},
    )


@login_required
def exercise_create(request: HttpRequest) -> HttpResponse:
    zones = _zones(request)
    if not zones:
        raise PermissionDenied(_("You may not run exercises on any zone."))
    people, plans = list(_people(request)), _plans(request)
    form = ExerciseForm(request.POST or None, request.FILES or None, zones=zones, people=people, plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {p.pk: p for p in people}
        plan = next((p for p in plans if p.pk == data["plan"]), None)
        try:
            raw, name = form.series_bytes()
            exercise = ex.exercise_create(
                zone=next(z for z in zones if z.pk == data["zone"]),
                series=ex.series_parse(raw),
                series_name=name,
                speed=data["speed"],
                participants=[chosen[pk] for pk in data["participants"] if pk in chosen],
                actor=request.user,
                plan=plan,
                title=data["title"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Exercise “%(title)s” prepared.") % {"title": exercise.title})
            return redirect("monitoring:exercise_detail", exercise.pk)
    return render(request, "monitoring/exercise_form.html", {"form": form})


def _detail_context(request: HttpRequest, exercise: Exercise) -> dict[str, Any]:
    total = len(exercise.series)
    done = min(exercise.next_index, total)
    return {
        "exercise": exercise,
        "running": exercise.state == ExerciseState.RUNNING,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
        "minutes": round(exercise.duration_s / 60),
        "alerts": list(MonitoringAlert.objects.filter(zone=exercise.zone).order_by("raised_at", "id")),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
@require_GET
def exercise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = _exercise(request, pk)
    can_run = ex.can_run(get_scope(request.user), exercise)
    context = _detail_context(request, exercise)
    context.update(
        {
            "can_run": can_run,
            "participants": list(exercise.participants.order_by("username")),
            "record_form": RecordForm(plans=_plans(request), initial={"plan": exercise.plan_id})
            if can_run and not exercise.drill_id and exercise.state != ExerciseState.PREPARED
            else None,
        }
    )
    return render(request, "monitoring/exercise_detail.html", context)


@login_required
@require_GET
def exercise_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress card with the exercise's alerts, polled while the replay runs."""
    exercise = _exercise(request, pk)
    return render(request, "monitoring/_exercise_progress.html", _detail_context(request, exercise))


def _run(request: HttpRequest, action: Any, done: str) -> None:
    try:
        action()
    except PermissionDeniedError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)


@login_required
@require_POST
def exercise_start(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = _exercise(request, pk)
    _run(request, lambda: ex.exercise_start(exercise=exercise, actor=request.user), _("The replay has started."))
    return redirect("monitoring:exercise_detail", exercise.pk)


@login_required
@require_POST
def exercise_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = _exercise(request, pk)
    _run(request, lambda: ex.exercise_cancel(exercise=exercise, actor=request.user), _("The exercise was cancelled."))
    return redirect("monitoring:exercise_detail", exercise.pk)


@login_required
@require_POST
def exercise_record(request: HttpRequest, pk: int) -> HttpResponse:
    exercise = _exercise(request, pk)
    plans = _plans(request)
    form = RecordForm(request.POST, plans=plans)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("monitoring:exercise_detail", exercise.pk)
    data = form.cleaned_data
    plan = next((p for p in plans if p.pk == data["plan"]), None)
    _run(
        request,
        lambda: ex.exercise_record_drill(
            exercise=exercise, actor=request.user, narrative=data["narrative"], problems=data["problems"], plan=plan
        ),
        _("The exercise was recorded as a drill."),
    )
    return redirect("monitoring:exercise_detail", exercise.pk)
