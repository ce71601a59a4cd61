"""Pages of the notification centre, a person's settings and the delivery log. Thin: reads through
``notifications.selectors`` (scoped: another person's notification or a delivery outside the user's departments
is a 404), writes through ``notifications.services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from notifications import selectors, services
from notifications.access import can_see_delivery_log
from notifications.conf import bell_poll_seconds
from notifications.filters import DeliveryFilterSet, InboxFilterSet
from notifications.forms import PreferenceForm

PAGE_SIZE = 30


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
def inbox(request):
    filters = InboxFilterSet(request.GET)
    page = Paginator(selectors.inbox(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "show": filters.show_value(), "unread": selectors.unread_count(user=request.user)},
    )


def bell(request):
    """The header's bell, polled by htmx. Signed out: 204 (htmx leaves the page alone)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(
        request,
        "notifications/_bell.html",
        {"unread": selectors.unread_count(user=request.user), "poll": bell_poll_seconds()},
    )


@login_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    target = notification.message.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, actor=request.user)
    if request.headers.get("HX-Request"):
        response = render(request, "notifications/_notification_row.html", {"item": notification})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def mark_all_read(request):
    count = services.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
def preferences(request):
    preference = services.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.preferences_update(user=request.user, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "email_enabled": preference.email_enabled,
                "sms_enabled": preference.sms_enabled,
                "quiet_start": preference.quiet_start,
                "quiet_end": preference.quiet_end,
                "digest": preference.digest,
                "digest_time": preference.digest_time,
            }
        )
    return render(request, "notifications/preferences.html", {"form": form, "preference": preference})


@login_required
def delivery_list(request):
    departments = selectors.log_departments(user=request.user)
    filters = DeliveryFilterSet(request.GET, departments=departments)
    deliveries = selectors.delivery_log(user=request.user, filters=filters)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "form": filters.form,
            "page": page,
            "filtered": filters.is_filtered(),
            "is_manager": can_see_delivery_log(get_scope(request.user)),
        },
    )


@login_required
def delivery_detail(request, pk: int):
    delivery = selectors.delivery_get(user=request.user, pk=pk)
    return render(
        request,
        "notifications/delivery_detail.html",
        {"delivery": delivery, "attempts": list(delivery.attempt_log.all())},
    )
