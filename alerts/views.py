"""The alerts pages: an alert (who was alerted, who acknowledged when, every hop), the phone page of the
acknowledgment link, and "what reached me" for a person and a head's department.

The acknowledgment link opens without signing in. Why: the person on duty at 3 a.m. taps the link in an SMS on
a phone that is rarely signed in, and the point of the alert is to know within minutes that a person has it;
a sign-in first would cost those minutes (and many duty phones have no saved password). The link is safe to
leave open because it can do one thing only — record that *this* person (its token is made for one person and
one alert, random, and expires after ``ALERTS_ACK_LINK_HOURS``) has received *this* alert — and shows nothing
but the alert's title and reason. Opening the link does not acknowledge (link previewers and mail scanners open
links); the tap on the button (a POST) does."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alerts import selectors, services
from alerts.access import can_oversee
from alerts.models import AlertTarget
from crowdsafe.accounts.models import User
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = selectors.alert_visible(user=request.user).select_related("rule", "jurisdiction", "raised_by").filter(pk=pk)
    found = alert.first()
    if found is None:
        raise Http404
    targets = selectors.alert_targets(found)
    mine = next((t for t in targets if t.user_id == request.user.pk), None)
    oversee = can_oversee(get_scope(request.user), found)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": found,
            "targets": targets if oversee else [t for t in targets if t.user_id == request.user.pk],
            "mine": mine,
            "oversee": oversee,
            "acknowledged": sum(1 for t in targets if t.acknowledged_at),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # signed in: login_required
    target = AlertTarget.objects.select_related("alert").filter(pk=pk, user=user).first()
    if target is None:
        raise Http404
    services.alert_acknowledge(target=target, actor=request.user)
    messages.success(request, _("Acknowledged. Thank you."))
    return redirect("alerts:detail", target.alert_id)


@require_http_methods(["GET", "POST"])
def acknowledge_by_link(request: HttpRequest, token: str) -> HttpResponse:
    target = services.target_for_link(token)
    if target is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            target = services.alert_acknowledge_by_link(token=token)
        except DomainError as exc:
            error = str(exc)
    expired = target.acknowledged_at is None and not target.token_valid(timezone.now())
    return render(
        request,
        "alerts/ack.html",
        {"target": target, "alert": target.alert, "error": error, "expired": expired},
        status=400 if error else 200,
    )


@login_required
def reached(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "alerts/reached.html",
        {
            "items": selectors.reached_person(user=request.user),
            "departments": selectors.departments_headed(request.user),
            "department": None,
        },
    )


@login_required
def reached_department(request: HttpRequest, pk: int) -> HttpResponse:
    department = selectors.department_for_reached(request.user, pk)
    if department is None:
        raise Http404
    return render(
        request,
        "alerts/reached.html",
        {
            "items": selectors.reached_department(department=department),
            "departments": selectors.departments_headed(request.user),
            "department": department,
        },
    )
