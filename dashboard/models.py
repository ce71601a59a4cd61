"""The command-centre screen's tokens (大屏令牌, issue 17 point 5): a long-lived, read-only, revocable key that opens
``/dashboard/screen/<token>/`` for one territory on a wall display, without a login. Only the token's hash is kept
(the administrator sees the address once, when the token is made); revoking it closes the screen at its next
refresh. The screen reads with the rights of the administrator who made the token, within the token's territory,
and only while that person may still see the territory's dashboard."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_screen_token() -> str:
    return "scr_" + secrets.token_urlsafe(30)


class ScreenToken(models.Model):
    name = models.CharField(_("name"), max_length=64, help_text=_("Where the screen hangs, e.g. 市应急指挥中心大屏."))
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(_("token begins with"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("screen token")
        verbose_name_plural = _("screen tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class WeeklyBriefing(models.Model):
    """One weekly briefing (安全形势简报, issue 17 point 6) of a territory: the subject of its numbered document
    (``notices``, kind ``weekly_briefing``). The beat issues one per territory and week (``scheduled``: the unique
    key makes a second run, or two at once, issue nothing more); a leader may ask for one on demand, at most one a
    day per territory (the seven days up to that day): a second request opens the first."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    week_from = models.DateField(_("from"))
    week_to = models.DateField(_("to"))
    scheduled = models.BooleanField(_("issued by the weekly schedule"), default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notice = models.OneToOneField(
        "notices.Notice",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weekly briefing")
        verbose_name_plural = _("weekly briefings")
        ordering = ["-week_to", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "week_from", "week_to", "scheduled"], name="dashboard_briefing_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction.name}安全形势简报（{self.week_from:%Y-%m-%d}—{self.week_to:%Y-%m-%d}）"
