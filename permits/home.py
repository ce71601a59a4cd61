"""Home-page panels of the permit app: the review queue's head for a licensing department's staff, and the
applications that need the organizer (drafts, corrections, conditions still to report)."""

from __future__ import annotations

from django.db.models import Q

from crowdsafe.org.choices import Role
from crowdsafe.web.home import HomeContext, register_panel
from permits.choices import ApplicationState, ConditionStatus
from permits.models import PermitApplication
from permits.selectors import days_left, review_queue

ROWS = 5


def review_panel(home: HomeContext) -> dict | None:
    if not home.scope.department_ids:
        return None
    queue = review_queue(user=home.user)
    rows = list(queue[:ROWS])
    if not rows and not queue.exists():
        return None  # a department that licenses nothing (fire rescue, housing …) sees no permit panel
    return {
        "rows": [(a, days_left(a.review_due, home.today)) for a in rows],
        "waiting": queue.count(),
        "overdue": queue.filter(review_due__lt=home.today).count(),
    }


def organizer_panel(home: HomeContext) -> dict | None:
    organisations = sorted(home.scope.organisation_ids_for(Role.ORGANIZER))
    if not organisations:
        return None
    rows = list(
        PermitApplication.objects.filter(organisation_id__in=organisations)
        .filter(
            Q(state__in=[ApplicationState.DRAFT, ApplicationState.CORRECTION])
            | Q(state=ApplicationState.APPROVED, conditions__status=ConditionStatus.OPEN)
        )
        .distinct()
        .order_by("first_session_start", "id")[:ROWS]
    )
    return {"rows": rows}


def register_panels() -> None:
    register_panel(
        "permit_review",
        roles={Role.STAFF, Role.HEAD},
        template="permits/panels/review.html",
        context_func=review_panel,
        order=15,
    )
    register_panel(
        "permit_applications",
        roles={Role.ORGANIZER},
        template="permits/panels/organizer.html",
        context_func=organizer_panel,
        order=15,
    )
