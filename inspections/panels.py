"""The inspections app's entries on shared pages (docs/contracts/panels.md): the main-menu item, the home-page
panel of failed items (issue 21 point 6: by kind of venue, by item, by township over time; the full analytics page
behind it), and a block on a permit application's page (its pre-event inspections)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import COORDINATOR_ROLES, DEPARTMENT_ROLES, GOVERNMENT_ROLES
from crowdsafe.web.home import HomeContext, register_panel
from crowdsafe.web.nav import register_nav_item
from permits.panels import register_application_panel


def failed_items_context(home: HomeContext) -> dict[str, Any] | None:
    from inspections.selectors import analytics

    return {"analytics": analytics(user=home.user, limit=5)}


def permit_panel_context(request: HttpRequest, application: Any) -> dict[str, Any] | None:
    from inspections.access import can_start
    from inspections.models import Inspection
    from inspections.selectors import inspection_visible

    inspections = list(inspection_visible(user=request.user).filter(application=application)[:10])
    may_start = can_start(_scope(request), application.jurisdiction_path or "")
    if not inspections and not may_start:
        return None
    return {"inspections": inspections, "may_start": may_start and application.state == "approved", "model": Inspection}


def _scope(request: HttpRequest) -> Any:
    from crowdsafe.org.access import get_scope

    return get_scope(request.user)


def register_panels() -> None:
    register_nav_item("inspections", label=_("Inspections"), url="inspections:list", order=47, roles=GOVERNMENT_ROLES)
    register_panel(
        "inspections_failed",
        # Analytics for the people who plan inspections and follow them up (department staff, township officers,
        # leaders), not a grid worker's phone home, which starts with the work to do now (issue 20 point 1).
        roles=DEPARTMENT_ROLES | COORDINATOR_ROLES,
        template="inspections/panels/failed.html",
        context_func=failed_items_context,
        order=55,
    )
    register_application_panel(
        "pre_event_inspection",
        template="inspections/panels/permit.html",
        context_func=permit_panel_context,
        order=55,
    )
