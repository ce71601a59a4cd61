"""The licensing department's pages: the reviewer queue (by deadline), the workspace (the application, its
materials and every computed check side by side, with the comment threads and the review's actions), and the
joint inspection pages of the inspecting departments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from permits import selectors, services
from permits.access import is_inspector
from permits.choices import DecisionOutcome
from permits.filters import ReviewQueueFilterSet
from permits.forms import CommentForm, CorrectionForm, DecisionForm, InspectionForm, ReasonsForm
from permits.views.common import add_error, roles, state_labels
from permits.views.portal import detail_context

PAGE_SIZE = 50


@login_required
def review_queue(request):
    """The applications waiting for the user's licensing departments, earliest deadline first, with the days
    left (overdue in red)."""
    scope = get_scope(request.user)
    if not (scope.department_ids or scope.is_superuser or scope.admin_paths):
        raise PermissionDenied(_("The review queue is for the staff of a licensing department."))
    filters = ReviewQueueFilterSet(request.GET)
    queue = selectors.review_queue(user=request.user, filters=filters)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    labels = state_labels()
    rows = []
    for application in page.object_list:
        days_left = selectors.days_left(application.review_due, today)
        rows.append(
            {
                "application": application,
                "days_left": days_left,
                "overdue": -days_left if days_left is not None and days_left < 0 else 0,
                "step": selectors.step_label(application),
                "state_label": labels[application.state],
            }
        )
    inspections = list(selectors.my_inspections(user=request.user)[:PAGE_SIZE])
    return render(
        request,
        "permits/review_queue.html",
        {"form": filters.form, "page": page, "rows": rows, "inspections": inspections, "today": today},
    )


def _reviewed(request, pk):
    application = selectors.application_detail(user=request.user, pk=pk)
    if not roles(request.user, application)["is_reviewer"]:
        raise PermissionDenied(_("The workspace is for the licensing department."))
    return application


def _workspace(request, application, **bound):
    context = detail_context(request, application)
    plans = list(application.zone_plans.all())
    initial_capacity = application.approved_capacity or min(
        filter(None, [context["checks"].capacity_limit, application.expected_attendance]), default=None
    )
    forms = {
        "correction_form": CorrectionForm(),
        "not_accept_form": ReasonsForm(),
        "decision_form": DecisionForm(plans=plans, initial={"approved_capacity": initial_capacity}),
        "comment_form": CommentForm(),
    }
    forms.update(bound)
    context.update(forms)
    days_left = selectors.days_left(application.review_due)
    context["days_left"] = days_left
    context["days_overdue"] = -days_left if days_left is not None and days_left < 0 else 0
    return render(request, "permits/workspace.html", context, status=400 if bound else 200)


@login_required
def workspace(request, pk: int):
    return _workspace(request, _reviewed(request, pk))


def _done(request, application, message: str):
    messages.success(request, message)
    return redirect("permits:workspace", pk=application.pk)


def _simple(request, pk, call, message):
    application = _reviewed(request, pk)
    try:
        call(application)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:workspace", pk=application.pk)
    return _done(request, application, message)


@login_required
@require_POST
def accept(request, pk: int):
    return _simple(
        request,
        pk,
        lambda a: services.application_accept(application=a, actor=request.user),
        _("Accepted; the acceptance notice is issued and the decision deadlines are set."),
    )


@login_required
@require_POST
def start_review(request, pk: int):
    return _simple(
        request,
        pk,
        lambda a: services.application_start_review(application=a, actor=request.user),
        _("Review started."),
    )


@login_required
@require_POST
def start_inspection(request, pk: int):
    return _simple(
        request,
        pk,
        lambda a: services.application_start_inspection(application=a, actor=request.user),
        _("Joint site inspection started; the departments have been asked."),
    )


@login_required
@require_POST
def return_for_correction(request, pk: int):
    application = _reviewed(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.application_return_for_correction(
                application=application,
                actor=request.user,
                items=form.cleaned_data["items"],
                correction_due=form.cleaned_data["correction_due"],
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _done(request, application, _("Returned for correction; the correction notice is issued."))
    return _workspace(request, application, correction_form=form)


@login_required
@require_POST
def not_accept(request, pk: int):
    application = _reviewed(request, pk)
    form = ReasonsForm(request.POST)
    if form.is_valid():
        try:
            services.application_not_accept(
                application=application, actor=request.user, reasons=form.cleaned_data["reasons"]
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _done(request, application, _("Not accepted; the notice is issued."))
    return _workspace(request, application, not_accept_form=form)


@login_required
@require_POST
def decide(request, pk: int):
    application = _reviewed(request, pk)
    form = DecisionForm(request.POST, plans=list(application.zone_plans.all()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.application_decide(
                application=application,
                actor=request.user,
                outcome=data["outcome"],
                approved_capacity=data["approved_capacity"],
                tickets_by_zone=form.tickets(),
                conditions=data["conditions"],
                reasons=data["reasons"],
            )
        except DomainError as exc:
            add_error(form, exc, aliases={"tickets": "approved_capacity"})
        else:
            message = (
                _("Approved; the permit decision is issued.")
                if data["outcome"] == DecisionOutcome.APPROVE
                else _("Refused; the refusal is issued.")
            )
            return _done(request, application, message)
    return _workspace(request, application, decision_form=form)


# --- the joint site inspection -----------------------------------------------------------------------------------


@login_required
def inspection(request, pk: int):
    """One department's part of the joint inspection: the application's essentials beside the form."""
    item = selectors.inspection_get(user=request.user, pk=pk)
    can_record = is_inspector(get_scope(request.user), item) and not item.is_recorded
    form = InspectionForm(request.POST or None, request.FILES or None, initial={"inspected_on": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(_("Only the inspecting department may record this inspection."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.inspection_record(
                    inspection=item,
                    actor=request.user,
                    passed=data["passed"],
                    findings=data["findings"],
                    inspected_on=data["inspected_on"],
                    photos=data["photos"],
                )
            except DomainError as exc:
                add_error(form, exc)
            else:
                messages.success(request, _("Inspection recorded. Thank you."))
                return redirect("permits:inspection", pk=item.pk)
    application = item.application
    others = list(application.inspections.select_related("department").order_by("id"))
    capacities = selectors.zone_capacities(application.venue) if application.venue else {}
    return render(
        request,
        "permits/inspection.html",
        {
            "inspection": item,
            "application": application,
            "others": others,
            "checks": selectors.legal_checks(application, zone_capacities=capacities),
            "sessions": list(application.sessions.all()),
            "zone_plans": list(application.zone_plans.select_related("zone")),
            "materials": list(application.materials.all()),
            "photos": list(item.photos.all()),
            "form": form,
            "can_record": can_record,
            "comment_form": CommentForm(),
            "status": 400 if request.method == "POST" else 200,
        },
        status=400 if request.method == "POST" else 200,
    )
