"""Pages of emergency plans and drills. Thin: reads through ``drills.selectors`` (scoped: anything outside the
user's scope is a 404), writes through ``drills.services``; a domain error becomes a message next to its field;
a plan the user may see but not change is a 403 on its forms."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.common import pii
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department
from drills import compliance as compliance_module
from drills import permits, selectors, services
from drills.access import can_close_item, can_create_plans, can_manage_plan
from drills.choices import DrillStatus, ItemStatus, ScopeKind
from drills.duties import AFTER_ACTION_ITEM
from drills.filters import AfterActionItemFilterSet, DrillFilterSet, EmergencyPlanFilterSet
from drills.forms import (
    ContactFormSet,
    DrillNoticeForm,
    DrillRecordForm,
    DrillScheduleForm,
    ItemCloseForm,
    ItemFormSet,
    MeasureFormSet,
    PlanForm,
    ReasonForm,
    ShareForm,
    VersionForm,
    parse_party,
    party_choices,
    rows_of,
)
from drills.models import DrillPhoto, PlanVersion
from duties.models import Task
from duties.selectors import task_list
from notices.selectors import notices_for
from venues.selectors import venue_visible

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _add_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _managed_plan(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not can_manage_plan(get_scope(request.user), plan):
        raise PermissionDenied(_("You may see this plan but not change it."))
    return plan


def _managed_drill(request, pk: int):
    drill = selectors.drill_get(user=request.user, pk=pk)
    if not can_manage_plan(get_scope(request.user), drill.plan):
        raise PermissionDenied(_("You may see this drill but not change it."))
    return drill


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


# --- calendar and drill list -----------------------------------------------------------------------------


@login_required
def drill_calendar(request):
    today = timezone.localdate()
    month = _month(request.GET.get("month"), today)
    filters = DrillFilterSet(request.GET)
    month_data = selectors.drill_calendar(user=request.user, month=month, today=today, filters=request.GET)
    return render(
        request,
        "drills/calendar.html",
        {
            "cal": month_data,
            "form": filters.form,
            "today": today,
            "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "territories": selectors.territory_options(user=request.user),
            "can_create": can_create_plans(get_scope(request.user)),
        },
    )


@login_required
def drill_list(request):
    filters = DrillFilterSet(request.GET)
    drills = selectors.drill_list(user=request.user, filters=filters)
    page = Paginator(drills, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "drills/drill_list.html",
        {
            "form": filters.form,
            "page": page,
            "filtered": filters.is_filtered(),
            "territories": selectors.territory_options(user=request.user),
        },
    )


# --- plans -----------------------------------------------------------------------------------------------


@login_required
def plan_list(request):
    filters = EmergencyPlanFilterSet(request.GET)
    today = timezone.localdate()
    plans = selectors.plan_list(user=request.user, filters=filters, today=today)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "drills/plan_list.html",
        {
            "form": filters.form,
            "page": page,
            "today": today,
            "filtered": filters.is_filtered(),
            "territories": selectors.territory_options(user=request.user),
            "can_create": can_create_plans(get_scope(request.user)),
        },
    )


def _formsets(request, *, measures=None, contacts=None):
    data = request.POST if request.method == "POST" else None
    return (
        MeasureFormSet(data, prefix="measures", initial=measures),
        ContactFormSet(data, prefix="contacts", initial=contacts),
    )


def _resolve_scope(request, form) -> dict:
    """The scope fields of a valid plan form, as the service takes them (or a form error and None)."""
    data = form.cleaned_data
    scope = data["scope_kind"]
    values = {"scope_kind": scope, "venue": None, "application": None, "territory": None, "gathering_kind": ""}
    if scope == ScopeKind.VENUE:
        venue = venue_visible(user=request.user).filter(pk=data["venue"], is_active=True).first()
        if venue is None:
            form.add_error("venue", _("Choose the venue the plan covers."))
            return {}
        values["venue"] = venue
    elif scope == ScopeKind.EVENT:
        application = permits.get_visible_application(user=request.user, pk=data["application"])
        if application is None:
            form.add_error("application", _("No permit application with this number is open to you."))
            return {}
        values["application"] = application
    else:
        from drills.compliance import territory_for

        territory = territory_for(data.get("territory") or "")
        if not territory:
            form.add_error("territory", _("Unknown division code."))
            return {}
        values["territory"] = territory
        values["gathering_kind"] = data.get("gathering_kind") or ""
    return values


@login_required
def plan_create(request):
    if not can_create_plans(get_scope(request.user)):
        raise PermissionDenied(_("You may not add emergency plans."))
    owners = selectors.owner_options(user=request.user)
    venues = list(selectors.venue_options(user=request.user))
    initial = {}
    if request.GET.get("venue", "").isdigit():
        initial = {"scope_kind": ScopeKind.VENUE, "venue": int(request.GET["venue"])}
    form = PlanForm(request.POST or None, request.FILES or None, owners=owners, venues=venues, initial=initial)
    measures, contacts = _formsets(request)
    if request.method == "POST" and form.is_valid() and measures.is_valid() and contacts.is_valid():
        owner = parse_party(form.cleaned_data["owner"])
        scope = _resolve_scope(request, form)
        if owner is None:
            form.add_error("owner", _("Choose the plan's owner."))
        elif scope:
            data = form.cleaned_data
            try:
                plan = services.plan_create(
                    actor=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    owner_kind=form.owner_kind(owner),
                    owner=owner,
                    summary=data["summary"],
                    evacuation_target_minutes=data["evacuation_target_minutes"],
                    review_due=data["review_due"],
                    drill_interval_months=data["drill_interval_months"],
                    measures=rows_of(measures),
                    contacts=rows_of(contacts),
                    file=data.get("file"),
                    **scope,
                )
            except DomainError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, _("Plan “%(title)s” added.") % {"title": plan.title})
                return redirect("drills:plan_detail", pk=plan.pk)
    return render(
        request,
        "drills/plan_form.html",
        {
            "form": form,
            "measures": measures,
            "contacts": contacts,
            "plan": None,
            "territories": selectors.territory_options(user=request.user),
        },
    )


@login_required
def plan_edit(request, pk: int):
    plan = _managed_plan(request, pk)
    form = PlanForm(request.POST or None, editing=True, initial=PlanForm.initial_for(plan))
    measures, contacts = _formsets(
        request,
        measures=[
            {f: getattr(m, f) for f in ("alert_level", "kind", "trigger", "action", "responsible")}
            for m in plan.measures.all()
        ],
        contacts=[{f: getattr(c, f) for f in ("name", "role", "phone", "duty_phone")} for c in plan.contacts.all()],
    )
    if request.method == "POST" and form.is_valid() and measures.is_valid() and contacts.is_valid():
        try:
            services.plan_update(
                plan=plan,
                actor=request.user,
                data={name: form.cleaned_data[name] for name in services.plans.PLAN_FIELDS},
                measures=rows_of(measures),
                contacts=rows_of(contacts),
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("drills:plan_detail", pk=plan.pk)
    return render(
        request,
        "drills/plan_form.html",
        {"form": form, "measures": measures, "contacts": contacts, "plan": plan, "territories": []},
    )


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plan_detail(user=request.user, pk=pk)
    today = timezone.localdate()
    drills = list(plan.drills.order_by("-on_date", "-id")[:50])
    items = list(
        plan.after_action_items.select_related(
            "drill", "incident", "owner_department", "owner_organisation", "owner_jurisdiction", "resolved_by_version"
        ).order_by("status", "due_date", "id")
    )
    can_manage = can_manage_plan(get_scope(request.user), plan)
    contacts = list(plan.contacts.all())
    return render(
        request,
        "drills/plan_detail.html",
        {
            "plan": plan,
            "versions": list(plan.versions.all()),
            "measures": list(plan.measures.all()),
            "contacts": contacts,
            **pii.page_reveal(
                request,
                subject=plan,
                fields={"contacts.phone": pii.PHONE} if any(c.phone for c in contacts) else {},
                organisation_id=plan.owner_organisation_id,
            ),
            "drills": drills,
            "items": items,
            "open_items": [i for i in items if i.status == ItemStatus.OPEN],
            "today": today,
            "in_time": plan.drilled_in_time(today),
            "can_manage": can_manage,
            "version_form": VersionForm(),
            "withdraw_form": ReasonForm(),
            "share_form": ShareForm(departments=selectors.participant_departments(plan=plan)) if can_manage else None,
        },
    )


@login_required
def version_add(request, pk: int):
    plan = _managed_plan(request, pk)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_version_add(
                plan=plan,
                actor=request.user,
                file=form.cleaned_data["file"],
                summary_of_changes=form.cleaned_data["summary_of_changes"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Version %(n)d uploaded.") % {"n": version.number})
            return redirect("drills:plan_detail", pk=plan.pk)
    open_revisions = plan.after_action_items.filter(status=ItemStatus.OPEN, requires_plan_revision=True)
    return render(request, "drills/version_form.html", {"plan": plan, "form": form, "open_revisions": open_revisions})


@login_required
def version_download(request, pk: int, number: int):
    """A version's document, to those who may see the plan (media files are not served publicly)."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    version = get_object_or_404(PlanVersion, plan=plan, number=number)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=version.original_name, content_type=version.content_type
    )
    response["Cache-Control"] = "private, max-age=0"
    return response


@login_required
@require_POST
def plan_withdraw(request, pk: int):
    plan = _managed_plan(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the plan is withdrawn."))
    else:
        try:
            services.plan_withdraw(plan=plan, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The plan was withdrawn."))
    return redirect("drills:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_share(request, pk: int):
    plan = _managed_plan(request, pk)
    form = ShareForm(request.POST, departments=selectors.participant_departments(plan=plan))
    if form.is_valid():
        services.plan_share(
            plan=plan,
            department=form.cleaned_data["department"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request, _("The plan is now open to %(department)s.") % {"department": form.cleaned_data["department"]}
        )
    else:
        messages.error(request, _("Choose a department."))
    return redirect("drills:plan_detail", pk=plan.pk)


# --- drills ----------------------------------------------------------------------------------------------


def _participant_form(form, plan) -> None:
    form.set_participant_choices(selectors.participant_departments(plan=plan), selectors.participant_units(plan=plan))


@login_required
def drill_schedule(request, pk: int):
    plan = _managed_plan(request, pk)
    form = DrillScheduleForm(request.POST or None)
    _participant_form(form, plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drill = services.drill_schedule(plan=plan, actor=request.user, **data)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Drill planned for %(date)s.") % {"date": drill.on_date.isoformat()})
            return redirect("drills:drill_detail", pk=drill.pk)
    return render(request, "drills/drill_form.html", {"plan": plan, "form": form, "drill": None})


@login_required
def drill_edit(request, pk: int):
    drill = _managed_drill(request, pk)
    if drill.status != DrillStatus.PLANNED:
        messages.error(request, _("Only a planned drill can be changed."))
        return redirect("drills:drill_detail", pk=drill.pk)
    form = DrillScheduleForm(request.POST or None, initial=DrillScheduleForm.initial_for(drill))
    _participant_form(form, drill.plan)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        departments, units = data.pop("departments"), data.pop("units")
        try:
            services.drill_update(drill=drill, actor=request.user, data=data, departments=departments, units=units)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Drill saved."))
            return redirect("drills:drill_detail", pk=drill.pk)
    return render(request, "drills/drill_form.html", {"plan": drill.plan, "form": form, "drill": drill})


def _item_specs(formset) -> list[services.ItemSpec]:
    specs = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or form.is_blank():
            continue
        specs.append(
            services.ItemSpec(
                description=data["description"],
                owner=parse_party(data["owner"]),
                due_date=data["due_date"],
                requires_plan_revision=data["requires_plan_revision"],
            )
        )
    return specs


def _record_page(request, *, plan, drill):
    initial = DrillRecordForm.initial_for(drill) if drill else {"held_on": timezone.localdate()}
    form = DrillRecordForm(request.POST or None, request.FILES or None, initial=initial)
    _participant_form(form, plan)
    owners = party_choices(selectors.item_owner_options(plan=plan, drill=drill))
    items = ItemFormSet(request.POST or None, prefix="items", form_kwargs={"owners": owners})
    if request.method == "POST" and form.is_valid() and items.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.drill_record(
                actor=request.user,
                plan=None if drill else plan,
                drill=drill,
                held_on=data["held_on"],
                scenario=data["scenario"],
                form=data["form"],
                place=data["place"],
                duration_minutes=data["duration_minutes"],
                narrative=data["narrative"],
                participants_count=data["participants_count"],
                participants_note=data["participants_note"],
                departments=data["departments"],
                units=data["units"],
                other_units=data["other_units"],
                public_participation=data["public_participation"],
                public_participants=data["public_participants"],
                evacuation_minutes=data["evacuation_minutes"],
                evacuated_people=data["evacuated_people"],
                problems=data["problems"],
                items=_item_specs(items),
                photos=data["photos"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Drill recorded."))
            return redirect("drills:drill_detail", pk=recorded.pk)
    return render(request, "drills/record_form.html", {"plan": plan, "drill": drill, "form": form, "items": items})


@login_required
def drill_record(request, pk: int):
    drill = _managed_drill(request, pk)
    if drill.status != DrillStatus.PLANNED:
        messages.error(request, _("This drill has already been recorded or was cancelled."))
        return redirect("drills:drill_detail", pk=drill.pk)
    return _record_page(request, plan=drill.plan, drill=drill)


@login_required
def plan_record(request, pk: int):
    """Record a drill of the plan that was held without being planned here."""
    return _record_page(request, plan=_managed_plan(request, pk), drill=None)


@login_required
@require_POST
def drill_cancel(request, pk: int):
    drill = _managed_drill(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the drill is cancelled."))
    else:
        try:
            services.drill_cancel(drill=drill, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The drill was cancelled."))
    return redirect("drills:drill_detail", pk=drill.pk)


@login_required
def drill_detail(request, pk: int):
    drill = selectors.drill_detail(user=request.user, pk=pk)
    can_manage = can_manage_plan(get_scope(request.user), drill.plan)
    notices = list(notices_for(drill))
    notice_form = None
    issuers = _notice_issuers(request.user)
    if drill.status == DrillStatus.PLANNED and issuers.exists():
        notice_form = DrillNoticeForm(
            issuers=issuers, initial={"recipient": str(drill.plan.owner), "issuer": issuers.first()}
        )
    items = list(drill.items.all())
    tasks = {
        t.subject_id: t
        for t in Task.objects.filter(
            subject_type="after_action_item", subject_id__in=[i.pk for i in items], rule__key=AFTER_ACTION_ITEM
        ).select_related("responsible_department", "responsible_organisation", "responsible_jurisdiction")
    }
    openable = (
        set(task_list(user=request.user).filter(pk__in=[t.pk for t in tasks.values()]).values_list("pk", flat=True))
        if tasks
        else set()
    )
    return render(
        request,
        "drills/drill_detail.html",
        {
            "drill": drill,
            "plan": drill.plan,
            "departments": list(drill.departments.all()),
            "units": list(drill.units.all()),
            "photos": list(drill.photos.all()),
            "items": [(item, can_close_item(get_scope(request.user), item), tasks.get(item.pk)) for item in items],
            "openable_tasks": openable,
            "can_manage": can_manage,
            "cancel_form": ReasonForm(),
            "notices": notices,
            "notice_form": notice_form,
        },
    )


@login_required
def drill_photo(request, pk: int, photo_pk: int):
    """A drill's photo, to those who may see the drill."""
    drill = selectors.drill_get(user=request.user, pk=pk)
    photo = get_object_or_404(DrillPhoto, pk=photo_pk, drill=drill)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=photo.image.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def item_add(request, pk: int):
    drill = _managed_drill(request, pk)
    owners = party_choices(selectors.item_owner_options(plan=drill.plan, drill=drill))
    items = ItemFormSet(request.POST or None, prefix="items", form_kwargs={"owners": owners})
    if request.method == "POST" and items.is_valid():
        specs = _item_specs(items)
        try:
            for spec in specs:
                services.item_add(drill=drill, actor=request.user, spec=spec)
        except DomainError as exc:
            items.forms[0].add_error(None, str(exc.message))
        else:
            messages.success(request, _("After-action items raised."))
            return redirect("drills:drill_detail", pk=drill.pk)
    return render(request, "drills/item_add.html", {"drill": drill, "plan": drill.plan, "items": items})


@login_required
def item_list(request):
    filters = AfterActionItemFilterSet(request.GET)
    today = timezone.localdate()
    page = Paginator(selectors.item_list(user=request.user, filters=filters, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "drills/item_list.html", {"form": filters.form, "page": page, "today": today})


@login_required
def item_close(request, pk: int):
    item = selectors.item_get(user=request.user, pk=pk)
    if not can_close_item(get_scope(request.user), item):
        raise PermissionDenied(_("You may see this item but not close it."))
    form = ItemCloseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_close(
                item=item,
                actor=request.user,
                note=data["note"],
                file=data.get("file"),
                summary_of_changes=data["summary_of_changes"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Item closed."))
            if item.drill_id is None:
                return redirect("response:incident", pk=item.incident_id)
            return redirect("drills:drill_detail", pk=item.drill_id)
    newer = item.plan.versions.filter(number__gt=item.baseline_version).order_by("-number").first()
    return render(request, "drills/item_close.html", {"item": item, "form": form, "newer_version": newer})


# --- notices ---------------------------------------------------------------------------------------------


def _notice_issuers(user):
    """Departments the user may issue documents for (staff and heads)."""
    scope = get_scope(user)
    ids = [m.department_id for m in scope.memberships if m.role in (Role.STAFF, Role.HEAD) and m.department_id]
    return Department.objects.filter(pk__in=ids, is_active=True).order_by("name")


@login_required
@require_POST
def drill_notice(request, pk: int):
    drill = selectors.drill_get(user=request.user, pk=pk)
    form = DrillNoticeForm(request.POST, issuers=_notice_issuers(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose the issuing department, the addressee and the requirements."))
        return redirect("drills:drill_detail", pk=drill.pk)
    data = form.cleaned_data
    try:
        notice = services.drill_notice_issue(
            drill=drill,
            actor=request.user,
            issuer=data["issuer"],
            recipient=data["recipient"],
            requirements=DrillNoticeForm.lines(data["requirements"]),
            copy_to=DrillNoticeForm.lines(data["copy_to"]),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("drills:drill_detail", pk=drill.pk)
    messages.success(request, _("Drill notice %(number)s issued.") % {"number": notice.number})
    return redirect("drills:drill_detail", pk=drill.pk)


# --- compliance, pre-event drills, import ----------------------------------------------------------------


def _compliance(request):
    code = request.GET.get("jurisdiction", "")
    territory = compliance_module.territory_for(code)
    if territory is False:
        messages.error(request, _("Unknown division code."))
        territory = None
    return compliance_module.drill_compliance(user=request.user, territory=territory), code


@login_required
def compliance_view(request):
    result, code = _compliance(request)
    return render(
        request,
        "drills/compliance.html",
        {
            "c": result,
            "code": code,
            "overdue": result.overdue[:50],
            "territories": selectors.territory_options(user=request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def compliance_export(request):
    result, _code = _compliance(request)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    compliance_module.write_compliance(result, output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"drill-compliance-{result.today:%Y%m%d}.xlsx",
        content_type=XLSX,
    )


@login_required
def pre_event_gaps(request):
    today = timezone.localdate()
    gaps = selectors.pre_event_drill_gaps(user=request.user, today=today)
    return render(
        request,
        "drills/pre_event_gaps.html",
        {"gaps": [(gap, gap.overdue_on(today)) for gap in gaps], "today": today},
    )


@login_required
@require_POST
def import_from_application(request, application_pk: int):
    """Create (or update) the event's plan from the emergency plan uploaded with its permit application."""
    application = permits.get_visible_application(user=request.user, pk=application_pk)
    if application is None:
        raise Http404
    try:
        plan = services.plan_import_from_application(application=application, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        back = request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("drills:pre_event_gaps")
        return redirect(back)
    messages.success(request, _("The event's plan is version %(n)d.") % {"n": plan.current_version})
    return redirect("drills:plan_detail", pk=plan.pk)
