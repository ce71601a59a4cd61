"""The page shell's own views: the home page, the account pages (Django's auth views, our templates) and the
server-error handler (a 503 while the database is unreachable) and ReDoc's bundle without its CDN logo."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.http import require_GET

from crowdsafe.audit.selectors import actions_by
from crowdsafe.web.home import build_home_context, render_panels
from crowdsafe.web.panels import action_rows

ACTIONS_PAGE_SIZE = 30


@login_required
def home(request):
    """What needs this user's attention, as panels registered by the apps (``crowdsafe.web.home``)."""
    home_context = build_home_context(request)
    panels = render_panels(home_context) if home_context.roles else []
    return render(
        request,
        "web/home.html",
        {"panels": panels, "has_role": bool(home_context.roles), "today": home_context.today},
    )


@login_required
def my_actions(request):
    """The user's own action log (我的最近操作), newest first, a page at a time."""
    page = Paginator(actions_by(actor=request.user, limit=None), ACTIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/my_actions.html", {"page": page, "rows": action_rows(page.object_list)})


class NoLabelSuffixMixin:
    """Labels above their fields read better without Django's trailing colon."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}


class LoginView(NoLabelSuffixMixin, auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and say so on the sign-in page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


class PasswordChangeView(NoLabelSuffixMixin, auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


# --- the database is down or restarting: 503, not a generic 500 (issue 18 point 5) ------------------------------

# How long a client is asked to wait before trying again (seconds): a PostgreSQL restart or a failover takes a few.
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """``handler500``: an uncaught exception. When it is the database being unreachable (down, restarting, out of
    connections: ``OperationalError``/``InterfaceError``), the page says so with a 503 and a Retry-After — JSON for
    the API — instead of "something went wrong"; anything else is the usual 500. Rendered without the request, as
    Django's own handler does: its context processors would ask the database again."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    message = _("The service is temporarily unavailable: please try again later.")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": str(message), "code": "service_unavailable"}, status=503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


# ReDoc's bundle (drf-spectacular-sidecar's pinned copy) shows the vendor's logo from its CDN in the sidebar's "API
# docs by Redocly" link, a URL fixed in the bundle with no option to turn it off. Nothing is fetched from the
# internet at run time: the bundle is served with that URL replaced by an empty image (SPECTACULAR_SETTINGS'
# REDOC_DIST points here; tests/security/test_redoc_csp_browser.py).
REDOC_SIDECAR_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_VENDOR_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"


@functools.cache
def _redoc_bundle() -> bytes:
    found = finders.find(REDOC_SIDECAR_BUNDLE)
    if not isinstance(found, str):
        raise LookupError(f"{REDOC_SIDECAR_BUNDLE} is not among the static files (drf-spectacular-sidecar)")
    return Path(found).read_bytes().replace(REDOC_VENDOR_LOGO, EMPTY_IMAGE)


@require_GET
def redoc_bundle(request):
    """The ReDoc bundle with no outside URL in it, cached by the browser for a day."""
    response = HttpResponse(_redoc_bundle(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
