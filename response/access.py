"""Who may see and do what in a response (DESIGN.md section 4).

See an incident: the government people whose territory holds the place (the lower level keeps seeing after command
moves up) or the command jurisdiction, and the departments given a measure or asked for a force; superusers all.
Organisations' people see nothing. Command it (activate plans, change the level, request forces, hand over, ask
for a higher level, close): the commander, or the on-duty head of the commanding jurisdiction — its leaders, and
the heads marked on duty of departments at or above it. Act on it (log, report, update a force or a measure):
anyone who sees it from government. Accept a higher-level request: the leaders and on-duty heads of the level
asked (at or above its jurisdiction).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from crowdsafe.org.access import GOVERNMENT_ROLES, NOTHING, Scope, path_q
from crowdsafe.org.choices import Role
from response.models import EscalationRequest, Incident

COMMAND_ROLES = frozenset({Role.LEADER, Role.ADMIN})


def incident_visible_q(scope: Scope) -> Q:
    """The rule of ``Incident.objects.visible_to``."""
    if not scope.user_id or not scope.is_government:
        return NOTHING
    q = Q(commander_id=scope.user_id)
    territory = scope.paths_for(GOVERNMENT_ROLES)
    if territory:
        q |= path_q(territory, field="jurisdiction_path") | path_q(territory, field="command_path")
    if scope.department_ids:
        ids = sorted(scope.department_ids)
        q |= Q(
            pk__in=Incident.objects.filter(
                Q(measures__department_id__in=ids) | Q(forces__department_id__in=ids)
            ).values("pk")
        )
    return q


def report_visible_q(scope: Scope) -> Q:
    """The rule of ``PublicReport.objects.visible_to``: government people of the report's territory."""
    if not scope.user_id or not scope.is_government:
        return NOTHING
    territory = scope.paths_for(GOVERNMENT_ROLES)
    return path_q(territory, field="jurisdiction_path") if territory else NOTHING


def _on_duty_head_covering(scope: Scope, path: str) -> bool:
    for m in scope.memberships:
        if (
            m.role == Role.HEAD
            and m.on_duty
            and m.department_id
            and m.department.is_active
            and path.startswith(m.department.jurisdiction.path)
        ):
            return True
    return False


def is_on_duty_head(scope: Scope, path: str) -> bool:
    """A leader (or administrator) of the jurisdiction at ``path`` or above, or a department head on duty there."""
    return scope.is_superuser or scope.covers(path, COMMAND_ROLES) or _on_duty_head_covering(scope, path)


def can_command(scope: Scope, incident: Incident) -> bool:
    if not incident.is_open:
        return False
    return scope.user_id == incident.commander_id or is_on_duty_head(scope, incident.command_path)


def can_act(scope: Scope, incident: Incident) -> bool:
    """Log, report, move a force or a measure on: whoever sees it from government (the view has scoped it)."""
    return incident.is_open and (scope.is_superuser or scope.is_government)


def can_open(scope: Scope, path: str) -> bool:
    """Open an incident at ``path``: government people whose territory holds it."""
    return scope.is_superuser or scope.covers(path, GOVERNMENT_ROLES)


def can_accept(scope: Scope, request: EscalationRequest) -> bool:
    return is_on_duty_head(scope, request.to_path)


def can_reveal_phone(scope: Scope, report: Any) -> bool:
    """The caller's number, to those who call back: coordinators of the territory and the police."""
    return scope.is_superuser or scope.covers(
        report.jurisdiction_path, {Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN, Role.STAFF, Role.HEAD}
    )
