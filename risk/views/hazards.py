"""Pages of hazards: list, report (about a subject or at a place), detail with every rectification step, and the
scoped photo view (media files are not served publicly)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.common.pagination import CappedPaginator
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction
from crowdsafe.org.selectors import jurisdiction_list
from notices.selectors import notices_for
from risk import access, selectors, services
from risk.choices import HazardLevel, HazardState
from risk.filters import HazardFilterSet
from risk.forms import (
    ConfirmClosureForm,
    ExtensionDecisionForm,
    ExtensionForm,
    FixForm,
    HazardForm,
    OrderForm,
    PhotosForm,
    PlanForm,
    ReasonForm,
    VerifyForm,
)
from risk.models import HazardExtension, HazardPhoto
from risk.services.hazards import DEFAULT_LEGAL_BASIS
from risk.subjects import subject_for, subject_url_by_id
from risk.views.common import PAGE_SIZE, add_domain_error, query_without_page

ORDINARY_DAYS = 7
MAJOR_DAYS = 30


# Where the hazard form's map opens when the venue has no position: 安阳市 (the demo city).
DEFAULT_MAP_CENTER = (36.0976, 114.3926)


@login_required
def hazard_list(request):
    filters = HazardFilterSet(request.GET)
    today = timezone.localdate()
    # The count stops at 10,000 (over that the page says so): a city's open hazards are never counted whole.
    plan = selectors.hazard_count_plan(user=request.user, filters=filters, today=today)
    page = CappedPaginator(
        selectors.hazard_table(user=request.user, filters=filters, today=today),
        PAGE_SIZE,
        count_order=plan.order,
        lower_bound=plan.lower_bound,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/hazard_list.html",
        {
            "form": filters.form,
            "page": page,
            "today": today,
            "filtered": filters.is_filtered(),
            "query": query_without_page(request),
            "counts": selectors.hazard_counts(user=request.user, today=today),
        },
    )


@login_required
def hazard_create(request):
    """Report a hazard about ``?subject_type=…&subject_id=…`` (optionally found in ``assessment=…``), or at a place
    without either (a grid or community chosen in the form)."""
    params = request.POST if request.method == "POST" else request.GET
    info = None
    if params.get("subject_type"):
        info = subject_for(user=request.user, subject_type=params["subject_type"], subject_id=params.get("subject_id"))
    assessment = None
    if params.get("assessment"):
        assessment = selectors.assessment_get(user=request.user, pk=params["assessment"])
    today = timezone.localdate()
    initial = {
        "found_on": today,
        "level": HazardLevel.ORDINARY,
        "source": "assessment" if assessment else "inspection",
        "rectification_deadline": today + dt.timedelta(days=ORDINARY_DAYS),
        "location": info.venue.address if info and info.venue and info.venue.address else "",
    }
    form = HazardForm(request.POST or None, request.FILES or None, initial=initial, needs_place=info is None)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["assessment"] = assessment
        jurisdiction = None
        if info is None:
            jurisdiction = Jurisdiction.objects.filter(code=form.cleaned_data["jurisdiction"].strip().upper()).first()
            if jurisdiction is None:
                form.add_error("jurisdiction", _("No grid or community has this code."))
        if not form.errors:
            try:
                hazard = services.hazard_report(
                    actor=request.user,
                    data=data,
                    subject=info,
                    jurisdiction=jurisdiction,
                    photos=form.cleaned_data["photos"],
                    fixed_on_spot=form.cleaned_data["fixed_on_spot"],
                    fix_note=form.cleaned_data["fix_note"],
                    fix_photos=form.cleaned_data["fix_photos"],
                )
            except DomainError as exc:
                add_domain_error(form, exc, {"organisation": "responsible_unit_name"})
            else:
                messages.success(request, _("Hazard recorded."))
                return redirect("risk:hazard_detail", pk=hazard.pk)
    grids = jurisdiction_list(user=request.user).filter(level__in=["grid", "community"])[:300] if info is None else []
    # The location map opens on the venue when it has a position, else on the city (settings.MAP_DEFAULT_CENTER).
    venue = info.venue if info else None
    center = (
        (venue.latitude, venue.longitude)
        if venue is not None and venue.has_location
        else getattr(settings, "MAP_DEFAULT_CENTER", DEFAULT_MAP_CENTER)
    )
    return render(
        request,
        "risk/hazard_form.html",
        {
            "form": form,
            "info": info,
            "assessment": assessment,
            "grids": grids,
            "major_days": MAJOR_DAYS,
            "map_center": [str(value) for value in center],
            "map_tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "map_tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        },
    )


@login_required
def hazard_detail(request, pk: int):
    hazard = selectors.hazard_detail(user=request.user, pk=pk)
    user = request.user
    today = timezone.localdate()
    scope = get_scope(user)
    may_rectify = access.can_rectify(scope, hazard)
    may_supervise = access.can_supervise(scope, hazard)
    plan = getattr(hazard, "plan", None) if hazard.is_major else None
    photos = list(hazard.photos.all())
    notices = list(notices_for(hazard))
    pending = next((e for e in hazard.extensions.all() if e.can_decide()), None)
    return render(
        request,
        "risk/hazard_detail.html",
        {
            "hazard": hazard,
            "today": today,
            "overdue": hazard.overdue_on(today),
            "plan": plan,
            "found_photos": [p for p in photos if p.stage == "found"],
            "fixed_photos": [p for p in photos if p.stage == "fixed"],
            "verifications": list(hazard.verifications.all()),
            "extensions": list(hazard.extensions.all()),
            "pending_extension": pending,
            "notices": notices,
            "subject_url": subject_url_by_id(hazard.subject_type, hazard.subject_id) if hazard.subject_type else None,
            "can_rectify": may_rectify and hazard.is_open,
            "can_supervise": may_supervise and hazard.is_open,
            "can_plan": may_rectify and hazard.can_submit_plan(),
            "can_close": may_rectify and hazard.can_close_with_photo(),
            "can_report_fixed": may_rectify and hazard.can_report_fixed(),
            "can_verify": may_supervise and hazard.can_verify(),
            "can_confirm_closure": hazard.can_confirm_closure() and access.can_confirm_closure(scope, hazard),
            "can_issue_order": may_supervise
            and hazard.is_open
            and access.issuing_department(scope, hazard) is not None,
            "plan_form": PlanForm(
                initial={
                    "deadline": hazard.rectification_deadline,
                    **(
                        {f: getattr(plan, f) for f in ("goal", "measures", "funds_yuan", "people", "interim_measures")}
                        if plan
                        else {}
                    ),
                }
            ),
            "fix_form": FixForm(),
            "photos_form": PhotosForm(),
            "verify_form": VerifyForm(initial={"inspected_on": today}),
            "extension_form": ExtensionForm(),
            "decision_form": ExtensionDecisionForm(),
            "confirm_form": ConfirmClosureForm(),
            "order_form": OrderForm(initial={"legal_basis": DEFAULT_LEGAL_BASIS}),
            "reason_form": ReasonForm(),
        },
    )


def _back(hazard, anchor: str = "") -> str:
    return reverse("risk:hazard_detail", args=[hazard.pk]) + (f"#{anchor}" if anchor else "")


def _form_action(request, hazard, form, call, *, success, anchor: str = ""):
    """A step with a form posted from the hazard page: invalid input or a domain error is shown as a message.
    ``success`` is the message, or a function of the service's result that gives it."""
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_back(hazard, anchor))
    try:
        result = call(form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(_back(hazard, anchor))


@login_required
@require_POST
def hazard_plan(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        PlanForm(request.POST),
        lambda data: services.hazard_submit_plan(hazard=hazard, actor=request.user, data=data),
        success=_("Rectification plan saved."),
        anchor="plan",
    )


@login_required
@require_POST
def hazard_fix(request, pk: int):
    """An ordinary hazard: closed with a photo. A major one: reported fixed, to be verified."""
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    form = FixForm(request.POST, request.FILES)
    if hazard.is_major:
        call = lambda data: services.hazard_report_fixed(  # noqa: E731
            hazard=hazard, actor=request.user, note=data["note"], photos=data["photos"]
        )
        success = _("Reported fixed: the supervising department will verify it.")
    else:
        call = lambda data: services.hazard_close(  # noqa: E731
            hazard=hazard, actor=request.user, note=data["note"], photos=data["photos"]
        )
        success = _closed_or_awaiting
    return _form_action(request, hazard, form, call, success=success)


def _closed_or_awaiting(hazard) -> str:
    if hazard.state == HazardState.CLOSED:
        return _("Hazard closed.")
    return _("Reported fixed: the department that found the hazard confirms its closure.")


@login_required
@require_POST
def hazard_close(request, pk: int):
    """Closing by hand, for both levels: the service refuses a major hazard (only a verification closes it)."""
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        FixForm(request.POST, request.FILES),
        lambda data: services.hazard_close(hazard=hazard, actor=request.user, note=data["note"], photos=data["photos"]),
        success=_closed_or_awaiting,
    )


@login_required
@require_POST
def hazard_photos(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        PhotosForm(request.POST, request.FILES),
        lambda data: services.hazard_add_photos(hazard=hazard, actor=request.user, photos=data["photos"]),
        success=_("Photos added."),
        anchor="photos",
    )


@login_required
@require_POST
def hazard_verify(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        VerifyForm(request.POST, request.FILES),
        lambda data: services.hazard_verify(
            hazard=hazard,
            actor=request.user,
            inspected_on=data["inspected_on"],
            outcome=data["outcome"],
            findings=data["findings"],
            photos=data["photos"],
        ),
        success=_("Verification recorded."),
        anchor="verification",
    )


@login_required
@require_POST
def hazard_confirm_closure(request, pk: int):
    """The finding department confirms (or refuses) the closure of an ordinary hazard someone else fixed."""
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        ConfirmClosureForm(request.POST),
        lambda data: services.hazard_confirm_closure(
            hazard=hazard, actor=request.user, confirmed=data["decision"] == "confirm", note=data["note"]
        ),
        success=_("Decision recorded."),
    )


@login_required
@require_POST
def hazard_extension(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        ExtensionForm(request.POST),
        lambda data: services.hazard_request_extension(
            hazard=hazard, actor=request.user, reason=data["reason"], requested_deadline=data["requested_deadline"]
        ),
        success=_("Extension requested."),
        anchor="extensions",
    )


@login_required
@require_POST
def hazard_extension_decide(request, pk: int, extension_pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    extension = get_object_or_404(HazardExtension, pk=extension_pk, hazard=hazard)
    return _form_action(
        request,
        hazard,
        ExtensionDecisionForm(request.POST),
        lambda data: services.hazard_decide_extension(
            extension=extension, actor=request.user, approve=data["decision"] == "approve", note=data["note"]
        ),
        success=_("Decision recorded."),
        anchor="extensions",
    )


@login_required
@require_POST
def hazard_cancel(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    return _form_action(
        request,
        hazard,
        ReasonForm(request.POST),
        lambda data: services.hazard_cancel(hazard=hazard, actor=request.user, reason=data["reason"]),
        success=_("Hazard cancelled."),
    )


@login_required
@require_POST
def hazard_order(request, pk: int):
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    form = OrderForm(request.POST)
    return _form_action(
        request,
        hazard,
        form,
        lambda data: services.hazard_issue_order(
            hazard=hazard, actor=request.user, measures_required=form.measures(), legal_basis=data["legal_basis"]
        ),
        success=_("Rectification order issued."),
        anchor="notices",
    )


@login_required
def hazard_photo(request, pk: int, photo_pk: int):
    """A hazard's photo, to those who may see the hazard."""
    hazard = selectors.hazard_get(user=request.user, pk=pk)
    photo = get_object_or_404(HazardPhoto, pk=photo_pk, hazard=hazard)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=photo.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
