"""Pages of the inspections app: the list with the inspections due, starting one, the inspection page (answers,
failed items made hazards, each department's signature, the record), the phone form that works offline
(``static/js/inspection-form.js``) and the endpoint it sends its batches to (once per key), the checklist templates
and the failed-item analytics. Thin: reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Department
from inspections import access, selectors, services
from inspections.choices import Answer, InspectionSubject, Origin
from inspections.filters import InspectionFilterSet
from inspections.models import AnswerPhoto, ChecklistTemplate, InspectionAnswer, InspectionPart
from notices.selectors import notices_for
from permits.selectors import application_get
from permits.services import temporary_structure_accept
from venues.selectors import venue_get

PAGE_SIZE = 30
MAX_BATCH_BYTES = 40 * 1024 * 1024


def _government(request: HttpRequest) -> None:
    if not access.can_see_templates(get_scope(request.user)):
        raise Http404


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    filterset = InspectionFilterSet(request.GET)
    page = Paginator(selectors.inspection_list(user=request.user, filters=filterset), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    due = list(selectors.tasks_due(user=request.user)[:20]) if get_scope(request.user).is_government else []
    return render(request, "inspections/list.html", {"form": filterset.form, "page": page, "due": due})


def _subject_from(request: HttpRequest) -> tuple[Any, Any]:
    data = request.POST if request.method == "POST" else request.GET
    venue_id, application_id = data.get("venue"), data.get("application")
    try:
        if application_id:
            return None, application_get(user=request.user, pk=int(application_id))
        if venue_id:
            return venue_get(user=request.user, pk=int(venue_id)), None
    except ValueError as exc:
        raise Http404 from exc
    raise Http404


@login_required
def inspection_start(request: HttpRequest) -> HttpResponse:
    """Start an inspection of a venue (?venue=) or a permitted event (?application=): on the spot, or the one a
    rule's task asks for (?task=, which names the rule)."""
    venue, application = _subject_from(request)
    path = (application.jurisdiction_path if application is not None else venue.jurisdiction_path) or ""
    scope = get_scope(request.user)
    if not access.can_start(scope, path):
        raise Http404
    try:
        template = services.template_for(venue=venue, application=application)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("inspections:list")
    departments = list(Department.objects.filter(is_active=True).select_related("jurisdiction").order_by("name"))
    departments = [d for d in departments if path.startswith(d.jurisdiction.path)]
    task_rule = request.GET.get("rule") or request.POST.get("rule") or ""
    if request.method == "POST":
        chosen = [d for d in departments if str(d.pk) in request.POST.getlist("departments")]
        try:
            inspection = services.inspection_start(
                actor=request.user,
                venue=venue,
                application=application,
                template=template,
                origin=Origin.SCHEDULED if task_rule else Origin.ON_THE_SPOT,
                rule_key=task_rule[:64],
                departments=chosen,
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as error:
            messages.error(request, str(error))
        else:
            return redirect("inspections:fill", pk=inspection.pk)
    return render(
        request,
        "inspections/start.html",
        {
            "venue": venue,
            "application": application,
            "template": template,
            "departments": departments,
            "lead": scope.department_covering(path),
            "rule": task_rule,
        },
    )


def _detail_context(request: HttpRequest, inspection: Any) -> dict[str, Any]:
    scope = get_scope(request.user)
    parts = list(inspection.parts.select_related("department", "signed_by", "inspection"))
    structures = []
    if inspection.application_id:
        structures = list(inspection.application.structures.all())
    return {
        "inspection": inspection,
        "sections": selectors.form_sections(inspection),
        "failed": selectors.failed_answers(inspection),
        "parts": [(p, access.can_sign(scope, p)) for p in parts],
        "can_fill": access.can_fill(scope, inspection),
        "can_complete": access.can_fill(scope, inspection) and not parts,
        "notices": notices_for(inspection),
        "structures": structures,
    }


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    return render(request, "inspections/detail.html", _detail_context(request, inspection))


@login_required
def inspection_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form: saved on the phone as it is filled, sent when online (once per batch key)."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if not access.can_fill(get_scope(request.user), inspection):
        return redirect("inspections:detail", pk=pk)
    return render(
        request,
        "inspections/fill.html",
        {
            "inspection": inspection,
            "sections": selectors.form_sections(inspection),
            "answers": Answer,
            "submit_url": reverse("inspections:answers", args=[inspection.pk]),
        },
    )


@login_required
@require_POST
def inspection_answers(request: HttpRequest, pk: int) -> JsonResponse:
    """A batch from the phone form: multipart with ``payload`` (JSON: key, answers, latitude, longitude,
    device_time) and photos named ``photo-<item id>``. Applied once per key; a repeat answers the stored result."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    try:
        payload = json.loads(request.POST.get("payload") or "{}")
    except ValueError:
        return JsonResponse({"error": _("The batch could not be read.")}, status=400)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers", []), list):
        return JsonResponse({"error": _("The batch could not be read.")}, status=400)
    photos: dict[int, list[Any]] = {}
    for name in request.FILES:
        if name.startswith("photo-") and name[6:].isdigit():
            photos[int(name[6:])] = request.FILES.getlist(name)
    try:
        result = services.answers_submit(
            inspection=inspection,
            actor=request.user,
            key=payload.get("key"),
            answers=payload.get("answers") or [],
            photos=photos,
            latitude=payload.get("latitude"),
            longitude=payload.get("longitude"),
            device_time=payload.get("device_time"),
        )
    except PermissionDeniedError as error:
        return JsonResponse({"error": str(error)}, status=403)
    except DomainError as error:
        return JsonResponse({"error": str(error), "field": error.field}, status=400)
    return JsonResponse(result)


def _act(request: HttpRequest, pk: int, call: Any, success: str) -> HttpResponse:
    try:
        call()
    except PermissionDeniedError as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("inspections:detail", pk=pk)


@login_required
@require_POST
def answer_hazard(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    answer = get_object_or_404(InspectionAnswer, pk=answer_pk, inspection=inspection)
    return _act(
        request,
        pk,
        lambda: services.answer_to_hazard(answer=answer, actor=request.user, note=request.POST.get("note", "")),
        _("Recorded as a hazard."),
    )


@login_required
@require_POST
def part_sign(request: HttpRequest, pk: int, part_pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    part = get_object_or_404(InspectionPart, pk=part_pk, inspection=inspection)
    return _act(
        request,
        pk,
        lambda: services.part_sign(part=part, actor=request.user, note=request.POST.get("note", "")),
        _("Signed."),
    )


@login_required
@require_POST
def inspection_complete(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    return _act(
        request,
        pk,
        lambda: services.inspection_complete(inspection=inspection, actor=request.user),
        _("Inspection completed."),
    )


@login_required
@require_POST
def structure_accept(request: HttpRequest, pk: int, structure_pk: int) -> HttpResponse:
    """Accept (验收) a temporary structure of the inspected event in this inspection (permits' service)."""
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    if inspection.subject_type != InspectionSubject.PERMIT_APPLICATION:
        raise Http404
    application = inspection.application
    if application is None:
        raise Http404
    structure = get_object_or_404(application.structures.all(), pk=structure_pk)
    if not access.can_fill(get_scope(request.user), inspection):
        raise PermissionDenied(_("You do not take part in this inspection."))
    return _act(
        request,
        pk,
        lambda: temporary_structure_accept(
            structure=structure, actor=request.user, inspection=inspection, note=request.POST.get("note", "")
        ),
        _("Structure accepted."),
    )


@login_required
def answer_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    inspection = selectors.inspection_get(user=request.user, pk=pk)
    photo = get_object_or_404(AnswerPhoto, pk=photo_pk, answer__inspection=inspection)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=photo.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    _government(request)
    return render(request, "inspections/templates.html", {"templates": selectors.templates_current()})


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _government(request)
    template = get_object_or_404(ChecklistTemplate, pk=pk)
    versions = ChecklistTemplate.objects.filter(code=template.code).order_by("-version")
    sections = template.sections.prefetch_related("items").order_by("order", "id")
    return render(
        request, "inspections/template_detail.html", {"template": template, "sections": sections, "versions": versions}
    )


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    _government(request)
    return render(request, "inspections/analytics.html", {"analytics": selectors.analytics(user=request.user)})
