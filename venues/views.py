"""Pages of the venue register. Thin: reads through ``venues.selectors`` (scoped: anything outside the user's
scope is a 404), writes through ``venues.services``; a domain error becomes a message next to its field."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crowdsafe.common import pii
from crowdsafe.common.admin import add_domain_error
from crowdsafe.common.imports import ImportPages
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Organisation
from crowdsafe.org.selectors import territory_suggestions
from venues import selectors, services, spreadsheets
from venues.capacity import load_parameters, venue_capacity_from_models
from venues.filters import VenueFilterSet
from venues.forms import (
    DeactivateForm,
    ExitForm,
    RiskPointForm,
    SpecialEquipmentForm,
    TemporaryStructureForm,
    VenueDocumentForm,
    VenueForm,
    ZoneForm,
)
from venues.models import Exit, RiskPoint, SpecialEquipment, TemporaryStructure, VenueDocument, Zone
from venues.services.documents import venue_document_remove, venue_document_upload
from venues.services.imports import VENUE_IMPORT

PAGE_SIZE = 50
# Territories offered as suggestions in the list's territory filter.
# Form fields named differently from the service's fields.
FIELD_ALIASES = {"operator": ("operator", "operator_credit_code")}


def _add_domain_error(form, exc: DomainError) -> None:
    add_domain_error(form, exc, aliases=FIELD_ALIASES)


def _managed_venue(request, pk: int):
    """The venue, if the user may see it (404 otherwise) and change it (403 otherwise)."""
    venue = selectors.venue_get(user=request.user, pk=pk)
    if not services.can_manage_venue(get_scope(request.user), venue):
        raise PermissionDenied(_("You may see this venue but not change it."))
    return venue


def _own_operators(user) -> list[Organisation] | None:
    """A venue operator (who is not also government staff) chooses among their own organisations."""
    scope = get_scope(user)
    ids = scope.organisation_ids_for(Role.VENUE_OPERATOR)
    if not ids or scope.is_superuser or scope.is_government:
        return None
    return list(Organisation.objects.filter(pk__in=sorted(ids)).order_by("name"))


# --- list, export -----------------------------------------------------------------------------------------


@login_required
def venue_list(request):
    filters = VenueFilterSet(request.GET, operators=selectors.operator_choices(user=request.user))
    venues = selectors.venue_list(user=request.user, filters=filters)
    page = Paginator(venues, PAGE_SIZE).get_page(request.GET.get("page"))
    territories = territory_suggestions(user=request.user)
    return render(
        request,
        "venues/venue_list.html",
        {
            "form": filters.form,
            "page": page,
            "filtered": filters.is_filtered(),
            "territories": territories,
            "can_create": services.can_create_venues(get_scope(request.user)),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
def venue_export(request):
    """The filtered list as .xlsx, in the import format (an export imports again)."""
    venues = selectors.venue_list(user=request.user, filters=request.GET).iterator(chunk_size=2000)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    spreadsheets.write_venues(venues, output)
    output.seek(0)
    filename = f"venues-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        output,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- venue detail, create, edit ---------------------------------------------------------------------------


@login_required
def venue_detail(request, pk: int):
    venue = selectors.venue_detail(user=request.user, pk=pk)
    capacity = venue_capacity_from_models(venue, load_parameters())
    zones = list(venue.zones.all())
    zone_names = {z.pk: z.name for z in zones}
    exits = [(e, [zone_names[z.pk] for z in e.zones.all() if z.pk in zone_names]) for e in venue.exits.all()]
    today = timezone.localdate()
    equipment = [
        (item, item.inspection_overdue(today), item.inspection_due_soon(today))
        for item in venue.special_equipment.all()
    ]
    return render(
        request,
        "venues/venue_detail.html",
        {
            "venue": venue,
            "capacity": capacity.venue,
            "zones": [(zone, capacity.zones[zone.pk]) for zone in zones],
            "exits": exits,
            "risk_points": list(venue.risk_points.all()),
            "structures": list(venue.temporary_structures.all()),
            "equipment": equipment,
            "appraisal_required": venue.safety_appraisal_required(today),
            "can_manage": services.can_manage_venue(get_scope(request.user), venue),
            "map_tile_url": getattr(settings, "MAP_TILE_URL", ""),
            "map_tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
            "deactivate_form": DeactivateForm(),
            "documents": list(venue.documents.all()),
            "document_form": VenueDocumentForm(),
            **pii.page_reveal(
                request,
                subject=venue,
                fields={"responsible_person_phone": pii.PHONE} if venue.responsible_person_phone else {},
                organisation_id=venue.operator_id,
            ),
        },
    )


def _grid_suggestions(user):
    return selectors.venue_grid_choices(user=user)


@login_required
def venue_create(request):
    if not services.can_create_venues(get_scope(request.user)):
        raise PermissionDenied(_("You may not add venues."))
    operators = _own_operators(request.user)
    form = VenueForm(request.POST or None, operators=operators)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(actor=request.user, **form.service_data())
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("Venue “%(name)s” added.") % {"name": venue.name})
            return redirect("venues:venue_detail", pk=venue.pk)
    return render(
        request,
        "venues/venue_form.html",
        {"form": form, "venue": None, "grids": _grid_suggestions(request.user)},
    )


@login_required
def venue_edit(request, pk: int):
    venue = _managed_venue(request, pk)
    operators = _own_operators(request.user)
    form = VenueForm(request.POST or None, operators=operators, initial=VenueForm.initial_for(venue))
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(venue=venue, actor=request.user, data=form.service_data())
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("Venue saved."))
            return redirect("venues:venue_detail", pk=venue.pk)
    return render(
        request,
        "venues/venue_form.html",
        {"form": form, "venue": venue, "grids": _grid_suggestions(request.user)},
    )


@login_required
@require_POST
def venue_deactivate(request, pk: int):
    venue = _managed_venue(request, pk)
    form = DeactivateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the venue is being deactivated."))
        return redirect("venues:venue_detail", pk=venue.pk)
    try:
        services.venue_deactivate(venue=venue, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The venue was deactivated."))
    return redirect("venues:venue_detail", pk=venue.pk)


@login_required
@require_POST
def venue_reactivate(request, pk: int):
    venue = _managed_venue(request, pk)
    try:
        services.venue_reactivate(venue=venue, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The venue is active again."))
    return redirect("venues:venue_detail", pk=venue.pk)


# --- parts: zones, exits, risk points, structures, equipment ----------------------------------------------


def _part_page(request, venue, form, *, title: str, multipart: bool = False, obj=None, delete_url: str = ""):
    return render(
        request,
        "venues/part_form.html",
        {
            "venue": venue,
            "form": form,
            "title": title,
            "multipart": multipart,
            "object": obj,
            "delete_url": delete_url,
        },
    )


def _saved(request, venue, message: str):
    messages.success(request, message)
    return redirect(
        reverse("venues:venue_detail", args=[venue.pk]) + "#" + request.resolver_match.url_name.split("_")[0]
    )


def _run(form, call):
    """Call the service for a valid form; a domain error goes onto the form. Returns the result or None."""
    try:
        return call()
    except DomainError as exc:
        _add_domain_error(form, exc)
        return None


@login_required
def zone_form(request, pk: int, zone_pk: int | None = None):
    venue = _managed_venue(request, pk)
    zone = get_object_or_404(Zone, pk=zone_pk, venue=venue) if zone_pk else None
    initial = {f: getattr(zone, f) for f in ("name", "kind", "usable_area_m2", "seats")} if zone else None
    form = ZoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if zone is None:
            result = _run(form, lambda: services.zone_create(venue=venue, actor=request.user, **data))
        else:
            result = _run(form, lambda: services.zone_update(zone=zone, actor=request.user, data=data))
        if result is not None:
            return _saved(request, venue, _("Zone saved; the capacity is recomputed."))
    title = _("Edit zone “%(name)s”") % {"name": zone.name} if zone else _("Add a zone")
    delete_url = reverse("venues:zone_delete", args=[venue.pk, zone.pk]) if zone else ""
    return _part_page(request, venue, form, title=title, obj=zone, delete_url=delete_url)


@login_required
@require_POST
def zone_delete(request, pk: int, zone_pk: int):
    venue = _managed_venue(request, pk)
    zone = get_object_or_404(Zone, pk=zone_pk, venue=venue)
    try:
        services.zone_delete(zone=zone, actor=request.user)
    except DomainError as exc:  # e.g. a permit application still plans tickets for the zone
        messages.error(request, str(exc.message))
        return redirect(reverse("venues:venue_detail", args=[venue.pk]) + "#zone")
    return _saved(request, venue, _("Zone removed; the capacity is recomputed."))


@login_required
def exit_form(request, pk: int, exit_pk: int | None = None):
    venue = _managed_venue(request, pk)
    exit_ = get_object_or_404(Exit, pk=exit_pk, venue=venue) if exit_pk else None
    initial = None
    if exit_:
        initial = {"name": exit_.name, "kind": exit_.kind, "clear_width_m": exit_.clear_width_m}
        initial["zones"] = list(exit_.zones.values_list("pk", flat=True))
    form = ExitForm(request.POST or None, venue=venue, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if exit_ is None:
            result = _run(form, lambda: services.exit_create(venue=venue, actor=request.user, **data))
        else:
            result = _run(form, lambda: services.exit_update(exit=exit_, actor=request.user, data=data))
        if result is not None:
            return _saved(request, venue, _("Exit saved; the capacity is recomputed."))
    title = _("Edit exit “%(name)s”") % {"name": exit_.name} if exit_ else _("Add an exit")
    delete_url = reverse("venues:exit_delete", args=[venue.pk, exit_.pk]) if exit_ else ""
    return _part_page(request, venue, form, title=title, obj=exit_, delete_url=delete_url)


@login_required
@require_POST
def exit_delete(request, pk: int, exit_pk: int):
    venue = _managed_venue(request, pk)
    exit_ = get_object_or_404(Exit, pk=exit_pk, venue=venue)
    services.exit_delete(exit=exit_, actor=request.user)
    return _saved(request, venue, _("Exit removed; the capacity is recomputed."))


@login_required
def risk_point_form(request, pk: int, point_pk: int | None = None):
    venue = _managed_venue(request, pk)
    point = get_object_or_404(RiskPoint, pk=point_pk, venue=venue) if point_pk else None
    initial = {"kind": point.kind, "notes": point.notes} if point else None
    form = RiskPointForm(request.POST or None, request.FILES or None, initial=initial, editing=point is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if point is None:
            result = _run(
                form,
                lambda: services.risk_point_create(
                    venue=venue, actor=request.user, kind=data["kind"], notes=data["notes"], photo=data["photo"]
                ),
            )
        else:
            changes = {"kind": data["kind"], "notes": data["notes"]}
            if data.get("photo"):
                changes["photo"] = data["photo"]
            elif data.get("remove_photo"):
                changes["photo"] = None
            result = _run(form, lambda: services.risk_point_update(risk_point=point, actor=request.user, data=changes))
        if result is not None:
            return _saved(request, venue, _("Risk point saved."))
    title = _("Edit risk point") if point else _("Add a risk point")
    delete_url = reverse("venues:risk_delete", args=[venue.pk, point.pk]) if point else ""
    return _part_page(request, venue, form, title=title, multipart=True, obj=point, delete_url=delete_url)


@login_required
def risk_point_photo(request, pk: int, point_pk: int):
    """A risk point's photo, to those who may see the venue (media files are not served publicly)."""
    venue = selectors.venue_get(user=request.user, pk=pk)
    point = get_object_or_404(RiskPoint, pk=point_pk, venue=venue)
    if not point.photo:
        raise Http404
    try:
        handle = point.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=point.photo.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def risk_point_delete(request, pk: int, point_pk: int):
    venue = _managed_venue(request, pk)
    point = get_object_or_404(RiskPoint, pk=point_pk, venue=venue)
    services.risk_point_delete(risk_point=point, actor=request.user)
    return _saved(request, venue, _("Risk point removed."))


@login_required
def structure_form(request, pk: int, structure_pk: int | None = None):
    venue = _managed_venue(request, pk)
    structure = get_object_or_404(TemporaryStructure, pk=structure_pk, venue=venue) if structure_pk else None
    fields = ("name", "erected_on", "accepted_on", "accepted_by", "notes")
    initial = {f: getattr(structure, f) for f in fields} if structure else None
    form = TemporaryStructureForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if structure is None:
            result = _run(form, lambda: services.temporary_structure_create(venue=venue, actor=request.user, **data))
        else:
            result = _run(
                form,
                lambda: services.temporary_structure_update(structure=structure, actor=request.user, data=data),
            )
        if result is not None:
            return _saved(request, venue, _("Temporary structure saved."))
    title = _("Edit temporary structure") if structure else _("Add a temporary structure")
    delete_url = reverse("venues:structure_delete", args=[venue.pk, structure.pk]) if structure else ""
    return _part_page(request, venue, form, title=title, obj=structure, delete_url=delete_url)


@login_required
@require_POST
def structure_delete(request, pk: int, structure_pk: int):
    venue = _managed_venue(request, pk)
    structure = get_object_or_404(TemporaryStructure, pk=structure_pk, venue=venue)
    services.temporary_structure_delete(structure=structure, actor=request.user)
    return _saved(request, venue, _("Temporary structure removed."))


@login_required
def equipment_form(request, pk: int, equipment_pk: int | None = None):
    venue = _managed_venue(request, pk)
    equipment = get_object_or_404(SpecialEquipment, pk=equipment_pk, venue=venue) if equipment_pk else None
    fields = ("kind", "name", "registration_no", "last_inspected_on", "next_inspection_due")
    initial = {f: getattr(equipment, f) for f in fields} if equipment else None
    form = SpecialEquipmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if equipment is None:
            result = _run(form, lambda: services.special_equipment_create(venue=venue, actor=request.user, **data))
        else:
            result = _run(
                form, lambda: services.special_equipment_update(equipment=equipment, actor=request.user, data=data)
            )
        if result is not None:
            return _saved(request, venue, _("Special equipment saved."))
    title = _("Edit special equipment") if equipment else _("Add special equipment")
    delete_url = reverse("venues:equipment_delete", args=[venue.pk, equipment.pk]) if equipment else ""
    return _part_page(request, venue, form, title=title, obj=equipment, delete_url=delete_url)


@login_required
@require_POST
def equipment_delete(request, pk: int, equipment_pk: int):
    venue = _managed_venue(request, pk)
    equipment = get_object_or_404(SpecialEquipment, pk=equipment_pk, venue=venue)
    services.special_equipment_delete(equipment=equipment, actor=request.user)
    return _saved(request, venue, _("Special equipment removed."))


# --- import -----------------------------------------------------------------------------------------------

IMPORT_PAGES = ImportPages(
    importer=VENUE_IMPORT,
    namespace="venues",
    title=gettext_lazy("Import venues"),
    heading=gettext_lazy("Import venues from Excel"),
    list_url="venues:venue_list",
    list_label=gettext_lazy("Venues"),
    see_imported=gettext_lazy("See the venues"),
    columns_help=gettext_lazy(
        "场所名称, 场所类型 and 所在网格/社区代码 are required. An exported list can be imported as it is."
    ),
    sheet_title="场所名录",
    template_filename="venues-template.xlsx",
    lists={"场所类型": spreadsheets.KIND_NAMES.values()},
)


# --- building and fire-safety documents (issue 21 point 4) ---------------------------------------------------


@login_required
@require_POST
def document_add(request, pk: int):
    venue = _managed_venue(request, pk)
    form = VenueDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {errors[0]}" if label else errors[0])
        return redirect(reverse("venues:venue_detail", args=[venue.pk]) + "#building")
    try:
        venue_document_upload(
            venue=venue,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            issued_on=form.cleaned_data["issued_on"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document was filed."))
    return redirect(reverse("venues:venue_detail", args=[venue.pk]) + "#building")


@login_required
@require_POST
def document_remove(request, pk: int, document_pk: int):
    venue = _managed_venue(request, pk)
    document = get_object_or_404(VenueDocument, pk=document_pk, venue=venue)
    try:
        venue_document_remove(document=document, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The document was removed."))
    return redirect(reverse("venues:venue_detail", args=[venue.pk]) + "#building")


@login_required
def document_download(request, pk: int, document_pk: int):
    """A document, to those who may see the venue (media files are not served publicly)."""
    venue = selectors.venue_get(user=request.user, pk=pk)
    document = get_object_or_404(VenueDocument, pk=document_pk, venue=venue)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    inline = document.content_type in ("application/pdf", "image/jpeg", "image/png")
    response = FileResponse(
        handle, as_attachment=not inline, filename=document.original_name, content_type=document.content_type
    )
    response["Cache-Control"] = "private, max-age=600"
    return response
