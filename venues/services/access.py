"""Who may change a venue (checked by every venue service) and the helpers the services share.

Government users change venues in their territory: township officers, leaders and admins through their
jurisdiction memberships, department staff and heads through their department's jurisdiction. Grid workers
log what they see on patrol (gatherings, hazards) but do not keep the venue register. A venue operator keeps
the venues of their own organisation (谁的场地谁负责). ``actor=None`` is the system itself (data migrations,
demo data, management commands run by an operator of the platform).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import Scope, get_scope, minimal_prefixes
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.choices import VENUE_LEVELS

EDITOR_JURISDICTION_ROLES = frozenset({Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN})
EDITOR_DEPARTMENT_ROLES = frozenset({Role.STAFF, Role.HEAD})


def editable_paths(scope: Scope) -> tuple[str, ...]:
    """The subtrees in which the user may keep the venue register."""
    paths = []
    for m in scope.memberships:
        if m.role in EDITOR_JURISDICTION_ROLES and m.jurisdiction_id:
            paths.append(m.jurisdiction.path)
        elif m.role in EDITOR_DEPARTMENT_ROLES and m.department_id and m.department.is_active:
            paths.append(m.department.jurisdiction.path)
    return minimal_prefixes(paths)


def operated_organisation_ids(scope: Scope) -> frozenset[int]:
    """Organisations for which the user acts as venue operator."""
    return frozenset(m.organisation_id for m in scope.memberships if m.role == Role.VENUE_OPERATOR)


def can_create_venues(*, actor) -> bool:
    if actor is None:
        return True
    scope = get_scope(actor)
    return scope.is_superuser or bool(editable_paths(scope)) or bool(operated_organisation_ids(scope))


def placement_problem(*, actor, grid: Jurisdiction, operator: Organisation | None) -> tuple[str, str] | None:
    """Why ``actor`` may not have a venue in ``grid`` run by ``operator``, as (message, field), or None when
    they may. ``field`` is "grid" when the territory is the problem, "operator" when the operator is."""
    if actor is None:
        return None
    scope = get_scope(actor)
    if scope.is_superuser or any(grid.path.startswith(p) for p in editable_paths(scope)):
        return None
    operated = operated_organisation_ids(scope)
    if operated:
        if operator is not None and operator.pk in operated:
            return None
        return _("As a venue operator you may only keep venues run by your own organisation."), "operator"
    if editable_paths(scope):
        return _("%(grid)s is outside your territory.") % {"grid": grid.name}, "grid"
    return _("You may not keep the venue register."), "grid"


def can_manage_venue(*, actor, venue) -> bool:
    """May ``actor`` change ``venue`` (and its zones, exits and safety records)?"""
    if actor is None:
        return True
    scope = get_scope(actor)
    if scope.is_superuser or any(venue.jurisdiction_path.startswith(p) for p in editable_paths(scope)):
        return True
    return venue.operator_id is not None and venue.operator_id in operated_organisation_ids(scope)


def check_can_manage(*, actor, venue) -> None:
    if not can_manage_venue(actor=actor, venue=venue):
        raise PermissionDeniedError(_("You may see this venue but not change it."))


def check_placement(*, actor, grid: Jurisdiction, operator: Organisation | None) -> None:
    if grid.level not in VENUE_LEVELS:
        raise DomainError(
            _("%(name)s is a %(level)s: a venue is placed in a grid or a village/community.")
            % {"name": grid.name, "level": grid.get_level_display()},
            field="grid",
        )
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
