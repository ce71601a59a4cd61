"""Writes of the dashboard: the screen tokens (made and revoked by an administrator, each logged), and the weekly
briefing (issued as a numbered document through ``notices``, by the beat every Monday and by a leader on demand)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.models import Department, Jurisdiction, Membership
from dashboard.access import may_open
from dashboard.models import ScreenToken, WeeklyBriefing, hash_token, new_screen_token
from dashboard.selectors.briefing import briefing_context
from notices.choices import NoticeKind
from notices.services import notice_issue
from notifications.choices import MessageKind
from notifications.services import notify

logger = logging.getLogger(__name__)


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


# --- the weekly briefing (安全形势简报, issue 17 point 6) ---------------------------------------------------------

BRIEFING_ISSUER_KINDS = (DepartmentKind.EMERGENCY, DepartmentKind.TOWNSHIP_GOVERNMENT)


def briefing_issuer(root: Jurisdiction) -> Department | None:
    """The department that issues ``root``'s briefing: its emergency management bureau (安委办 sits there), else
    its township government; else the nearest such department above it."""
    place: Jurisdiction | None = root
    while place is not None:
        departments = Department.objects.filter(jurisdiction=place, is_active=True)
        for kind in BRIEFING_ISSUER_KINDS:
            found = departments.filter(kind=kind).order_by("pk").first()
            if found is not None:
                return found
        place = place.parent
    return None


def territory_leaders(root: Jurisdiction) -> list[Any]:
    """The active leaders of ``root`` itself (its 领导), by id."""
    ids = (
        Membership.objects.filter(role=Role.LEADER, jurisdiction=root, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("pk"))


def _week_label(week_from: dt.date, week_to: dt.date, scheduled: bool) -> str:
    if scheduled:
        year, week, _day = week_from.isocalendar()
        return f"{year}年第{week}周"
    return f"{week_from.year}年{week_from.month}月{week_from.day}日至{week_to.month}月{week_to.day}日"


def briefing_issue(
    *,
    root: Jurisdiction,
    week_from: dt.date,
    week_to: dt.date,
    reader: Any,
    scheduled: bool,
    actor: Any = None,
    today: dt.date | None = None,
) -> tuple[WeeklyBriefing, bool]:
    """Issue ``root``'s briefing for ``week_from``–``week_to`` as a numbered document (notices kind
    ``weekly_briefing``) with the figures ``reader`` (the leader it is for) may see, and tell ``root``'s leaders.
    Returns (briefing, issued now). Idempotent on (territory, from, to, scheduled): a second call — or a second
    worker at the same moment, held on the unique key — issues nothing and returns the first. ``actor`` is the
    leader who asked (on demand), checked by the caller; the document is issued by the platform (its issuer is
    ``briefing_issuer``). DomainError when no department can issue it."""
    issuer = briefing_issuer(root)
    if issuer is None:
        raise DomainError(_("No emergency management department here or above to issue the briefing."), field="root")
    today = today or timezone.localdate()
    with translation.override("zh-hans"), transaction.atomic():
        briefing, created = WeeklyBriefing.objects.get_or_create(
            jurisdiction=root,
            week_from=week_from,
            week_to=week_to,
            scheduled=scheduled,
            defaults={"requested_by": actor},
        )
        if not created:
            return briefing, False
        context = briefing_context(user=reader, root=root, week_from=week_from, week_to=week_to, today=today)
        context["week_label"] = _week_label(week_from, week_to, scheduled)
        notice = notice_issue(
            kind=NoticeKind.WEEKLY_BRIEFING,
            issuer=issuer,
            subject=briefing,
            recipient=f"{root.name}各位领导",
            context=context,
            actor=None,
        )
        briefing.notice = notice
        briefing.save(update_fields=["notice"])
        leaders = territory_leaders(root)
        if actor is not None and actor not in leaders:
            leaders.append(actor)
        if leaders:
            notify(
                recipients=leaders,
                subject=briefing,
                title=notice.title[:200],
                body=context["summary"],
                kind=MessageKind.NOTICE,
                url=reverse("notices:detail", args=[notice.pk]),
            )
        log_action(
            actor=actor,
            subject=briefing,
            verb="briefing_issued",
            data={"notice": notice.number, "scheduled": scheduled, "territory": root.code},
        )
    return briefing, True


def briefings_issue_weekly(*, today: dt.date | None = None) -> list[WeeklyBriefing]:
    """Monday morning (beat): last week's (Monday to Sunday) briefing for every territory with a leader, each in
    its own transaction, once (``briefing_issue`` is idempotent: running twice issues nothing more). A territory
    with no issuing department is logged and skipped."""
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    week_from, week_to = monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    roots = Jurisdiction.objects.filter(
        pk__in=Membership.objects.filter(role=Role.LEADER, user__is_active=True, jurisdiction__isnull=False).values(
            "jurisdiction_id"
        )
    ).order_by("path")
    issued = []
    for root in roots:
        leaders = territory_leaders(root)
        if not leaders:
            continue
        try:
            briefing, created = briefing_issue(
                root=root, week_from=week_from, week_to=week_to, reader=leaders[0], scheduled=True, today=today
            )
        except DomainError as exc:
            logger.warning("weekly briefing of %s not issued: %s", root.code, exc)
            continue
        if created:
            issued.append(briefing)
    return issued
