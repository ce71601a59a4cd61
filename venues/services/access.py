"""Who may change a venue (checked by every venue service) and the helpers the services share.

Government users change venues in their territory: township officers, leaders and admins through their
jurisdiction memberships, department staff and heads through their department's jurisdiction. Grid workers
log what they see on patrol (gatherings, hazards) but do not keep the venue register. A venue operator keeps
the venues of their own organisation (谁的场地谁负责). ``actor=None`` is the system itself (data migrations,
demo data, management commands run by an operator of the platform): services check against ``actor_scope(actor)``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import COORDINATOR_ROLES, DEPARTMENT_ROLES, Scope, actor_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Jurisdiction, Organisation

# Who keeps the venue register of a territory: township officers, leaders and admins of it, and department staff
# and heads of departments whose jurisdiction holds it.
EDITORS = COORDINATOR_ROLES | DEPARTMENT_ROLES


def can_create_venues(scope: Scope, obj=None) -> bool:
    """May the user add venues at all (to show the button)? ``obj`` is not used: the question is about no
    particular venue."""
    return scope.is_superuser or bool(scope.paths_for(EDITORS)) or bool(scope.organisation_ids_for(Role.VENUE_OPERATOR))


def placement_problem(*, actor, grid: Jurisdiction, operator: Organisation | None) -> tuple[str, str] | None:
    """Why ``actor`` may not have a venue in ``grid`` run by ``operator``, as (message, field), or None when
    they may. ``field`` is "grid" when the territory is the problem, "operator" when the operator is."""
    scope = actor_scope(actor)
    if scope.covers(grid.path, EDITORS):
        return None
    operated = scope.organisation_ids_for(Role.VENUE_OPERATOR)
    if operated:
        if operator is not None and operator.pk in operated:
            return None
        return _("As a venue operator you may only keep venues run by your own organisation."), "operator"
    if scope.paths_for(EDITORS):
        return _("%(grid)s is outside your territory.") % {"grid": grid.name}, "grid"
    return _("You may not keep the venue register."), "grid"


def can_manage_venue(scope: Scope, obj) -> bool:
    """May the user change the venue ``obj`` (and its zones, exits and safety records)?"""
    if scope.covers(obj.jurisdiction_path, EDITORS):
        return True
    return obj.operator_id is not None and obj.operator_id in scope.organisation_ids_for(Role.VENUE_OPERATOR)


def check_can_manage(*, actor, venue) -> None:
    if not can_manage_venue(actor_scope(actor), venue):
        raise PermissionDeniedError(_("You may see this venue but not change it."))


def check_placement(*, actor, grid: Jurisdiction, operator: Organisation | None) -> None:
    """May ``actor`` have a venue in ``grid`` run by ``operator``? (The grid's level is an input problem, checked
    with the others by the venue services.)"""
    problem = placement_problem(actor=actor, grid=grid, operator=operator)
    if problem:
        message, field = problem
        raise PermissionDeniedError(message, field=field)


def full_clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation as a domain error naming its field (the first problem found)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def display(value) -> str:
    """A value as the action log keeps it (strings; None as empty)."""
    if value is None:
        return ""
    if isinstance(value, Jurisdiction):
        return value.code
    if isinstance(value, Organisation):
        return value.credit_code
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def venue_visible_q(scope: Scope):
    """The rule of ``Venue.objects.visible_to`` (superusers never get here): the venues in the user's territory,
    those their organisation runs, and those shared with their department (django-guardian ``view_venue``)."""
    from crowdsafe.org.access import granted_q, in_q, path_q
    from venues.models import Venue

    return (
        path_q(scope.territory_paths, field="jurisdiction_path")
        | in_q(scope.organisation_ids_for(Role.VENUE_OPERATOR), field="operator_id")
        | granted_q(scope, Venue, "view_venue")
    )
