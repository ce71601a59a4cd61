"""The alert pages (issue 15 point 4): the list of monitoring alerts, and one alert with its working, its state
buttons, the plan's measures for its level as a checklist, and "open an incident" (the response app).

Every button is a POST form to a small view that calls one service and comes back to the page; a service's
refusal is shown as a message on the page, and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crowdsafe.common.filters import FilterData
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope, get_scoped_or_404
from monitoring import access, selectors, services
from monitoring.choices import AlertState
from monitoring.filters import AlertFilterSet
from monitoring.models import MonitoringAlert


def _alert(request: HttpRequest, pk: int) -> MonitoringAlert:
    return get_scoped_or_404(selectors.alert_list(user=request.user).select_related("jurisdiction"), pk=pk)


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    filterset = AlertFilterSet(request.GET or None)
    filters: FilterData = request.GET
    alerts = list(selectors.alert_list(user=request.user, filters=filters)[:200])
    return render(request, "monitoring/alert_list.html", {"alerts": alerts, "form": filterset.form})


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    scope = get_scope(request.user)
    can_work = access.can_work_alert(scope, alert)
    ticked = {t.plan_measure_id: t for t in alert.ticks.select_related("ticked_by")}
    from response.access import can_open
    from response.models import Incident

    incident = Incident.objects.filter(monitoring_alert=alert).order_by("-id").first()
    return render(
        request,
        "monitoring/alert_detail.html",
        {
            "alert": alert,
            "figures": selectors.alert_figures(alert),
            "can_work": can_work and alert.state != AlertState.CLOSED,
            "next_states": selectors.alert_next_states(alert) if can_work else [],
            "measures": [(m, ticked.get(m.pk)) for m in selectors.plan_measures_for(alert)],
            "incident": incident,
            "incident_url": _incident_url(incident),
            "can_open_incident": incident is None and not alert.exercise and can_open(scope, alert.jurisdiction_path),
        },
    )


def _incident_url(incident: object) -> str:
    if incident is None:
        return ""
    try:
        return str(incident.get_absolute_url())  # type: ignore[attr-defined]
    except NoReverseMatch:  # the response pages are not routed yet
        return ""


@login_required
@require_POST
def alert_advance(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    try:
        services.alert_advance(
            alert=alert, to=request.POST.get("to", ""), actor=request.user, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The alert's state was changed."))
    return redirect("monitoring:alert_detail", alert.pk)


@login_required
@require_POST
def alert_tick(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    from drills.models import PlanMeasure

    raw = str(request.POST.get("measure", "")).strip()
    measure = get_object_or_404(PlanMeasure, pk=int(raw) if raw.isdigit() else 0)
    try:
        services.measure_tick(alert=alert, plan_measure=measure, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Recorded: %(measure)s") % {"measure": measure.action})
    return redirect("monitoring:alert_detail", alert.pk)


@login_required
@require_POST
def alert_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Open an incident (应急处置) from the alert through the response app, then go to it."""
    alert = _alert(request, pk)
    from response.services.incidents import incident_open_from_monitoring

    try:
        incident = incident_open_from_monitoring(alert=alert, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("monitoring:alert_detail", alert.pk)
    messages.success(request, _("Incident %(number)s opened.") % {"number": incident.number})
    url = _incident_url(incident)
    return redirect(url) if url else redirect("monitoring:alert_detail", alert.pk)
