"""Pages of the response app: the incidents list, the incident page (the common picture), opening an incident,
the commander's and the responders' actions (one form page each), the public reports to staff, and the public
pages (report a crowded place, the status of a ticket). Thin: reads through ``response.selectors``, writes
through ``response.services``; a service's refusal is shown beside its field, nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from crowdsafe.common.pii import mask_phone
from crowdsafe.common.text import join_clauses
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import GOVERNMENT_ROLES, ancestor_paths, get_scope, path_q
from crowdsafe.org.models import Department, Jurisdiction
from events.models import Gathering
from monitoring.models import MonitoringAlert
from permits.models import PermitApplication
from response import access, conf, selectors, services
from response.choices import EscalationStatus, ReportChannel
from response.filters import IncidentFilterSet, ReportFilterSet
from response.forms import (
    AcceptForm,
    CadenceForm,
    CloseForm,
    ConfirmOpenForm,
    EscalationForm,
    ForceAdvanceForm,
    ForceRequestForm,
    HandoverForm,
    IncidentOpenForm,
    LevelForm,
    LogForm,
    MeasureDoneForm,
    PlanActivateForm,
    PublicReportForm,
    ReasonForm,
    SituationReportForm,
    TicketForm,
)
from response.models import EscalationRequest, Force, Incident, IncidentMeasure, LogPhoto, PublicReport

PAGE_SIZE = 30


def _add_error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


# --- list and page -----------------------------------------------------------------------------------------------


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    filters = IncidentFilterSet(request.GET)
    page = Paginator(selectors.incident_list(user=request.user, filters=request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    scope = get_scope(request.user)
    return render(
        request,
        "response/incident_list.html",
        {"form": filters.form, "page": page, "can_open": scope.is_superuser or bool(scope.paths_for(GOVERNMENT_ROLES))},
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    scope = get_scope(request.user)
    context = selectors.incident_picture(incident)
    pending = context["pending_escalation"]
    context.update(
        incident=incident,
        can_command=access.can_command(scope, incident),
        can_act=access.can_act(scope, incident),
        can_accept=pending is not None and access.can_accept(scope, pending),
        log_form=LogForm(),
    )
    return render(request, "response/incident_detail.html", context)


@login_required
def log_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """A position-log photo, to those who may see the incident."""
    incident = selectors.incident_get(user=request.user, pk=pk)
    photo = get_object_or_404(LogPhoto, pk=photo_pk, entry__incident=incident)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=str(photo.file.name).rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- opening -----------------------------------------------------------------------------------------------------


def _territory(request: HttpRequest) -> Any:
    scope = get_scope(request.user)
    qs = Jurisdiction.objects.all()
    if not scope.is_superuser:
        qs = qs.filter(path_q(scope.paths_for(GOVERNMENT_ROLES), field="path"))
    return qs.order_by("path")


def _source(request: HttpRequest) -> tuple[str, Any]:
    """What the incident is opened from (``?monitoring_alert=``, ``?gathering=``, ``?application=``), among what the
    user may see; nothing for an incident opened by hand."""
    data = request.POST if request.method == "POST" else request.GET
    for key, model in (
        ("monitoring_alert", MonitoringAlert),
        ("gathering", Gathering),
        ("application", PermitApplication),
    ):
        value = data.get(key)
        if value:
            if not str(value).isdigit():
                raise Http404
            found = model.objects.visible_to(request.user).filter(pk=int(value)).first()  # type: ignore[attr-defined]
            if found is None:
                raise Http404
            return key, found
    return "", None


@login_required
@require_http_methods(["GET", "POST"])
def incident_open(request: HttpRequest) -> HttpResponse:
    kind, source = _source(request)
    form: Any
    if kind:
        form = ConfirmOpenForm(request.POST or None)
    else:
        form = IncidentOpenForm(request.POST or None, jurisdictions=_territory(request))
    if request.method == "POST" and form.is_valid():
        try:
            if kind == "monitoring_alert":
                incident = services.incident_open_from_monitoring(alert=source, actor=request.user)
            elif kind == "gathering":
                incident = services.incident_open_from_gathering(gathering=source, actor=request.user)
            elif kind == "application":
                incident = services.incident_open_for_event(application=source, actor=request.user)
            else:
                data = form.cleaned_data
                incident = services.incident_open(
                    actor=request.user,
                    jurisdiction=data["jurisdiction"],
                    title=data["title"],
                    level=data["level"],
                    place=data["place"],
                    description=data["description"],
                    exercise=data["exercise"],
                )
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Incident %(number)s is open; you command it.") % {"number": incident.number})
            return redirect(incident)
    return render(request, "response/incident_open.html", {"form": form, "kind": kind, "source": source})


# --- actions on an incident --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    title: Any
    form: Callable[..., Any]
    perform: Callable[[HttpRequest, Incident, dict[str, Any]], Any]
    done: Any
    command: bool = True  # commander or on-duty head; else anyone who may act
    kwargs: Callable[[HttpRequest, Incident], dict[str, Any]] | None = None
    intro: Any = ""
    multipart: bool = False


def _plans(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    proposals = [p for p in selectors.plans_proposed(incident) if not p.activated]
    return {"plans": [(p.plan.pk, p.plan.title) for p in proposals]}


def _activate(request: HttpRequest, incident: Incident, data: dict[str, Any]) -> Any:
    proposals = {p.plan.pk: p for p in selectors.plans_proposed(incident)}
    proposal = proposals.get(data["plan"])
    if proposal is None:
        raise DomainError(_("Choose one of the proposed plans."), field="plan")
    reason = join_clauses([*proposal.reasons, data["reason"]] if data["reason"] else proposal.reasons)
    return services.plan_activate(incident=incident, plan=proposal.plan, actor=request.user, reason=reason)


def _departments(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    paths = [*ancestor_paths(incident.jurisdiction_path), incident.jurisdiction_path]
    qs = Department.objects.filter(is_active=True).filter(
        Q(jurisdiction__path__in=paths) | Q(jurisdiction__path__startswith=incident.jurisdiction_path)
    )
    return {"departments": qs.order_by("jurisdiction__path", "name")}


def _people(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    paths = [*ancestor_paths(incident.command_path), incident.command_path]
    near = (
        Q(memberships__jurisdiction__path__in=paths)
        | Q(memberships__jurisdiction__path__startswith=incident.jurisdiction_path)
        | Q(memberships__department__jurisdiction__path__in=paths)
    )
    people = (
        get_user_model()
        .objects.filter(is_active=True, memberships__role__in=GOVERNMENT_ROLES)
        .filter(near)
        .exclude(pk=incident.commander_id)
        .distinct()
        .order_by("username")
    )
    return {"people": people}


def _close(request: HttpRequest, incident: Incident, data: dict[str, Any]) -> Any:
    lessons = [line.strip() for line in data["lessons"].splitlines() if line.strip()]
    return services.incident_close(incident=incident, actor=request.user, summary=data["summary"], lessons=lessons)


ACTIONS: dict[str, Action] = {
    "level": Action(
        gettext_lazy("Change the response level"),
        LevelForm,
        lambda r, i, d: services.level_change(incident=i, level=d["level"], actor=r.user, reason=d["reason"]),
        gettext_lazy("Level changed."),
        intro=gettext_lazy("Raising the level activates the next level's measures of every activated plan."),
    ),
    "activate": Action(
        gettext_lazy("Activate a plan"),
        PlanActivateForm,
        _activate,
        gettext_lazy("Plan activated: its measures were sent to their departments."),
        kwargs=_plans,
    ),
    "force": Action(
        gettext_lazy("Request a force"),
        ForceRequestForm,
        lambda r, i, d: services.force_request(
            incident=i,
            actor=r.user,
            kind=d["kind"],
            requested_count=d["requested_count"],
            department=d["department"],
            unit=d["unit"],
        ),
        gettext_lazy("Force requested."),
        kwargs=_departments,
    ),
    "situation": Action(
        gettext_lazy("Situation report"),
        SituationReportForm,
        lambda r, i, d: services.situation_report_submit(incident=i, actor=r.user, **d),
        gettext_lazy("Situation report submitted; the numbered report is being issued."),
        command=False,
    ),
    "cadence": Action(
        gettext_lazy("Situation report cadence"),
        CadenceForm,
        lambda r, i, d: services.cadence_set(incident=i, minutes=d["minutes"], actor=r.user),
        gettext_lazy("Cadence set."),
    ),
    "escalate": Action(
        gettext_lazy("Request a higher-level response"),
        EscalationForm,
        lambda r, i, d: services.escalation_request(incident=i, actor=r.user, reason=d["reason"]),
        gettext_lazy("The higher level has been alerted."),
        intro=gettext_lazy("The on-duty people of the next level up are alerted urgently until one acknowledges."),
    ),
    "return": Action(
        gettext_lazy("Hand command back down"),
        ReasonForm,
        lambda r, i, d: services.escalation_return(incident=i, actor=r.user, reason=d["reason"]),
        gettext_lazy("Command handed back down."),
    ),
    "handover": Action(
        gettext_lazy("Hand over command"),
        HandoverForm,
        lambda r, i, d: services.command_handover(incident=i, to_user=d["to_user"], actor=r.user, reason=d["reason"]),
        gettext_lazy("Command handed over."),
        kwargs=_people,
    ),
    "close": Action(
        gettext_lazy("Close the incident"),
        CloseForm,
        _close,
        gettext_lazy("Incident closed."),
        intro=gettext_lazy("Pending measures are withdrawn. The lessons become after-action items of the plans."),
    ),
    "log": Action(
        gettext_lazy("Add to the position log"),
        LogForm,
        lambda r, i, d: services.log_add(
            incident=i,
            actor=r.user,
            text_=d["text"],
            place=d["place"],
            significant=d["significant"],
            photos=d["photos"],
        ),
        gettext_lazy("Logged."),
        command=False,
        multipart=True,
    ),
}


def _check(request: HttpRequest, incident: Incident, action: Action) -> None:
    scope = get_scope(request.user)
    allowed = access.can_command(scope, incident) if action.command else access.can_act(scope, incident)
    if not allowed:
        if not incident.is_open:
            raise PermissionDenied(_("This incident is closed."))
        raise PermissionDenied(_("Only the commander or the on-duty head of the jurisdiction may do this."))


@login_required
@require_http_methods(["GET", "POST"])
def incident_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    incident = selectors.incident_get(user=request.user, pk=pk)
    _check(request, incident, spec)
    extra = spec.kwargs(request, incident) if spec.kwargs else {}
    form = spec.form(request.POST or None, request.FILES or None, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            spec.perform(request, incident, form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, str(spec.done))
            return redirect(incident)
    context: dict[str, Any] = {"incident": incident, "form": form, "action": action, "spec": spec}
    if action == "activate":
        context["proposals"] = selectors.plans_proposed(incident)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "response/incident_action.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def force_advance(request: HttpRequest, pk: int, force_pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    force = get_object_or_404(Force, pk=force_pk, incident=incident)
    spec = Action(_("Move the force on"), ForceAdvanceForm, lambda r, i, d: None, "", command=False)
    _check(request, incident, spec)
    form = ForceAdvanceForm(request.POST or None, initial={"arrived_count": force.arrived_count or None})
    if request.method == "POST" and form.is_valid():
        try:
            services.force_advance(
                force=force,
                actor=request.user,
                state=form.cleaned_data["state"],
                arrived_count=form.cleaned_data["arrived_count"],
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Force updated."))
            return redirect(incident)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "response/incident_action.html",
        {"incident": incident, "form": form, "spec": spec, "force": force, "action": "force-advance"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_done(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    incident = selectors.incident_get(user=request.user, pk=pk)
    measure = get_object_or_404(IncidentMeasure, pk=measure_pk, incident=incident)
    scope = get_scope(request.user)
    own = measure.department_id is not None and measure.department_id in scope.department_ids
    if not (own or access.can_command(scope, incident)):
        raise PermissionDenied(_("Only the measure's department or the commander may report it done."))
    spec = Action(_("Report the measure done"), MeasureDoneForm, lambda r, i, d: None, "", command=False)
    form = MeasureDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_complete(measure=measure, actor=request.user, note=form.cleaned_data["note"])
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Measure reported done."))
            return redirect(incident)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "response/incident_action.html",
        {"incident": incident, "form": form, "spec": spec, "measure": measure, "action": "measure-done"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The higher level's on-duty people accept: they may not see the incident yet (it is below them in the
    chain only once accepted), so the pending request is what lets them in."""
    request_ = (
        EscalationRequest.objects.select_related("incident", "to_tier", "from_tier", "to_jurisdiction")
        .filter(incident_id=pk, status=EscalationStatus.PENDING)
        .first()
    )
    scope = get_scope(request.user)
    visible = Incident.objects.visible_to(request.user).filter(pk=pk).exists()
    if request_ is None:
        if not visible:
            raise Http404
        messages.info(request, _("No request to the higher level is waiting."))
        return redirect("response:incident", pk)
    if not access.can_accept(scope, request_):
        if not visible:
            raise Http404
        raise PermissionDenied(_("Only the on-duty people of the level asked may accept."))
    incident = request_.incident
    spec = Action(_("Accept the higher-level response"), AcceptForm, lambda r, i, d: None, "", command=False)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_accept(request=request_, actor=request.user)
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Accepted: you command the response now."))
            return redirect(incident)
    return render(
        request,
        "response/incident_action.html",
        {"incident": incident, "form": form, "spec": spec, "escalation": request_, "action": "accept"},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- public reports, to staff ------------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    filters = ReportFilterSet(request.GET)
    page = Paginator(selectors.report_list(user=request.user, filters=request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "response/report_list.html",
        {"form": filters.form, "page": page, "first_action": selectors.first_action_by_township(user=request.user)},
    )


def _staff_report(request: HttpRequest, pk: int) -> PublicReport:
    return get_object_or_404(PublicReport.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _staff_report(request, pk)
    scope = get_scope(request.user)
    return render(
        request,
        "response/report_detail.html",
        {
            "report": report,
            "matches": selectors.report_matches(report),
            "can_reveal": access.can_reveal_phone(scope, report),
            "phone": None,
            "masked": mask_phone(report.caller_phone),
            "dismiss_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    report = _staff_report(request, pk)
    try:
        if action == "link":
            target = request.POST.get("target", "")
            kind, _sep, value = target.partition(":")
            if not value.isdigit() or kind not in ("gathering", "incident"):
                raise DomainError(_("Choose a gathering or an incident."), field="target")
            if kind == "gathering":
                gathering = Gathering.objects.visible_to(request.user).filter(pk=int(value)).first()  # type: ignore[attr-defined]
                if gathering is None:
                    raise DomainError(_("Choose a gathering or an incident."), field="target")
                services.report_link(report=report, actor=request.user, gathering=gathering)
            else:
                incident = Incident.objects.visible_to(request.user).filter(pk=int(value)).first()
                if incident is None:
                    raise DomainError(_("Choose a gathering or an incident."), field="target")
                services.report_link(report=report, actor=request.user, incident=incident)
            messages.success(request, _("Report linked."))
        elif action == "gathering":
            services.report_make_gathering(report=report, actor=request.user)
            messages.success(request, _("Gathering logged from the report."))
        elif action == "incident":
            incident = services.report_open_incident(report=report, actor=request.user)
            messages.success(request, _("Incident opened from the report."))
            return redirect(incident)
        elif action == "dismiss":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Say why no action is needed."), field="reason")
            services.report_dismiss(report=report, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Report closed: no action needed."))
        elif action == "reveal":
            phone = services.report_reveal_phone(report=report, actor=request.user)
            return render(
                request,
                "response/report_detail.html",
                {
                    "report": report,
                    "matches": selectors.report_matches(report),
                    "can_reveal": True,
                    "phone": phone,
                    "masked": mask_phone(report.caller_phone),
                    "dismiss_form": ReasonForm(),
                },
            )
        else:
            raise Http404
    except PermissionDeniedError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("response:report-detail", report.pk)


# --- public pages (no sign-in) -----------------------------------------------------------------------------------


def _public_rate(group: str, request: HttpRequest) -> str:
    return conf.public_rate()


def _limited(request: HttpRequest) -> HttpResponse:
    response = render(request, "response/public_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_rate, group="response.public", method="POST", block=False)
def public_report(request: HttpRequest) -> HttpResponse:
    """Anyone reports "this place is too crowded" from a phone, with the phone's location if they allow it."""
    if getattr(request, "limited", False):
        return _limited(request)
    form = PublicReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report, _created = services.report_receive(
                channel=ReportChannel.WEB,
                place_text=data["place_text"],
                description=data["description"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                caller_phone=data["caller_phone"],
            )
        except DomainError as exc:
            _add_error(form, exc)
        else:
            return redirect("response:report", ticket=report.ticket_number)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "response/public_report.html", {"form": form}, status=status)


@never_cache
@ratelimit(key="ip", rate=_public_rate, group="response.status", block=False)
def public_status(request: HttpRequest, ticket: str = "") -> HttpResponse:
    """The state of a report by its ticket number: nothing personal (no phone, no description, no place)."""
    if getattr(request, "limited", False):
        return _limited(request)
    if not ticket and request.GET.get("ticket"):
        form = TicketForm(request.GET)
        if form.is_valid():
            return redirect("response:report", ticket=form.cleaned_data["ticket"].strip().upper())
        return render(request, "response/public_status.html", {"form": form, "searched": False}, status=400)
    if not ticket:
        return render(request, "response/public_status.html", {"form": TicketForm(), "searched": False})
    report = selectors.report_by_ticket(ticket)
    return render(
        request,
        "response/public_status.html",
        {
            "form": TicketForm(initial={"ticket": ticket}),
            "searched": True,
            "ticket": ticket,
            "state": selectors.public_state(report) if report is not None else None,
        },
        status=200 if report is not None else 404,
    )
