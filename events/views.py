"""Pages of spontaneous gatherings. Thin: reads through ``events.selectors`` (scoped: anything outside the user's
scope is a 404), writes through ``events.services``; a domain error becomes a message next to its field.

The logging form is phone-first: its script (static/events/gathering-form.js) sends it with ``fetch`` and reads a
JSON answer, keeps a draft on the phone when the network fails and resends with the same form key; without the
script the form posts and redirects as usual.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.common import pii
from crowdsafe.common.admin import add_domain_error
from crowdsafe.common.pagination import CappedPaginator
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.maps import map_config
from crowdsafe.org.selectors import territory_suggestions
from events import access, selectors, services
from events.charts import Reference, headcount_svg
from events.choices import DecisionKind, GatheringSource, GatheringStatus, RiskLevel
from events.filters import GatheringFilterSet
from events.forms import (
    DecisionForm,
    GatheringForm,
    HeadcountForm,
    MeasureForm,
    MeasureUpdateForm,
    MergeForm,
    NoteForm,
    PhotoForm,
    ReasonForm,
    RiskOverrideForm,
)
from events.models import GatheringPhoto, Measure, choice_label
from events.occasions import next_occurrence, previous_occurrence
from events.services.photos import MAX_PHOTOS
from events.triage import display_reasons

PAGE_SIZE = 50


def _add_domain_error(form, exc: DomainError) -> None:
    add_domain_error(form, exc)


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _default_source(user) -> str:
    scope = get_scope(user)
    if scope.has_role(Role.GRID_WORKER, Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN):
        return GatheringSource.GRID_PATROL
    if scope.has_role(Role.STAFF, Role.HEAD):
        return GatheringSource.DEPARTMENT
    if scope.has_role(Role.VENUE_OPERATOR):
        return GatheringSource.VENUE_OPERATOR
    return GatheringSource.GRID_PATROL


def _report_places(user):
    grids = selectors.report_grid_choices(user=user)
    venues = selectors.report_venue_choices(user=user)
    return grids, venues


# --- list, attention, map ---------------------------------------------------------------------------------


def _map_point(detail: str):
    """A dot of the map (a ``selectors.map_gatherings`` row) with its popup's text and link (None: no position). The
    labels in the reader's language and the local time zone are looked up once per map, not per dot (each lookup
    reads the request's thread-local language or zone; up to 500 dots, issue 19)."""
    risks = {value: choice_label(RiskLevel, value) for value in RiskLevel.values}
    statuses = {value: choice_label(GatheringStatus, value) for value in GatheringStatus.values}
    local = timezone.get_current_timezone()

    def to_point(row: dict) -> dict | None:
        lat, lng = row["latitude"], row["longitude"]
        if lat is None:
            lat, lng = row["venue__latitude"], row["venue__longitude"]
        if lat is None or lng is None:
            return None
        when = row["starts_at"].astimezone(local).strftime("%m-%d %H:%M")
        risk = risks.get(row["risk_level"], row["risk_level"])
        status = statuses.get(row["status"], row["status"])
        return {
            "lat": float(lat),
            "lng": float(lng),
            "level": row["risk_level"],
            "title": row["title"],
            "when": when,
            "status": status,
            "risk": risk,
            "url": f"{detail}{row['pk']}/",
            "lines": [f"{when} · {risk} · {status}"],
        }

    return to_point


def _gatherings_map() -> dict:
    """The list's map (crowdsafe/org/maps.py): the dots of ``gatherings-map-data`` over the boundaries."""
    layer = {
        "type": "points",
        "key": "gatherings",
        "name": _("Gatherings"),
        "data_id": "gatherings-map-data",
        "dot_class": "gathering-dot",
        "count_attr": "mapDots",
    }
    return map_config(layers=[layer], boundaries_url=reverse("org:boundaries"), css="venue-map")


@login_required
def gathering_list(request):
    filters = GatheringFilterSet(request.GET)
    # What the user sees other than by territory, read once for the count, the rows and the map (issue 19 point 2).
    scope_ids = selectors.read_scope_ids(user=request.user, filters=filters)
    gatherings = selectors.gathering_list(user=request.user, filters=filters, scope_ids=scope_ids)
    # The count stops at 10,000 (over that the page says so): a city's whole register is never counted.
    plan = selectors.count_plan(user=request.user, filters=filters, scope_ids=scope_ids)
    page = CappedPaginator(
        gatherings, PAGE_SIZE, count_order=plan.order, lower_bound=plan.lower_bound, known=plan.known
    ).get_page(request.GET.get("page"))
    detail_prefix = reverse("events:gathering_detail", args=[0])[: -len("0/")]
    map_points, map_total = selectors.map_gatherings(
        user=request.user, filters=filters, scope_ids=scope_ids, to_point=_map_point(detail_prefix)
    )
    # Suggestions for the territory filter: districts and townships (a community or grid is one tap deeper).
    territories = territory_suggestions(user=request.user, levels=("city", "district", "township"))
    return render(
        request,
        "events/gathering_list.html",
        {
            "form": filters.form,
            "fields": filters.plain_fields(),
            "page": page,
            "detail_prefix": detail_prefix,
            "filtered": filters.is_filtered(),
            "territories": territories,
            "can_report": access.can_report(get_scope(request.user)),
            "export_query": request.GET.urlencode(),
            "map_points": map_points,
            "map_total": map_total,
            "map_clustered": bool(map_points) and "count" in map_points[0],
            "gatherings_map": _gatherings_map(),
            "levels": RiskLevel.choices,
        },
    )


@login_required
def attention_list(request):
    """Orange and red gatherings not yet closed (the district leader's attention list)."""
    gatherings = selectors.attention_list(user=request.user)
    plan = selectors.attention_count_plan(user=request.user)
    page = CappedPaginator(gatherings, PAGE_SIZE, count_order=plan.order, lower_bound=plan.lower_bound).get_page(
        request.GET.get("page")
    )
    return render(request, "events/attention_list.html", {"page": page})


@login_required
def key_date_list(request):
    today = timezone.localdate()
    rows = []
    for key_date in selectors.key_date_list():
        explicit = list(key_date.dates.all())
        upcoming = next_occurrence(key_date, today, explicit=explicit)
        previous = previous_occurrence(key_date, upcoming.starts_on if upcoming else today, explicit=explicit)
        rows.append({"key_date": key_date, "next": upcoming, "previous": previous})
    admin_url = None
    if request.user.is_staff:
        admin_url = reverse("admin:events_keydate_changelist")
    return render(request, "events/key_date_list.html", {"rows": rows, "today": today, "admin_url": admin_url})


# --- logging and editing ----------------------------------------------------------------------------------


def _form_errors_json(form) -> dict:
    return {
        "errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()},
        "message": _("Please correct the marked fields."),
    }


@login_required
def gathering_create(request):
    """The phone-first logging form."""
    if not access.can_report(get_scope(request.user)):
        raise PermissionDenied(_("You may not log gatherings."))
    grids, venues = _report_places(request.user)
    initial = {
        # A key per form instance, so that even without the page's script a double submit makes one record.
        "idempotency_key": uuid.uuid4(),
        "starts_at": timezone.localtime().replace(second=0, microsecond=0),
        "source": _default_source(request.user),
    }
    form = GatheringForm(request.POST or None, request.FILES or None, grids=grids, venues=venues, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                gathering, created = services.gathering_report(
                    actor=request.user,
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                    photos=form.cleaned_data.get("photos") or [],
                    **form.service_data(),
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                url = reverse("events:gathering_detail", args=[gathering.pk])
                if created:
                    messages.success(request, _("Gathering logged: “%(title)s”.") % {"title": gathering.title})
                else:
                    messages.info(request, _("This gathering was already logged from this form; here it is."))
                if _wants_json(request):
                    return JsonResponse(
                        {"url": url, "id": gathering.pk, "created": created}, status=201 if created else 200
                    )
                return redirect(url)
        if _wants_json(request):
            return JsonResponse(_form_errors_json(form), status=400)
    return render(
        request,
        "events/gathering_form.html",
        {
            "form": form,
            "gathering": None,
            "single_grid": len(grids) == 1,
            "max_photos": MAX_PHOTOS,
            "draft_scope": request.user.pk,
        },
    )


@login_required
def gathering_edit(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    if not access.can_edit(get_scope(request.user), gathering):
        raise PermissionDenied(_("You may see this gathering but not change it."))
    grids, venues = _report_places(request.user)
    if gathering.grid not in grids:
        grids = [*grids, gathering.grid]
    if gathering.venue is not None and gathering.venue not in venues:
        venues = [*venues, gathering.venue]
    form = GatheringForm(
        request.POST or None, grids=grids, venues=venues, editing=True, initial=GatheringForm.initial_for(gathering)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.gathering_update(gathering=gathering, actor=request.user, data=form.service_data())
        except DomainError as exc:
            _add_domain_error(form, exc)
        else:
            messages.success(request, _("Gathering saved."))
            return redirect("events:gathering_detail", pk=gathering.pk)
    return render(
        request,
        "events/gathering_form.html",
        {"form": form, "gathering": gathering, "single_grid": False, "max_photos": MAX_PHOTOS, "draft_scope": ""},
    )


# --- detail -----------------------------------------------------------------------------------------------


def _chart(gathering):
    points = [(h.observed_at, h.count) for h in gathering.headcounts.all()]
    references = []
    if gathering.venue_id and gathering.venue.computed_capacity:
        references.append(Reference(gathering.venue.computed_capacity, _("safe capacity"), "chart-ref-capacity"))
    references.append(Reference(gathering.estimated_attendance_max, _("estimate"), "chart-ref-estimate"))
    return headcount_svg(points, references=references)


@login_required
def gathering_detail(request, pk: int):
    gathering = selectors.gathering_detail(user=request.user, pk=pk)
    can_manage = access.can_manage(get_scope(request.user), gathering)
    can_work = access.can_work(get_scope(request.user), gathering)
    measures = list(gathering.measures.all())
    decisions = list(gathering.decisions.all())
    photos = list(gathering.photos.all())
    headcounts = list(gathering.headcounts.all())
    decision_kinds = [k for k in DecisionKind if gathering.can_decide(k)]
    decision_form = DecisionForm()
    decision_form.fields["kind"].choices = [(k.value, k.label) for k in decision_kinds]
    coordinates = gathering.coordinates
    actions = {
        "verify": can_manage and gathering.can_verify(),
        "confirm": can_manage and gathering.can_confirm(),
        "end": can_work and gathering.can_end(),
        "dismiss": can_manage and gathering.can_dismiss(),
        "merge": can_manage and gathering.can_merge(),
    }
    return render(
        request,
        "events/gathering_detail.html",
        {
            "gathering": gathering,
            "reasons": display_reasons(gathering),
            "can_manage": can_manage,
            "can_work": can_work,
            "can_edit": access.can_edit(get_scope(request.user), gathering),
            "actions": actions,
            "any_action": any(actions.values()),
            "measures": [(m, MeasureUpdateForm(initial={"effect": m.effect}, prefix=f"m{m.pk}")) for m in measures],
            "decisions": decisions,
            "photos": photos,
            "headcounts": list(reversed(headcounts)),
            **pii.page_reveal(
                request,
                subject=gathering,
                fields={"organizer_phone": pii.PHONE} if gathering.organizer_phone else {},
                organisation_id=gathering.organizer_id,
            ),
            "chart": _chart(gathering),
            "override_form": RiskOverrideForm(initial={"level": gathering.risk_level}),
            "decision_form": decision_form if decision_kinds else None,
            "merge_form": MergeForm(),
            "measure_form": MeasureForm(),
            "headcount_form": HeadcountForm(),
            "photo_form": PhotoForm(),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
            "max_photos": MAX_PHOTOS,
            "coordinates": coordinates,
            "safe_capacity": gathering.venue.computed_capacity if gathering.venue_id else None,
        },
    )


@login_required
def gathering_photo(request, pk: int, photo_pk: int):
    """A gathering's photo, to those who may see the gathering (media files are not served publicly)."""
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    photo = get_object_or_404(GatheringPhoto, pk=photo_pk, gathering=gathering)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=photo.original_name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- actions ----------------------------------------------------------------------------------------------


def _back(gathering, anchor: str = ""):
    url = reverse("events:gathering_detail", args=[gathering.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _act(request, gathering, call, *, success: str, anchor: str = ""):
    try:
        call()
    except PermissionDeniedError as exc:
        messages.error(request, str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return _back(gathering, anchor)


def _form_errors_message(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def gathering_verify(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        gathering,
        lambda: services.gathering_verify(gathering=gathering, actor=request.user, note=note),
        success=_("The gathering is verified."),
    )


@login_required
@require_POST
def gathering_confirm(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        gathering,
        lambda: services.gathering_confirm(gathering=gathering, actor=request.user, note=note),
        success=_("Confirmed: the gathering is expected to take place."),
    )


@login_required
@require_POST
def gathering_dismiss(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        gathering,
        lambda: services.gathering_dismiss(gathering=gathering, actor=request.user, reason=reason),
        success=_("The gathering is dismissed."),
    )


@login_required
@require_POST
def gathering_end(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _act(
        request,
        gathering,
        lambda: services.gathering_end(gathering=gathering, actor=request.user, note=note),
        success=_("The gathering has ended; its duties are closed."),
    )


@login_required
@require_POST
def gathering_decide(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "decisions")
    data = form.cleaned_data
    return _act(
        request,
        gathering,
        lambda: services.gathering_decide(
            gathering=gathering,
            actor=request.user,
            kind=data["kind"],
            reason=data["reason"],
            decided_at=data.get("decided_at"),
            new_starts_at=data.get("new_starts_at"),
            new_ends_at=data.get("new_ends_at"),
        ),
        success=_("The decision is recorded."),
        anchor="decisions",
    )


@login_required
@require_POST
def gathering_merge(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering)
    try:
        into = selectors.get_gathering_for(user=request.user, pk=form.cleaned_data["into"])
    except Http404:
        messages.error(request, _("No gathering you may see has that number."))
        return _back(gathering)
    return _act(
        request,
        gathering,
        lambda: services.gathering_merge(
            gathering=gathering, into=into, actor=request.user, reason=form.cleaned_data.get("reason") or ""
        ),
        success=_("Merged into gathering %(number)s.") % {"number": into.pk},
    )


@login_required
@require_POST
def gathering_risk(request, pk: int):
    """Staff of the township or public security override the risk level, with the reason."""
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = RiskOverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "risk")
    return _act(
        request,
        gathering,
        lambda: services.gathering_set_risk_level(
            gathering=gathering,
            level=form.cleaned_data["level"],
            reasons=[form.cleaned_data["reason"]],
            source="override",
            actor=request.user,
        ),
        success=_("The risk level is set."),
        anchor="risk",
    )


@login_required
@require_POST
def measure_create(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = MeasureForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "measures")
    return _act(
        request,
        gathering,
        lambda: services.measure_record(gathering=gathering, actor=request.user, **form.cleaned_data),
        success=_("Measure recorded."),
        anchor="measures",
    )


@login_required
@require_POST
def measure_update(request, pk: int, measure_pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    measure = get_object_or_404(Measure, pk=measure_pk, gathering=gathering)
    form = MeasureUpdateForm(request.POST, prefix=f"m{measure.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "measures")
    return _act(
        request,
        gathering,
        lambda: services.measure_update(
            measure=measure,
            actor=request.user,
            effect=form.cleaned_data["effect"],
            ended_at=timezone.now() if form.cleaned_data["lift"] else None,
        ),
        success=_("Measure updated."),
        anchor="measures",
    )


@login_required
@require_POST
def headcount_create(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = HeadcountForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "headcounts")
    return _act(
        request,
        gathering,
        lambda: services.headcount_record(gathering=gathering, actor=request.user, **form.cleaned_data),
        success=_("Headcount recorded."),
        anchor="headcounts",
    )


@login_required
@require_POST
def photo_create(request, pk: int):
    gathering = selectors.get_gathering_for(user=request.user, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors_message(form))
        return _back(gathering, "photos")
    return _act(
        request,
        gathering,
        lambda: services.photo_add(gathering=gathering, actor=request.user, files=form.cleaned_data["photos"]),
        success=_("Photos added."),
        anchor="photos",
    )
