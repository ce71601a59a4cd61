"""The page shell's own views: the home page and the account pages (Django's auth views, our templates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

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
