"""Who may see and do what in monitoring.

See (``Zone.objects.visible_to``, ``Source…``, ``MonitoringAlert…``): government people whose territory holds the
zone (any government role: grid workers, township officers, leaders, administrators, department staff and heads
through their department's jurisdiction), and the people of the zone's organisation (its venue operator or
organizer). Manage zones and sources (create, change, revoke a token): township officers, leaders, administrators
of the territory and public-security departments covering it. Count (a manual count through the API) and tick
measures: anyone who may see the zone, except the organisation's people for exercise copies.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from crowdsafe.org.access import COORDINATOR_ROLES, DEPARTMENT_ROLES, NOTHING, Scope, in_q, path_q
from crowdsafe.org.choices import DepartmentKind


def zone_visible_q(scope: Scope) -> Q:
    return path_q(scope.paths_for(None), field="jurisdiction_path") | in_q(
        scope.organisation_ids, field="organisation_id"
    )


def source_visible_q(scope: Scope) -> Q:
    return path_q(scope.paths_for(None), field="jurisdiction_path") | in_q(
        scope.organisation_ids, field="zones__organisation_id"
    )


def alert_visible_q(scope: Scope) -> Q:
    territory = path_q(scope.paths_for(None), field="jurisdiction_path")
    if scope.organisation_ids:
        return territory | Q(zone__organisation_id__in=sorted(scope.organisation_ids), exercise=False)
    return territory or NOTHING


def can_manage_at(scope: Scope, path: str | None) -> bool:
    """Create or change zones and sources at ``path``."""
    return scope.covers(path, COORDINATOR_ROLES) or scope.covers(
        path, DEPARTMENT_ROLES, department_kind=DepartmentKind.PUBLIC_SECURITY
    )


def can_manage(scope: Scope, obj: Any) -> bool:
    return can_manage_at(scope, getattr(obj, "jurisdiction_path", None))


def can_count(scope: Scope, zone: Any) -> bool:
    """Send a manual count for ``zone`` (stewards, grid workers, the organisation's people)."""
    if scope.is_superuser or scope.covers(zone.jurisdiction_path, None):
        return True
    return bool(zone.organisation_id and zone.organisation_id in scope.organisation_ids)


def can_work_alert(scope: Scope, alert: Any) -> bool:
    """Move an alert's state and tick its measures: government people of the territory, and the zone's
    organisation."""
    if scope.is_superuser or scope.covers(alert.jurisdiction_path, None):
        return True
    zone = alert.zone
    return bool(zone is not None and zone.organisation_id and zone.organisation_id in scope.organisation_ids)


def can_edit_bands(scope: Scope) -> bool:
    """The level bands are the city's: its system administrators (and superusers) change them."""
    return scope.is_superuser or bool(scope.admin_paths)
