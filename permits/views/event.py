"""Issue 21 pages' actions: the event's planned resources, its temporary structures and their acceptance, the
event-day readiness, the post-event review and copying a past application. Each is a POST to one application the
user may see (404 otherwise) that calls one service; a domain error becomes a message on the page it came from.
The blocks themselves are panels on the application's page and the reviewer workspace (``permits.event_panels``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from permits import selectors, services
from permits.access import is_reviewer
from permits.forms import PostEventReviewForm, ResourceForm, StructureAcceptForm, StructureForm
from permits.models import TemporaryStructure
from venues.models import Zone


def _back(request, application, anchor: str):
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    target = target.split("#")[0] or reverse("permits:application_detail", args=[application.pk])
    return redirect(f"{target}#{anchor}")


def _errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {errors[0]}" if label else errors[0])


def _run(request, application, call, success: str, anchor: str):
    try:
        call()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return _back(request, application, anchor)


def _zones(application):
    return Zone.objects.filter(venue_id=application.venue_id).order_by("name")


@login_required
@require_POST
def resource_set(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    form = ResourceForm(request.POST, sessions=application.sessions.all(), zones=_zones(application))
    if not form.is_valid():
        _errors(request, form)
        return _back(request, application, "resources")
    data = form.cleaned_data
    return _run(
        request,
        application,
        lambda: services.resource_set(
            application=application,
            actor=request.user,
            resource=data["resource"],
            count=data["count"],
            session=data["session"],
            zone=data["zone"],
        ),
        _("The resource plan was saved."),
        "resources",
    )


@login_required
@require_POST
def structure_add(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    form = StructureForm(request.POST, zones=_zones(application))
    if not form.is_valid():
        _errors(request, form)
        return _back(request, application, "structures")
    data = form.cleaned_data
    return _run(
        request,
        application,
        lambda: services.temporary_structure_add(
            application=application,
            actor=request.user,
            kind=data["kind"],
            name=data["name"],
            zone=data["zone"],
            builder=data["builder"],
        ),
        _("The temporary structure was added."),
        "structures",
    )


def _structure(request, pk, structure_pk):
    application = selectors.application_get(user=request.user, pk=pk)
    structure = get_object_or_404(TemporaryStructure, pk=structure_pk, application=application)
    return application, structure


@login_required
@require_POST
def structure_remove(request, pk: int, structure_pk: int):
    application, structure = _structure(request, pk, structure_pk)
    return _run(
        request,
        application,
        lambda: services.temporary_structure_remove(structure=structure, actor=request.user),
        _("The temporary structure was removed."),
        "structures",
    )


@login_required
@require_POST
def structure_accept(request, pk: int, structure_pk: int):
    application, structure = _structure(request, pk, structure_pk)
    form = StructureAcceptForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return _back(request, application, "structures")
    return _run(
        request,
        application,
        lambda: services.temporary_structure_accept(
            structure=structure, actor=request.user, note=form.cleaned_data["note"]
        ),
        _("The structure is recorded as accepted."),
        "structures",
    )


@login_required
@require_POST
def mark_ready(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    return _run(
        request,
        application,
        lambda: services.application_mark_ready(application=application, actor=request.user),
        _("The event is confirmed ready."),
        "structures",
    )


@login_required
@require_POST
def review_record(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    department = is_reviewer(get_scope(request.user), application)
    form = PostEventReviewForm(request.POST, sessions=list(application.sessions.all()), department=department)
    if not form.is_valid():
        _errors(request, form)
        return _back(request, application, "post-event-review")
    data = form.cleaned_data
    return _run(
        request,
        application,
        lambda: services.review_record(
            application=application,
            actor=request.user,
            attendance=form.attendance(),
            incidents=data["incidents"],
            worked=data["worked"],
            did_not_work=data["did_not_work"],
            outcome=data.get("outcome", ""),
        ),
        _("The review was saved."),
        "post-event-review",
    )


@login_required
@require_POST
def application_copy(request, pk: int):
    source = selectors.application_get(user=request.user, pk=pk)
    try:
        application = services.application_copy(source=source, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", pk=source.pk)
    messages.success(request, _("A new draft was started from this application: add its sessions and documents."))
    return redirect("permits:application_edit", pk=application.pk)
