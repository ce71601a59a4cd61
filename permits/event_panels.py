"""Issue 21's blocks on an application's page and in the reviewer workspace, through the permit app's own panel
registry (``permits.panels``): the previous event's review (with its weight), the security resources against the
ratio table, the temporary structures with their acceptance and the event-day readiness, the post-event review,
and the "copy into a new application" button. Registered in ``PermitsConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from crowdsafe.org.access import get_scope
from permits.access import is_organizer, is_reviewer
from permits.choices import ApplicationState, ReviewSide
from permits.forms import PostEventReviewForm, ResourceForm, StructureAcceptForm, StructureForm
from permits.panels import register_application_panel
from permits.resources import resource_check
from permits.selectors import REVIEW_HISTORY_FLOOR, previous_reviews
from permits.services.resources import ACCEPTING_STATES, REVIEW_STATES, _may_accept
from venues.models import Zone

S = ApplicationState


def _roles(request, application) -> tuple[bool, bool]:
    scope = get_scope(request.user)
    return is_organizer(scope, application), is_reviewer(scope, application)


def weight_text(outcome: str) -> str:
    floor = REVIEW_HISTORY_FLOOR.get(outcome, 0)
    if not floor:
        return _("No weight on this application's risk assessment.")
    return _("Weighs on this application: the history factor of its risk assessment is at least %(floor)d of 3.") % {
        "floor": floor
    }


def previous_review_context(request, application) -> dict | None:
    reviews = previous_reviews(application)
    if not reviews:
        return None
    department = next((r for r in reviews if r.side == ReviewSide.DEPARTMENT), None)
    return {
        "reviews": reviews,
        "previous": reviews[0].application,
        "outcome": department.outcome if department else "",
        "weight": weight_text(department.outcome) if department else "",
    }


def resources_context(request, application) -> dict | None:
    organizer, _reviewer = _roles(request, application)
    checks = resource_check(application)
    plans = list(application.resources.select_related("session", "zone"))
    editable = organizer and application.is_editable
    if not checks and not plans and not editable:
        return None
    zones = Zone.objects.filter(venue_id=application.venue_id).order_by("name")
    return {
        "checks": checks,
        "plans": plans,
        "editable": editable,
        "shortfall": any(c.shortfall for c in checks),
        "form": ResourceForm(sessions=application.sessions.all(), zones=zones) if editable else None,
        "next": request.get_full_path(),
    }


def structures_context(request, application) -> dict | None:
    organizer, reviewer = _roles(request, application)
    structures = list(application.structures.select_related("zone"))
    editable = organizer and application.is_editable
    if not structures and not editable and application.state != S.APPROVED:
        return None
    may_accept = application.state in ACCEPTING_STATES and _may_accept(request.user, application, None)
    zones = Zone.objects.filter(venue_id=application.venue_id).order_by("name")
    return {
        "structures": structures,
        "editable": editable,
        "may_accept": may_accept,
        "pending": [s for s in structures if not s.is_accepted],
        "can_ready": application.state == S.APPROVED and (organizer or reviewer),
        "form": StructureForm(zones=zones) if editable else None,
        "accept_form": StructureAcceptForm() if may_accept else None,
        "next": request.get_full_path(),
    }


def post_event_context(request, application) -> dict | None:
    organizer, reviewer = _roles(request, application)
    reviews = list(application.reviews.select_related("author"))
    may_record = application.state in REVIEW_STATES and (organizer or reviewer)
    if not reviews and not may_record:
        return None
    form = None
    if may_record:
        side = ReviewSide.DEPARTMENT if reviewer else ReviewSide.ORGANIZER
        mine = next((r for r in reviews if r.side == side), None)
        initial = {}
        if mine is not None:
            initial = {"incidents": mine.incidents, "worked": mine.worked, "did_not_work": mine.did_not_work}
            initial["outcome"] = mine.outcome
            initial.update({f"attendance_{row['session']}": row.get("actual") for row in mine.attendance})
        form = PostEventReviewForm(initial=initial, sessions=list(application.sessions.all()), department=reviewer)
    return {"reviews": reviews, "form": form, "next": request.get_full_path()}


def copy_context(request, application) -> dict | None:
    organizer, _reviewer = _roles(request, application)
    if not organizer or application.is_editable:
        return None
    return {}


def register() -> None:
    register_application_panel(
        "previous_review", template="permits/panels/previous_review.html", context_func=previous_review_context, order=5
    )
    register_application_panel(
        "event_resources", template="permits/panels/resources.html", context_func=resources_context, order=20
    )
    register_application_panel(
        "event_structures", template="permits/panels/structures.html", context_func=structures_context, order=21
    )
    register_application_panel(
        "post_event_review", template="permits/panels/post_event_review.html", context_func=post_event_context, order=22
    )
    register_application_panel(
        "copy_application", template="permits/panels/copy.html", context_func=copy_context, order=90
    )
