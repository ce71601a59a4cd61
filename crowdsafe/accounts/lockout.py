"""Sign-in lockouts (django-axes): the page or API answer a locked-out visitor gets, and the action-log entries.

django-axes counts failed sign-ins per account and per address (settings: AXES_*) on the web sign-in page and
the API's token endpoint; past the limit it refuses even the right password until the cool-off ends or an
administrator deletes the attempt in the admin. Each lockout and each unlock is written to the action log, so a
guessing attack on an account shows in its history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action

VERB_LOCKED_OUT = "signin_locked_out"
VERB_UNLOCKED = "signin_unlocked"


def cool_off_minutes() -> int:
    """The cool-off in whole minutes (AXES_COOLOFF_TIME is in hours, as django-axes counts)."""
    return max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts: signing in is locked for %(minutes)s minutes. Try again later, or ask "
        "your system administrator to unlock it."
    ) % {"minutes": cool_off_minutes()}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with the reason, as JSON for the API and as the sign-in page for people."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout_message": message,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def _subject_of(username: str | None, ip_address: str | None) -> models.Model | None:
    """The account named in the attempt if there is one, else the attempt record itself."""
    from axes.models import AccessAttempt

    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        return user
    attempts = AccessAttempt.objects.order_by("-attempt_time")
    return (attempts.filter(username=username).first() if username else None) or attempts.filter(
        ip_address=ip_address
    ).first()


def log_lockout(sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    """Receiver of django-axes' ``user_locked_out`` signal: one action-log entry per lockout.

    django-axes sends the signal again for every attempt made while locked out; only the attempt that reached
    the limit starts a lockout.
    """
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    subject = _subject_of(username, ip_address)
    if subject is None:
        return
    with transaction.atomic():
        log_action(
            actor=None,
            subject=subject,
            verb=VERB_LOCKED_OUT,
            reason=lockout_message(),
            data={"username": username or "", "ip_address": ip_address or "", "path": request.path},
        )


def log_unlock(*, actor: Any, attempt: models.Model) -> None:
    """An administrator unlocked a sign-in (deleted the attempt in the admin): logged against the account."""
    username = getattr(attempt, "username", "") or ""
    ip_address = getattr(attempt, "ip_address", "") or ""
    subject = get_user_model().objects.filter(username=username).first() if username else None
    log_action(
        actor=actor,
        subject=subject or attempt,
        verb=VERB_UNLOCKED,
        data={"username": username, "ip_address": ip_address},
    )
