"""Shared helpers of the response services: locking, permission checks, text checks, tiers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.access import ancestor_paths as _ancestor_paths
from crowdsafe.org.models import Jurisdiction
from response import access
from response.models import Incident, ResponseTier

TEXT_MAX = 5000


def text(value: Any, *, field: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    cleaned = str(value or "").strip()
    if required and not cleaned:
        raise DomainError(_("This field is required."), field=field)
    if len(cleaned) > limit:
        raise DomainError(_("Keep this under %(n)d characters.") % {"n": limit}, field=field)
    return cleaned


def locked(incident: Incident) -> Incident:
    """The incident row locked for the change (two commanders acting at once are serialised here)."""
    return Incident.objects.select_for_update(of=("self",)).select_related("level", "tier").get(pk=incident.pk)


def check_command(actor: Any, incident: Incident) -> None:
    if not incident.is_open:
        raise DomainError(_("This incident is closed."), code="invalid_state")
    if not access.can_command(actor_scope(actor), incident):
        raise PermissionDeniedError(_("Only the commander or the on-duty head of the jurisdiction may do this."))


def check_act(actor: Any, incident: Incident) -> None:
    if not incident.is_open:
        raise DomainError(_("This incident is closed."), code="invalid_state")
    if not access.can_act(actor_scope(actor), incident):
        raise PermissionDeniedError(_("You may see this incident but not act on it."))


def tier_for(jurisdiction: Jurisdiction) -> ResponseTier:
    """The tier that commands at ``jurisdiction``: the tier of its own level, else of the nearest level above
    that has one (a community is commanded by its township)."""
    tiers = {t.jurisdiction_level: t for t in ResponseTier.objects.exclude(jurisdiction_level="")}
    node: Jurisdiction | None = jurisdiction
    while node is not None:
        if node.level in tiers:
            return tiers[node.level]
        node = node.parent
    first = ResponseTier.objects.order_by("rank").first()
    if first is None:
        raise DomainError(_("No response tiers are configured."))
    return first


def commanding_jurisdiction(jurisdiction: Jurisdiction, tier: ResponseTier) -> Jurisdiction:
    """The ancestor-or-self of ``jurisdiction`` at ``tier``'s level; the city (root) for a tier with none
    (the province desk is reached through the city)."""
    paths = [*_ancestor_paths(jurisdiction.path), jurisdiction.path]
    chain = {j.path: j for j in Jurisdiction.objects.filter(path__in=paths)}
    ordered = [chain[p] for p in paths if p in chain]
    if tier.jurisdiction_level:
        for node in reversed(ordered):
            if node.level == tier.jurisdiction_level:
                return node
    return ordered[0]
