"""Who may see the leaders' dashboard, and of which territory. The dashboard is for those who oversee a territory
(leaders, administrators; superusers everywhere): the same people as the responsibility overview
(``duties.access.can_see_overview``). A leader sees their own subtree and nothing above or beside it."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from crowdsafe.org.access import OVERSIGHT_ROLES, Scope, get_scope
from crowdsafe.org.models import Jurisdiction
from duties.access import can_see_overview


def can_see_dashboard(scope: Scope, obj: Any = None) -> bool:
    """The dashboard pages, exports and API: leaders, administrators, superusers. ``obj`` is unused."""
    return can_see_overview(scope)


def territory_paths(scope: Scope) -> tuple[str, ...] | None:
    """The subtrees the user's dashboard covers (None: everywhere, for superusers)."""
    if scope.is_superuser:
        return None
    return scope.paths_for(OVERSIGHT_ROLES)


def dashboard_root(user: Any, code: str | None = None) -> Jurisdiction:
    """The jurisdiction the dashboard shows: the one with division code ``code`` if it lies in the user's
    territory, else (no code) the user's first territory — the city for a superuser. Anything outside is a 404, as
    for every scoped object; a user who may not see the dashboard gets a 404 too."""
    scope = get_scope(user)
    if not can_see_dashboard(scope):
        raise Http404
    paths = territory_paths(scope)
    qs = Jurisdiction.objects.all()
    if code:
        root = qs.filter(code=str(code).strip().upper()[:20]).first()
        if root is None or (paths is not None and not root.path.startswith(paths)):
            raise Http404
        return root
    if paths is None:
        root = qs.filter(parent__isnull=True).order_by("code").first()
    else:
        root = qs.filter(path__in=paths).order_by("path").first()
    if root is None:
        raise Http404
    return root


def may_open(user: Any, jurisdiction: Jurisdiction) -> bool:
    """Whether the user's dashboard may show ``jurisdiction`` (for the link up to a parent)."""
    scope = get_scope(user)
    if not can_see_dashboard(scope):
        return False
    paths = territory_paths(scope)
    return paths is None or jurisdiction.path.startswith(paths)
