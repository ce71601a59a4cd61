"""Telling the people outside government what concerns them (not urgent: ordinary notices through ``notify``):

- the organizer of a permit application: accepted, returned for correction, not accepted, inspection dates,
  the decision (with the document's link), a change decided (``permit_news``);
- the venue operator: a hazard found, a rectification order, an extension decided (``hazard_news``);
- the grid worker who reported a gathering: verified, merged or dismissed (``gathering_news``).

Each is one call from the service that makes the change, inside its transaction. Nobody on record (an organizer
with no person registered) means no message: the duties engine's own reminders and the coverage check cover
those who hold tasks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.choices import Role
from crowdsafe.org.models import Membership
from notifications.choices import MessageKind
from notifications.services import notify

PERMIT_NEWS: dict[str, Promise] = {
    "accepted": _("Your application was accepted: %(subject)s"),
    "returned": _("Your application was returned for correction: %(subject)s"),
    "not_accepted": _("Your application was not accepted: %(subject)s"),
    "inspection": _("A joint site inspection is scheduled: %(subject)s"),
    "approved": _("Your event was approved: %(subject)s"),
    "refused": _("Your event was refused a permit: %(subject)s"),
    "change_approved": _("Your change request was approved: %(subject)s"),
    "change_refused": _("Your change request was refused: %(subject)s"),
}
HAZARD_NEWS: dict[str, Promise] = {
    "reported": _("A hazard was found at your venue: %(subject)s"),
    "order": _("A rectification order was issued: %(subject)s"),
    "extension_approved": _("Your extension was approved: %(subject)s"),
    "extension_refused": _("Your extension was refused: %(subject)s"),
}
GATHERING_NEWS: dict[str, Promise] = {
    "verified": _("The gathering you reported was verified: %(subject)s"),
    "merged": _("The gathering you reported was merged into another record: %(subject)s"),
    "dismissed": _("The gathering you reported was dismissed: %(subject)s"),
}


def _people(organisation: Any, roles: Iterable[str]) -> list[Any]:
    if organisation is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, role__in=list(roles), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]


def _url(obj: Any, name: str = "") -> str:
    getter = getattr(obj, "get_absolute_url", None)
    try:
        if getter is not None:
            return str(getter())
        return reverse(name, args=[obj.pk]) if name else ""
    except NoReverseMatch:
        return ""


def _send(users: list[Any], *, subject: models.Model, title: Promise, detail: str, url: str, actor: Any) -> None:
    if not users:
        return
    with translation.override(settings.LANGUAGE_CODE, deactivate=False):
        text = str(title) % {"subject": str(subject)}
    notify(
        recipients=users,
        subject=subject,
        title=text[:255],
        body=detail,
        kind=MessageKind.NOTICE,
        actor=actor,
        url=url or None,
    )


def permit_news(application: Any, event: str, *, actor: Any, document: Any = None, detail: str = "") -> None:
    """Tell the applicant's organizers (their organisation's people) that ``event`` happened to ``application``;
    the link is the document issued (a decision, a notice) when there is one, else the application."""
    _send(
        _people(application.organisation, [Role.ORGANIZER, Role.VENUE_OPERATOR]),
        subject=application,
        title=PERMIT_NEWS[event],
        detail=detail,
        url=_url(document) if document is not None else _url(application, "permits:application_detail"),
        actor=actor,
    )


def hazard_news(hazard: Any, event: str, *, operator: Any, actor: Any, document: Any = None, detail: str = "") -> None:
    """Tell the venue operator's people about a hazard at their venue."""
    _send(
        _people(operator, [Role.VENUE_OPERATOR, Role.ORGANIZER]),
        subject=hazard,
        title=HAZARD_NEWS[event],
        detail=detail,
        url=_url(document) if document is not None else _url(hazard),
        actor=actor,
    )


def gathering_news(gathering: Any, event: str, *, actor: Any, detail: str = "") -> None:
    """Tell the grid worker who reported a gathering what became of it (nothing when they did it themselves)."""
    reporter = gathering.reported_by if gathering.reported_by_id else None
    if reporter is None or getattr(actor, "pk", None) == reporter.pk:
        return
    _send(
        [reporter],
        subject=gathering,
        title=GATHERING_NEWS[event],
        detail=detail,
        url=_url(gathering, "events:gathering_detail"),
        actor=actor,
    )
