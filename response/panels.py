"""The response app's home panel (open incidents and their latest situation report, for leaders and the people
working them) and its menu item."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import GOVERNMENT_ROLES
from crowdsafe.web.home import HomeContext, register_panel
from crowdsafe.web.nav import register_nav_item


def incidents_context(home: HomeContext) -> dict[str, Any] | None:
    from response import selectors

    return selectors.dashboard(user=home.user)


def register_panels() -> None:
    register_panel(
        "response_incidents",
        roles=GOVERNMENT_ROLES,
        template="response/panels/incidents.html",
        context_func=incidents_context,
        order=12,
    )
    register_nav_item("response", label=_("Incidents"), url="response:incidents", order=45, roles=GOVERNMENT_ROLES)
