"""Home-page panels of the risk app (registered in ``RiskConfig.ready``; see ``crowdsafe/web/home.py``):

- open hazards, the major ones first (隐患整改): for everyone who rectifies or supervises them;
- assessments awaiting sign-off (待签批): for those who sign off;
- the risk register by level (风险底数): for leaders and administrators.
"""

from __future__ import annotations

from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES, get_scope
from crowdsafe.org.choices import Role
from crowdsafe.web.home import register_panel
from permits.panels import register_application_panel
from risk import access, selectors
from risk.choices import OPEN_HAZARD_STATES
from risk.subjects import subject_info

PANEL_ITEMS = 5
REVIEW_ROLES = {Role.HEAD, Role.STAFF, Role.TOWNSHIP_OFFICER, Role.LEADER, Role.ADMIN}


def hazards_context(home) -> dict | None:
    counts = selectors.hazard_counts(user=home.user, today=home.today)
    hazards = list(
        selectors.hazard_list(user=home.user, filters={"status": "open", "level": "major"}, today=home.today)[
            :PANEL_ITEMS
        ]
    )
    if not counts["open"] and not hazards and home.scope.is_external:
        return None
    return {"counts": counts, "hazards": hazards, "today": home.today, "open_states": OPEN_HAZARD_STATES}


def review_context(home) -> dict | None:
    waiting = selectors.assessment_list(user=home.user, filters={"to_review": True})
    items = [a for a in waiting[:50] if access.can_review(home.scope, a)]
    if not items:
        return None
    return {"assessments": items[:PANEL_ITEMS], "count": len(items), "more": len(items) >= 50}


def register_context(home) -> dict:
    return {"counts": selectors.register_counts(user=home.user)}


def register_panels() -> None:
    register_panel(
        "risk_hazards",
        roles=GOVERNMENT_ROLES | EXTERNAL_ROLES,
        template="risk/panels/hazards.html",
        context_func=hazards_context,
        order=30,
    )
    register_panel(
        "risk_review",
        roles=REVIEW_ROLES,
        template="risk/panels/review.html",
        context_func=review_context,
        order=22,
    )
    register_panel(
        "risk_register",
        roles={Role.LEADER, Role.ADMIN},
        template="risk/panels/register.html",
        context_func=register_context,
        order=50,
    )


# --- the risk block on a permit application's page (permits.panels, docs/contracts/panels.md) ---------------


def permit_application_context(request, application) -> dict | None:
    """The application's current level, its assessments the user may see, and the way to assess it."""
    user = request.user
    info = subject_info("permit_application", application)
    assessments = selectors.assessments_of(
        user=user, subject_type="permit_application", subject_id=application.pk, limit=5
    )
    can_assess = access.assessor_role(get_scope(user), info) is not None
    current = selectors.current_level(subject_type="permit_application", subject_id=application.pk)
    if not (assessments or can_assess or current):
        return None
    return {"info": info, "current": current, "assessments": assessments, "can_assess": can_assess}


def register_permit_panel() -> None:
    register_application_panel(
        "risk_assessment",
        template="risk/panels/permit_application.html",
        context_func=permit_application_context,
        order=40,
    )
