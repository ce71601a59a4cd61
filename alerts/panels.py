"""Home-page panel of the alerts app (registered in ``AlertsConfig.ready``): for leaders and administrators, the
median time to acknowledge per department and the recipient gaps of their territory. See crowdsafe/web/home.py."""

from __future__ import annotations

from typing import Any

from alerts.selectors import acknowledgment_by_department, gaps_for
from crowdsafe.org.access import OVERSIGHT_ROLES
from crowdsafe.web.home import HomeContext, register_panel

PANEL_ROWS = 8


def overview_context(home: HomeContext) -> dict[str, Any] | None:
    return {
        "departments": acknowledgment_by_department(user=home.user)[:PANEL_ROWS],
        "gaps": gaps_for(home.user)[:PANEL_ROWS],
    }


def register_panels() -> None:
    register_panel(
        "alerts_overview",
        roles=OVERSIGHT_ROLES,
        template="alerts/panels/overview.html",
        context_func=overview_context,
        order=45,
    )
