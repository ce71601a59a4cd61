"""Writes of the dashboard: the screen tokens (made and revoked by an administrator, each logged)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.org.models import Jurisdiction
from dashboard.access import may_open
from dashboard.models import ScreenToken, hash_token, new_screen_token


def screen_token_create(*, actor: Any, name: str, jurisdiction: Jurisdiction) -> tuple[ScreenToken, str]:
    """A screen token for ``jurisdiction``; returns it and the token (shown once: only its hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the screen a name."), field="name")
    if not may_open(actor, jurisdiction):
        raise DomainError(_("You may not open the dashboard of this territory."), field="jurisdiction")
    token = new_screen_token()
    with transaction.atomic():
        screen = ScreenToken.objects.create(
            name=name[:64],
            jurisdiction=jurisdiction,
            token_hash=hash_token(token),
            token_prefix=token[:8],
            created_by=actor,
        )
        log_action(actor=actor, subject=screen, verb="screen_token_created", data={"jurisdiction": jurisdiction.code})
    return screen, token


def screen_token_revoke(*, screen: ScreenToken, actor: Any) -> ScreenToken:
    with transaction.atomic():
        screen = ScreenToken.objects.select_for_update().get(pk=screen.pk)
        if screen.revoked_at is None:
            screen.revoked_at = timezone.now()
            screen.save(update_fields=["revoked_at"])
            log_action(actor=actor, subject=screen, verb="screen_token_revoked")
    return screen


def screen_for_token(token: str) -> ScreenToken | None:
    """The screen the token opens: not revoked, and its maker may still see the territory's dashboard."""
    token = (token or "").strip()
    if not token or len(token) > 100:
        return None
    screen = (
        ScreenToken.objects.select_related("jurisdiction", "created_by")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if screen is None or not screen.created_by.is_active or not may_open(screen.created_by, screen.jurisdiction):
        return None
    return screen
