"""The dashboard's entries on shared pages (registered in ``DashboardConfig.ready``, docs/contracts/panels.md): two
main-menu items (the responsibility matrix and risk now) and a home-page panel linking to both, for those who
may see the dashboard (leaders, administrators)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import OVERSIGHT_ROLES
from crowdsafe.web.home import HomeContext, register_panel
from crowdsafe.web.nav import register_nav_item
from dashboard.access import can_see_dashboard


def dashboard_context(home: HomeContext) -> dict | None:
    return {} if can_see_dashboard(home.scope) else None


def register_panels() -> None:
    register_nav_item(
        "dashboard_matrix",
        label=_("Responsibility matrix"),
        url="dashboard:matrix",
        order=27,
        roles=OVERSIGHT_ROLES,
        visible=lambda user, scope: can_see_dashboard(scope),
    )
    register_nav_item(
        "dashboard_risk",
        label=_("Risk now"),
        url="dashboard:risk",
        order=28,
        roles=OVERSIGHT_ROLES,
        visible=lambda user, scope: can_see_dashboard(scope),
    )
    register_panel(
        "dashboard_links",
        roles=OVERSIGHT_ROLES,
        template="dashboard/panels/links.html",
        context_func=dashboard_context,
        order=40,
    )
