"""The page shell's own views: the home page and the account pages (Django's auth views, our templates)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from crowdsafe.web.home import build_home_context, render_panels


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
