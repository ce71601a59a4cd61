"""Task pages: the work queue (with bulk actions for heads), task detail with its actions and timeline, the
leaders' responsibility overview, and the rules and their health. Thin: reads through ``duties.selectors``
(already scoped: anything outside the user's scope is a 404), writes through ``duties.services``."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope, get_scoped_or_404
from duties import selectors, services
from duties.access import can_manage, can_see_overview, can_see_rules_health, can_work
from duties.conditions import describe_conditions
from duties.coverage import recipient_gaps
from duties.explain import calendar_warning, explain
from duties.filters import TaskFilterSet, queue_filter_fields
from duties.forms import BulkForm, CompleteForm, ReasonForm, ReassignForm
from duties.subjects import attribute_label, registration_for_name

PAGE_SIZE = 50


def _people_for(scope) -> list:
    """Whom a head can give tasks to: the people of the departments they head."""
    if not scope.head_of_department_ids:
        return []
    return selectors.department_people(department_ids=scope.head_of_department_ids)


@login_required
def queue(request):
    scope = get_scope(request.user)
    departments = list(selectors.queue_departments(user=request.user))
    filters = TaskFilterSet(request.GET, departments=departments)
    today = timezone.localdate()
    tasks = selectors.task_queue(user=request.user, filters=filters, today=today)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    is_head = bool(scope.head_of_department_ids) or scope.is_superuser
    context = {
        "form": filters.form,
        "filter_fields": queue_filter_fields(filters),
        "page": page,
        "today": today,
        "filtered": filters.is_filtered(),
        "held": filters.valid("held") or "",
        "is_head": is_head,
        "can_see_overview": can_see_overview(scope),
    }
    if is_head:
        # (id, name): a city's 136 departments are options here, not model objects with their jurisdictions.
        context["bulk_departments"] = list(selectors.reassign_targets(user=request.user).values_list("pk", "name"))
        context["bulk_people"] = [
            (m.user_id, f"{m.user.display_name} · {m.department.name}") for m in _people_for(scope)
        ]
    return render(request, "duties/queue.html", context)


@login_required
@require_POST
def bulk(request):
    """Heads' bulk actions on the tasks selected in the queue: start them, or reassign them with a reason."""
    scope = get_scope(request.user)
    if not (scope.head_of_department_ids or scope.is_superuser):
        raise PermissionDenied
    ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
    tasks = list(selectors.task_list(user=request.user).filter(pk__in=ids).order_by("due_date", "id"))
    departments = list(selectors.reassign_targets(user=request.user))
    people = _people_for(scope)
    form = BulkForm(request.POST, task_ids=[t.pk for t in tasks], departments=departments, people=people)
    back = request.POST.get("next") or ""
    back = back if back.startswith("/tasks/") else "/tasks/"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    chosen = [t for t in tasks if t.pk in set(data["tasks"])]
    try:
        if data["action"] == BulkForm.ACTION_START:
            result = services.task_bulk_start(tasks=chosen, actor=request.user)
        else:
            department = next((d for d in departments if d.pk == data.get("department")), None)
            person = next((m.user for m in people if m.user_id == data.get("person")), None)
            result = services.task_bulk_reassign(
                tasks=chosen, actor=request.user, reason=data["reason"], department=department, person=person
            )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.done:
        done = len(result.done)
        messages.success(request, ngettext("%(n)d task done.", "%(n)d tasks done.", done) % {"n": done})
    for task, reason in result.refused:
        messages.warning(request, f"{task.duty_name} · {task.subject_label}: {reason}")
    return redirect(back)


def _task_or_404(request, pk: int):
    return get_scoped_or_404(
        selectors.task_list(user=request.user).select_related(
            "rule", "completed_by", "responsible_department__jurisdiction"
        ),
        pk=pk,
    )


def _subject_url(task) -> str | None:
    registration = registration_for_name(task.subject_type)
    if registration is None:
        return None
    subject = registration.get(task.subject_id)
    get_url = getattr(subject, "get_absolute_url", None)
    return get_url() if get_url else None


@login_required
def detail(request, pk: int):
    task = _task_or_404(request, pk)
    scope = get_scope(request.user)
    may_manage = can_manage(scope, task)
    context = {
        "task": task,
        "today": timezone.localdate(),
        "explanation": explain(task.explanation_data) if task.explanation_data else task.explanation,
        "calendar_warning": calendar_warning(task.explanation_data),
        "attachments": list(task.attachments.select_related("uploaded_by")),
        "reassignments": list(task.reassignments.select_related("actor")),
        "subject_url": _subject_url(task),
        "may_work": can_work(scope, task),
        "may_manage": may_manage,
        "complete_form": CompleteForm(),
        "cancel_form": ReasonForm(),
    }
    if may_manage and task.can_reassign():
        people = selectors.department_people(
            department_ids=[task.responsible_department_id] if task.responsible_department_id else []
        )
        context["reassign_form"] = ReassignForm(
            departments=selectors.reassign_targets(user=request.user), people=people
        )
    return render(request, "duties/task_detail.html", context)


def _run(request, task, action) -> None:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return
    messages.success(request, _("Saved."))


@login_required
@require_POST
def start(request, pk: int):
    task = _task_or_404(request, pk)
    _run(request, task, lambda: services.task_start(task=task, actor=request.user))
    return redirect("duties:detail", pk=task.pk)


@login_required
@require_POST
def complete(request, pk: int):
    task = _task_or_404(request, pk)
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("duties:detail", pk=task.pk)
    _run(
        request,
        task,
        lambda: services.task_complete(
            task=task, actor=request.user, note=form.cleaned_data["note"], files=form.cleaned_data["files"]
        ),
    )
    return redirect("duties:detail", pk=task.pk)


@login_required
@require_POST
def reassign(request, pk: int):
    task = _task_or_404(request, pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("duties:detail", pk=task.pk)
    data = form.cleaned_data
    department = None
    if data.get("department"):
        department = selectors.reassign_targets(user=request.user).filter(pk=data["department"]).first()
        if department is None:
            messages.error(request, _("Unknown department."))
            return redirect("duties:detail", pk=task.pk)
    person = None
    if data.get("person"):
        person = get_user_model().objects.filter(pk=data["person"], is_active=True).first()
        if person is None:
            messages.error(request, _("Unknown person."))
            return redirect("duties:detail", pk=task.pk)
    _run(
        request,
        task,
        lambda: services.task_reassign(
            task=task, actor=request.user, reason=data["reason"], department=department, person=person
        ),
    )
    if not selectors.task_list(user=request.user).filter(pk=task.pk).exists():
        # Given to a department outside the user's view: the task page would now be a 404.
        return redirect("duties:queue")
    return redirect("duties:detail", pk=task.pk)


@login_required
@require_POST
def cancel(request, pk: int):
    task = _task_or_404(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling the task."))
        return redirect("duties:detail", pk=task.pk)
    _run(request, task, lambda: services.task_cancel(task=task, actor=request.user, reason=form.cleaned_data["reason"]))
    return redirect("duties:detail", pk=task.pk)


@login_required
def attachment(request, pk: int, attachment_pk: int):
    """Evidence is served only to those who may see the task, never from a public media URL."""
    task = _task_or_404(request, pk)
    item = task.attachments.filter(pk=attachment_pk).first()
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=item.original_name, content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def overview(request):
    if not can_see_overview(get_scope(request.user)):
        raise PermissionDenied
    data = selectors.responsibility_overview(user=request.user)
    return render(request, "duties/overview.html", {"overview": data})


@login_required
def rule_list(request):
    rules = [
        {
            "rule": rule,
            "conditions": describe_conditions(rule.conditions, rule.subject_type),
            "deadline_attribute": attribute_label(rule.deadline_attribute, rule.subject_type),
        }
        for rule in selectors.rule_list(user=request.user)
    ]
    return render(
        request,
        "duties/rule_list.html",
        {"rules": rules, "can_see_health": can_see_rules_health(get_scope(request.user))},
    )


@login_required
def rules_health(request):
    """Where rules would find no department (by rule: the highest such jurisdictions, with how many below
    them), and the tasks that were made unassigned."""
    if not can_see_rules_health(get_scope(request.user)):
        raise PermissionDenied
    gaps = selectors.rules_health(within=selectors.health_paths(request.user))
    by_rule: dict[int, dict] = {}
    gap_paths: dict[int, set[str]] = defaultdict(set)
    for gap in gaps:
        gap_paths[gap.rule.pk].add(gap.jurisdiction.path)
    for gap in gaps:
        entry = by_rule.setdefault(gap.rule.pk, {"rule": gap.rule, "tops": [], "total": 0})
        entry["total"] += 1
        parent_path = gap.jurisdiction.path.rsplit("/", 2)[0] + "/"
        if parent_path not in gap_paths[gap.rule.pk]:
            below = sum(
                1 for p in gap_paths[gap.rule.pk] if p != gap.jurisdiction.path and p.startswith(gap.jurisdiction.path)
            )
            entry["tops"].append({"jurisdiction": gap.jurisdiction, "below": below})
    unassigned = list(selectors.unassigned_tasks(user=request.user)[:200])
    # Holders of open tasks whom no reminder can reach (issue 14: never silent).
    uncovered = recipient_gaps(within=selectors.health_paths(request.user))
    return render(
        request,
        "duties/rules_health.html",
        {
            "rules": list(by_rule.values()),
            "gap_count": len(gaps),
            "unassigned": unassigned,
            "recipient_gaps": uncovered,
        },
    )
