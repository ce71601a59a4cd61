"""The application pages: the list, the organizer's portal form (one page, one small form per part), the
application's own page, and the actions on it. Thin: reads through ``permits.selectors`` (anything outside
the user's scope is a 404), writes through ``permits.services``; a domain error is shown next to its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdsafe.common import pickers, pii
from crowdsafe.common.pickers import picker_query, picker_response
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Organisation
from permits import selectors, services
from permits.filters import PermitApplicationFilterSet
from permits.forms import (
    ApplicationForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    CommentForm,
    ConditionCheckForm,
    ConditionReportForm,
    MaterialForm,
    NewApplicationForm,
    OptionalReasonForm,
    PlanForm,
    ReasonForm,
    SessionForm,
    SupervisionForm,
    TicketsForm,
    UndertakerForm,
    venue_label,
)
from permits.models import ApplicationMaterial, ChangeRequest, EventSession, PermitCondition, Undertaker
from permits.views.common import add_error, notices_context, panels, roles, state_labels

PAGE_SIZE = 50


def _venues_for(organisation: Organisation):
    """Venues an organizer may choose: the active ones of the organisation's city (never listed on a page: the
    form's venue field searches them, ``venue_picker`` answers the search as you type)."""
    return services.venues_open_to(organisation)


def _picker_url(organisation: Organisation | None = None) -> str:
    url = reverse("permits:venue_picker")
    return f"{url}?organisation={organisation.pk}" if organisation is not None else url


def _own_organisations(user):
    scope = get_scope(user)
    return Organisation.objects.filter(pk__in=sorted(scope.organisation_ids_for(Role.ORGANIZER))).select_related(
        "jurisdiction"
    )


# --- list ----------------------------------------------------------------------------------------------------


@login_required
def application_list(request):
    filters = PermitApplicationFilterSet(request.GET)
    applications = selectors.application_list(user=request.user, filters=filters)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = state_labels()
    return render(
        request,
        "permits/application_list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": [(application, labels[application.state]) for application in page.object_list],
            "filtered": filters.is_filtered(),
            "can_apply": _own_organisations(request.user).exists(),
            "today": timezone.localdate(),
        },
    )


# --- create and the portal form --------------------------------------------------------------------------------


@require_GET
@login_required
def venue_picker(request):
    """The venue picker's search (``?q=`` part of a name; ``?organisation=`` one of the user's applicant
    organisations, else all of them): the venues they may choose, at most ``pickers.LIMIT``. Only organizers."""
    organisations = _own_organisations(request.user)
    wanted = request.GET.get("organisation", "")
    if wanted.isdigit():
        organisations = organisations.filter(pk=int(wanted))
    organisations = list(organisations)
    if not organisations:
        raise PermissionDenied(_("Only an event organizer may apply for a permit."))
    query = picker_query(request)
    if not query:
        return picker_response([])
    venues = (
        services.venues_open_to(*organisations)
        .filter(name__icontains=query)
        .select_related("grid")
        .order_by("name", "id")[: pickers.LIMIT]
    )
    return picker_response(
        [
            {"code": str(v.pk), "name": venue_label(v), "level": str(v.get_kind_display()), "parent": v.address}
            for v in venues
        ]
    )


@login_required
def application_create(request):
    organisations = _own_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Only an event organizer may apply for a permit."))
    first = organisations.first()
    chosen = organisations.filter(pk=request.POST.get("organisation") or 0).first() or first
    form = NewApplicationForm(
        request.POST or None,
        organisations=organisations,
        venues=_venues_for(chosen),
        picker_url=_picker_url(chosen if organisations.count() == 1 else None),
        initial={
            "organisation": first.pk,
            "safety_person_name": first.safety_officer_name,
            "safety_person_phone": first.safety_officer_phone,
            "safety_person_id_number": first.safety_officer_id_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = data.pop("organisation")
        try:
            application = services.application_create(organisation=organisation, actor=request.user, **data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Add the sessions, undertakers, tickets, documents and plan."))
            return redirect("permits:application_edit", pk=application.pk)
    return render(request, "permits/application_create.html", {"form": form})


def _editable(request, pk):
    application = selectors.application_detail(user=request.user, pk=pk)
    if not roles(request.user, application)["is_organizer"]:
        raise PermissionDenied(_("Only the applicant's organizers may change the application."))
    return application


def _edit_page(request, application, **bound):
    """The portal form: every part of the application with its own form, the completeness check and the legal
    checks with their articles. ``bound`` replaces a default form with one that failed validation."""
    zones = list(application.venue.zones.order_by("name", "id")) if application.venue else []
    capacities = selectors.zone_capacities(application.venue) if application.venue else {}
    plans = {p.zone_id: p.tickets for p in application.zone_plans.all()}
    forms = {
        "application_form": ApplicationForm(
            initial=ApplicationForm.initial_for(application),
            venues=_venues_for(application.organisation),
            picker_url=_picker_url(application.organisation),
        ),
        "session_form": SessionForm(),
        "undertaker_form": UndertakerForm(),
        "tickets_form": TicketsForm(
            initial={f"zone_{z}": n for z, n in plans.items()}, zones=zones, capacities=capacities
        ),
        "material_form": MaterialForm(),
        "plan_form": PlanForm(initial=PlanForm.initial_for(application)),
    }
    forms.update(bound)
    checks = selectors.legal_checks(application, zone_capacities=capacities)
    status = 400 if bound else 200
    return render(
        request,
        "permits/application_edit.html",
        {
            "application": application,
            "checks": checks,
            "missing": selectors.missing_items(application),
            "comments": selectors.comments_for(user=request.user, application=application),
            **forms,
        },
        status=status,
    )


@login_required
def application_edit(request, pk: int):
    application = _editable(request, pk)
    if not application.is_editable:
        messages.info(request, _("The application can no longer be changed."))
        return redirect("permits:application_detail", pk=application.pk)
    return _edit_page(request, application)


def _back(application, anchor: str, message: str, request):
    messages.success(request, message)
    return redirect(reverse("permits:application_edit", args=[application.pk]) + f"#{anchor}")


@login_required
@require_POST
def edit_event(request, pk: int):
    application = _editable(request, pk)
    form = ApplicationForm(
        request.POST, venues=_venues_for(application.organisation), picker_url=_picker_url(application.organisation)
    )
    if form.is_valid():
        try:
            services.application_update(application=application, actor=request.user, data=form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "event", _("Saved."), request)
    return _edit_page(request, application, application_form=form)


@login_required
@require_POST
def edit_session_add(request, pk: int):
    application = _editable(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_add(application=application, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "sessions", _("Session added."), request)
    return _edit_page(request, application, session_form=form)


@login_required
@require_POST
def edit_session_remove(request, pk: int, session_pk: int):
    application = _editable(request, pk)
    session = get_object_or_404(EventSession, pk=session_pk, application=application)
    try:
        services.session_remove(session=session, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", pk=application.pk)
    return _back(application, "sessions", _("Session removed."), request)


@login_required
@require_POST
def edit_undertaker_add(request, pk: int):
    application = _editable(request, pk)
    form = UndertakerForm(request.POST)
    if form.is_valid():
        try:
            services.undertaker_add(application=application, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "undertakers", _("Undertaker added."), request)
    return _edit_page(request, application, undertaker_form=form)


@login_required
@require_POST
def edit_undertaker_remove(request, pk: int, undertaker_pk: int):
    application = _editable(request, pk)
    undertaker = get_object_or_404(Undertaker, pk=undertaker_pk, application=application)
    try:
        services.undertaker_remove(undertaker=undertaker, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", pk=application.pk)
    return _back(application, "undertakers", _("Undertaker removed."), request)


@login_required
@require_POST
def edit_tickets(request, pk: int):
    application = _editable(request, pk)
    zones = list(application.venue.zones.order_by("name", "id")) if application.venue else []
    form = TicketsForm(request.POST, zones=zones, capacities=selectors.zone_capacities(application.venue))
    if form.is_valid():
        try:
            services.tickets_set(application=application, actor=request.user, tickets=form.tickets())
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "tickets", _("Ticketing plan saved."), request)
    return _edit_page(request, application, tickets_form=form)


@login_required
@require_POST
def edit_material_add(request, pk: int):
    application = _editable(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_upload(
                application=application,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "materials", _("Document filed."), request)
    return _edit_page(request, application, material_form=form)


@login_required
@require_POST
def edit_material_remove(request, pk: int, material_pk: int):
    application = _editable(request, pk)
    material = get_object_or_404(ApplicationMaterial, pk=material_pk, application=application)
    try:
        services.material_remove(material=material, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", pk=application.pk)
    return _back(application, "materials", _("Document removed."), request)


@login_required
@require_POST
def edit_plan(request, pk: int):
    application = _editable(request, pk)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_save(
                application=application,
                actor=request.user,
                mode=form.cleaned_data["plan_mode"],
                sections=form.service_sections(),
            )
        except DomainError as exc:
            add_error(form, exc)
        else:
            return _back(application, "security-plan", _("Security plan saved."), request)
    return _edit_page(request, application, plan_form=form)


@login_required
@require_POST
def application_submit(request, pk: int):
    application = _editable(request, pk)
    try:
        services.application_submit(application=application, actor=request.user)
    except DomainError as exc:
        for _field, message in exc.problems:  # every reason at once
            messages.error(request, message)
        return redirect(reverse("permits:application_edit", args=[application.pk]) + "#completeness")
    messages.success(request, _("Submitted. The licensing department decides on acceptance within 5 working days."))
    return redirect("permits:application_detail", pk=application.pk)


# --- the application's page ------------------------------------------------------------------------------------


def detail_context(request, application) -> dict:
    """What the application's page and the reviewer workspace both show."""
    capacities = selectors.zone_capacities(application.venue) if application.venue else {}
    return {
        "application": application,
        "checks": selectors.legal_checks(application, zone_capacities=capacities),
        "missing": selectors.missing_items(application) if application.is_editable else [],
        "comments": selectors.comments_for(user=request.user, application=application),
        "panels": panels(request, application),
        "today": timezone.localdate(),
        "promise": selectors.describe_promise(application.promised_rule),
        **roles(request.user, application),
        **notices_context(application),
        **pii.page_reveal(
            request,
            subject=application,
            fields=personal_fields(application),
            organisation_id=application.organisation_id,
        ),
    }


def personal_fields(application) -> dict[str, str]:
    """The personal details the application's page shows, {field: kind} (issue 18 point 8)."""
    fields = {"safety_person_phone": pii.PHONE, "safety_person_id_number": pii.RESIDENT_ID}
    shown = {field: kind for field, kind in fields.items() if getattr(application, field)}
    if any(u.contact_phone for u in application.undertakers.all()):
        shown["undertakers.contact_phone"] = pii.PHONE
    return shown


@login_required
def application_detail(request, pk: int):
    application = selectors.application_detail(user=request.user, pk=pk)
    context = detail_context(request, application)
    context.update(
        {
            "withdraw_form": OptionalReasonForm(),
            "cancel_form": ReasonForm(),
            "change_form": ChangeRequestForm(sessions=application.sessions.all()),
            "change_decision_form": ChangeDecisionForm(),
            "comment_form": CommentForm(),
            "report_form": ConditionReportForm(),
            "check_form": ConditionCheckForm(),
            "supervision_form": SupervisionForm(),
            "close_form": OptionalReasonForm(),
        }
    )
    return render(request, "permits/application_detail.html", context)


def _act(request, pk, call, success: str, *, anchor: str = ""):
    """Run one service call for a visible application; a domain error becomes a message on its page."""
    application = selectors.application_get(user=request.user, pk=pk)
    try:
        call(application)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(reverse("permits:application_detail", args=[application.pk]) + (f"#{anchor}" if anchor else ""))


def _form_or_error(request, form) -> bool:
    if form.is_valid():
        return True
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
    return False


@login_required
@require_POST
def application_withdraw(request, pk: int):
    selectors.application_get(user=request.user, pk=pk)  # the scope before the body (issue 18 point 6)
    form = OptionalReasonForm(request.POST)
    if not _form_or_error(request, form):
        return redirect("permits:application_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda a: services.application_withdraw(application=a, actor=request.user, reason=form.cleaned_data["reason"]),
        _("The application was withdrawn."),
    )


@login_required
@require_POST
def application_cancel(request, pk: int):
    selectors.application_get(user=request.user, pk=pk)  # the scope before the body (issue 18 point 6)
    form = ReasonForm(request.POST)
    if not _form_or_error(request, form):
        return redirect("permits:application_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda a: services.application_cancel(application=a, actor=request.user, reason=form.cleaned_data["reason"]),
        _("The event was cancelled; the licensing department has been notified."),
    )


@login_required
@require_POST
def application_held(request, pk: int):
    return _act(
        request,
        pk,
        lambda a: services.application_mark_held(application=a, actor=request.user),
        _("Marked as held."),
    )


@login_required
@require_POST
def application_close(request, pk: int):
    selectors.application_get(user=request.user, pk=pk)  # the scope before the body (issue 18 point 6)
    form = OptionalReasonForm(request.POST)
    if not _form_or_error(request, form):
        return redirect("permits:application_detail", pk=pk)
    return _act(
        request,
        pk,
        lambda a: services.application_close(application=a, actor=request.user, note=form.cleaned_data["reason"]),
        _("Closed."),
    )


@login_required
@require_POST
def change_request(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    form = ChangeRequestForm(request.POST, sessions=application.sessions.all())
    if not _form_or_error(request, form):
        return redirect(reverse("permits:application_detail", args=[pk]) + "#changes")
    data = form.cleaned_data
    return _act(
        request,
        pk,
        lambda a: services.change_request_submit(
            application=a,
            actor=request.user,
            kind=data["kind"],
            session=data["session"],
            new_starts_at=data["new_starts_at"],
            new_ends_at=data["new_ends_at"],
            reason=data["reason"],
        ),
        _("Change request sent to the licensing department."),
        anchor="changes",
    )


@login_required
@require_POST
def change_decide(request, pk: int, change_pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    change = get_object_or_404(ChangeRequest, pk=change_pk, application=application)
    form = ChangeDecisionForm(request.POST)
    if not _form_or_error(request, form):
        return redirect(reverse("permits:application_detail", args=[pk]) + "#changes")
    return _act(
        request,
        pk,
        lambda a: services.change_request_decide(
            change=change, actor=request.user, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
        ),
        _("Change request decided."),
        anchor="changes",
    )


@login_required
@require_POST
def comment_add(request, pk: int):
    selectors.application_get(user=request.user, pk=pk)  # the scope before the body (issue 18 point 6)
    form = CommentForm(request.POST)
    back = request.POST.get("next") or ""
    if not _form_or_error(request, form):
        return redirect(back if back.startswith("/permits/") else reverse("permits:application_detail", args=[pk]))
    application = selectors.application_get(user=request.user, pk=pk)
    try:
        services.comment_add(application=application, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment added."))
    target = back if back.startswith("/permits/") else reverse("permits:application_detail", args=[pk])
    return redirect(target + "#comments")


def _condition(request, pk, condition_pk):
    application = selectors.application_get(user=request.user, pk=pk)
    return get_object_or_404(PermitCondition, pk=condition_pk, application=application)


@login_required
@require_POST
def condition_report(request, pk: int, condition_pk: int):
    condition = _condition(request, pk, condition_pk)
    form = ConditionReportForm(request.POST)
    if not _form_or_error(request, form):
        return redirect(reverse("permits:application_detail", args=[pk]) + "#conditions")
    return _act(
        request,
        pk,
        lambda a: services.condition_report(condition=condition, actor=request.user, note=form.cleaned_data["note"]),
        _("Reported done; the licensing department will check it."),
        anchor="conditions",
    )


@login_required
@require_POST
def condition_check(request, pk: int, condition_pk: int):
    condition = _condition(request, pk, condition_pk)
    form = ConditionCheckForm(request.POST)
    if not _form_or_error(request, form):
        return redirect(reverse("permits:application_detail", args=[pk]) + "#conditions")
    return _act(
        request,
        pk,
        lambda a: services.condition_check(
            condition=condition, actor=request.user, done=form.cleaned_data["done"], note=form.cleaned_data["note"]
        ),
        _("Condition checked."),
        anchor="conditions",
    )


@login_required
@require_POST
def supervision_add(request, pk: int):
    selectors.application_get(user=request.user, pk=pk)  # the scope before the body (issue 18 point 6)
    form = SupervisionForm(request.POST)
    if not _form_or_error(request, form):
        return redirect(reverse("permits:application_detail", args=[pk]) + "#supervision")
    return _act(
        request,
        pk,
        lambda a: services.supervision_record(application=a, actor=request.user, **form.cleaned_data),
        _("Supervision recorded."),
        anchor="supervision",
    )
