"""Reads of permit applications, scoped to what the user may see (``permits.access``), and the facts the legal
checks of ``permits.rules`` are computed from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import ancestor_paths, get_scope, get_scoped_or_404
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction
from crowdsafe.workdays.choices import DeadlineUnit
from permits import conf, rules
from permits.access import is_inspector, is_organizer, is_reviewer
from permits.choices import REVIEW_STATE_VALUES, ApplicationState, LicensingLevel
from permits.filters import PermitApplicationFilterSet, ReviewQueueFilterSet
from permits.models import (
    ApplicationMaterial,
    InspectionPhoto,
    PermitApplication,
    PromisedDeadline,
    ReviewComment,
    SiteInspection,
    ZonePlan,
)

LIST_RELATED = ("organisation", "venue", "licensing_department")


def application_visible(*, user) -> QuerySet[PermitApplication]:
    return PermitApplication.objects.visible_to(user).select_related(*LIST_RELATED)


def application_list(*, user, filters: FilterData = None, with_tickets: bool = False) -> QuerySet[PermitApplication]:
    """The applications the user may see, filtered (``permits.filters.PermitApplicationFilterSet``), newest first.
    ``with_tickets`` adds the total of the ticketing plan (``tickets_total``) that the legal checks need, for lists
    that show them."""
    qs = PermitApplicationFilterSet.of(filters).apply(application_visible(user=user))
    qs = qs.order_by("-created_at", "-id")
    if with_tickets:
        # A correlated subquery per row of the page, rather than a GROUP BY over every visible application.
        totals = (
            ZonePlan.objects.filter(application=OuterRef("pk"))
            .order_by()
            .values("application")
            .annotate(total=Sum("tickets"))
            .values("total")
        )
        qs = qs.annotate(tickets_total=Coalesce(Subquery(totals), 0))
    return qs


def review_queue(
    *, user, filters: FilterData = None, related: tuple[str, ...] = ("organisation",)
) -> QuerySet[PermitApplication]:
    """The applications waiting for the user's licensing departments, by the due date of the step owed now
    (acceptance, or the decision), earliest first, filtered (``permits.filters.ReviewQueueFilterSet``). Served by
    the partial index ``permits_app_queue_idx``. ``related``: the rows joined (the page shows the applicant only;
    the API adds the venue and department)."""
    qs = PermitApplication.objects.visible_to(user, review_queue=True).filter(state__in=REVIEW_STATE_VALUES)
    qs = ReviewQueueFilterSet.of(filters).apply(qs)
    return qs.select_related(*related).order_by("review_due", "id")


def application_get(*, user, pk) -> PermitApplication:
    """One application the user may see, or 404."""
    return get_scoped_or_404(application_visible(user=user), pk=pk)


def application_detail(*, user, pk) -> PermitApplication:
    """One application with everything its pages show, or 404."""
    qs = application_visible(user=user).select_related("venue__grid", "licensing_department__jurisdiction")
    qs = qs.prefetch_related(
        "sessions",
        "undertakers",
        Prefetch("zone_plans", queryset=ZonePlan.objects.select_related("zone").order_by("zone__name", "id")),
        Prefetch("materials", queryset=ApplicationMaterial.objects.select_related("uploaded_by")),
        "plan_sections",
        Prefetch(
            "inspections", queryset=SiteInspection.objects.select_related("department").prefetch_related("photos")
        ),
        "conditions",
        "change_requests__session",
        "supervision__department",
    )
    return get_scoped_or_404(qs, pk=pk)


# --- Art. 12: who licenses ----------------------------------------------------------------------------------


def find_licensing_department(jurisdiction: Jurisdiction | None, level: str | None) -> Department | None:
    """The public security department that licenses at ``level`` for a venue in ``jurisdiction``: the county
    level is the venue's district or county (县级), the city level the city (设区的市); where that level has no
    active public security department, the nearest one above it (as the responsibility engine finds parties)."""
    if jurisdiction is None or level not in (LicensingLevel.COUNTY, LicensingLevel.CITY):
        return None
    paths = [*ancestor_paths(jurisdiction.path), jurisdiction.path]
    departments = list(
        Department.objects.filter(
            kind=DepartmentKind.PUBLIC_SECURITY, is_active=True, jurisdiction__path__in=paths
        ).select_related("jurisdiction")
    )
    start_depth = 1 if level == LicensingLevel.COUNTY else 0
    candidates = [d for d in departments if d.jurisdiction.depth <= start_depth]
    if not candidates:
        return None
    # Nearest first (deepest jurisdiction), then the oldest department.
    candidates.sort(key=lambda d: (-d.jurisdiction.depth, d.pk))
    return candidates[0]


def promised_deadline_for(department: Department | None) -> tuple[int, str]:
    """The promised decision deadline (days, unit) for applications licensed by ``department``: the nearest
    ``PromisedDeadline`` up its jurisdiction tree, else the settings."""
    if department is not None:
        jurisdiction = department.jurisdiction
        paths = [*ancestor_paths(jurisdiction.path), jurisdiction.path]
        rows = list(PromisedDeadline.objects.filter(jurisdiction__path__in=paths).select_related("jurisdiction"))
        if rows:
            row = max(rows, key=lambda r: r.jurisdiction.depth)
            return row.days, row.unit
    return conf.promised_default()


def describe_promise(code: str) -> str:
    """ "7:working" → "7 working days" in the active language."""
    if not code or ":" not in code:
        return ""
    days, unit = code.split(":", 1)
    n = int(days)
    if unit == DeadlineUnit.WORKING_DAYS:
        return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}
    return ngettext("%(n)d calendar day", "%(n)d calendar days", n) % {"n": n}


def refusal_venues(department: Department) -> tuple[str, str]:
    """Where a refusal by ``department`` may be reviewed and litigated (行政许可法 Art. 38; 行政复议法 Art. 24:
    the people's government at the department's level; the basic people's court where it sits), unless the
    jurisdiction's ``PromisedDeadline`` row names others."""
    jurisdiction = department.jurisdiction
    paths = [*ancestor_paths(jurisdiction.path), jurisdiction.path]
    rows = {r.jurisdiction_id: r for r in PromisedDeadline.objects.filter(jurisdiction__path__in=paths)}
    own = rows.get(jurisdiction.pk)
    chain = list(Jurisdiction.objects.filter(path__in=paths).order_by("depth"))
    full_name = "".join(j.name for j in chain if j.level in (JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT))
    review = (own.review_authority if own else "") or f"{full_name}人民政府"
    if jurisdiction.level == JurisdictionLevel.CITY:
        # A city-level department is sued in the basic court that has jurisdiction over it, which the city names
        # (PromisedDeadline.court); the default says so rather than guess.
        default_court = f"{full_name}有管辖权的基层人民法院"
    else:
        default_court = f"{full_name}人民法院"
    court = (own.court if own else "") or default_court
    return review, court


def next_level_police(department: Department) -> Department | None:
    """The public security department one level up (a decision's copy goes there)."""
    parent_paths = ancestor_paths(department.jurisdiction.path)
    if not parent_paths:
        return None
    return (
        Department.objects.filter(
            kind=DepartmentKind.PUBLIC_SECURITY, is_active=True, jurisdiction__path__in=parent_paths
        )
        .order_by("-jurisdiction__depth", "pk")
        .first()
    )


# --- the facts of the legal checks --------------------------------------------------------------------------


def application_facts(
    application: PermitApplication, *, today: dt.date | None = None, zone_capacities: Mapping[int, int] | None = None
) -> rules.ApplicationFacts:
    """The values ``rules.evaluate`` needs. Reads the prefetched zone plans (or the ``tickets_total``
    annotation of ``application_list``); ``zone_capacities`` (zone id → safe capacity) adds the per-zone check."""
    venue = application.venue
    tickets_total = getattr(application, "tickets_total", None)
    zones: tuple[rules.ZoneTickets, ...] = ()
    if tickets_total is None or zone_capacities is not None:
        plans = list(application.zone_plans.all())
        tickets_total = sum(p.tickets for p in plans)
        if zone_capacities is not None:
            zones = tuple(
                rules.ZoneTickets(name=p.zone.name, tickets=p.tickets, safe_capacity=zone_capacities.get(p.zone_id))
                for p in plans
            )
    return rules.ApplicationFacts(
        max_attendance=application.expected_attendance,
        organized_by_government=application.organized_by_government,
        regular_business=application.regular_business,
        across_provinces=application.across_provinces,
        first_session_date=application.first_session_date,
        filed_on=application.filed_on,
        today=today or timezone.localdate(),
        has_venue=venue is not None,
        tickets_total=tickets_total or 0,
        zones=zones,
        venue_approved_capacity=venue.declared_capacity if venue else None,
        venue_computed_capacity=venue.computed_capacity if venue else None,
        approved_capacity=application.approved_capacity,
        licensing_department=application.licensing_department,
        accepted_on=application.accepted_on,
        statutory_decision_due=application.statutory_decision_due,
        promised_decision_due=application.promised_decision_due,
        promised_rule=describe_promise(application.promised_rule),
        city_level_from=conf.city_level_from(),
        latest_filing_day_off=(
            rules.latest_filing_day_off(application.first_session_date)
            if application.first_session_date and not application.filed_on
            else None
        ),
    )


def legal_checks(application: PermitApplication, **kwargs) -> rules.LegalChecks:
    return rules.evaluate(application_facts(application, **kwargs))


def zone_capacities(venue) -> dict[int, int]:
    """Safe capacity of each zone of ``venue`` (zone id → people), computed afresh."""
    from venues.capacity import load_parameters, venue_capacity_from_models
    from venues.models import Venue
    from venues.selectors import CAPACITY_PREFETCH

    if venue is None:
        return {}
    venue = Venue.objects.prefetch_related(*CAPACITY_PREFETCH).get(pk=venue.pk)
    result = venue_capacity_from_models(venue, load_parameters())
    return {key: zone.safe_capacity for key, zone in result.zones.items() if zone.safe_capacity is not None}


def completeness_facts(application: PermitApplication) -> rules.CompletenessFacts:
    """The values ``rules.completeness`` needs, from the prefetched parts of ``application``."""
    sections = list(application.plan_sections.all())
    return rules.CompletenessFacts(
        event_kind=application.event_kind,
        event_name=application.event_name,
        description=application.description,
        session_count=len(application.sessions.all()),
        has_venue=application.venue_id is not None,
        zone_count=len(application.zone_plans.all()),
        undertaker_count=len(application.undertakers.all()),
        safety_person_name=application.safety_person_name,
        safety_person_phone=application.safety_person_phone,
        safety_person_id_number=application.safety_person_id_number,
        material_kinds=frozenset(m.kind for m in application.materials.all()),
        plan_mode=application.plan_mode,
        plan_texts={s.section: s.text for s in sections},
        plan_pages={s.section: s.page for s in sections},
    )


def missing_items(application: PermitApplication) -> list[rules.Missing]:
    return rules.completeness(completeness_facts(application))


# --- the parts of an application ----------------------------------------------------------------------------


def material_get(*, user, pk) -> ApplicationMaterial:
    """A material of an application the user may see, or 404."""
    material = get_scoped_or_404(ApplicationMaterial.objects.select_related("application"), pk=pk)
    application_get(user=user, pk=material.application_id)
    return material


def inspection_get(*, user, pk) -> SiteInspection:
    """A site inspection, to the inspecting department's people and to those who may see the application."""
    inspection = get_scoped_or_404(
        SiteInspection.objects.select_related("department", "application", "recorded_by"), pk=pk
    )
    scope = get_scope(user)
    if is_inspector(scope, inspection):
        return inspection
    application_get(user=user, pk=inspection.application_id)
    return inspection


def photo_get(*, user, pk) -> InspectionPhoto:
    photo = get_scoped_or_404(InspectionPhoto.objects.select_related("inspection"), pk=pk)
    inspection_get(user=user, pk=photo.inspection_id)
    return photo


def my_inspections(*, user, pending_only: bool = True) -> QuerySet[SiteInspection]:
    """The site inspections the user's departments were asked to make (``permits.access.inspection_visible_q``
    with ``own_department``)."""
    qs = SiteInspection.objects.visible_to(user, own_department=True)
    if pending_only:
        qs = qs.filter(result="pending", application__state=ApplicationState.INSPECTION)
    return qs.select_related("application", "department").order_by("due_date", "id")


def comments_for(*, user, application: PermitApplication) -> list[ReviewComment]:
    """The comment threads the user may read: reviewers (and inspectors) all of them; the organizer only those
    marked to be shown, and their own."""
    scope = get_scope(user)
    qs = application.comments.select_related("author").order_by("section", "created_at", "id")
    if is_reviewer(scope, application) or not is_organizer(scope, application):
        return list(qs)
    return list(qs.filter(Q(visible_to_organizer=True) | Q(by_organizer=True)))


def days_left(due: dt.date | None, today: dt.date | None = None) -> int | None:
    if due is None:
        return None
    return (due - (today or timezone.localdate())).days


def step_label(application: PermitApplication) -> str:
    """What the licensing department owes now, for the queue."""
    if application.state == ApplicationState.SUBMITTED:
        return _("Decide on acceptance")
    if application.state == ApplicationState.INSPECTION:
        return _("Joint site inspection, then the decision")
    return _("Review and decide")


# --- issue 21: the organizer's previous event review ------------------------------------------------------------

# The weight of a licensing department's review on the organizer's next application: the floor it puts under the
# history factor of that application's risk assessment (``risk.services.assessments.factor_hints``). Data here,
# shown with the review on the next application.
REVIEW_HISTORY_FLOOR = {"good": 0, "concerns": 1, "failed": 2}


def previous_reviews(application: PermitApplication) -> list:
    """The post-event reviews of the organisation's latest earlier event that has one (both sides, the
    department's first): what the reviewer and the organizer see on the next application. Two queries."""
    from permits.models import PostEventReview

    earlier = (
        PostEventReview.objects.filter(application__organisation_id=application.organisation_id)
        .exclude(application_id=application.pk)
        .filter(application__last_session_end__isnull=False)
    )
    if application.first_session_start is not None:
        earlier = earlier.filter(application__last_session_end__lt=application.first_session_start)
    latest = earlier.order_by("-application__last_session_end", "-application_id").values("application_id").first()
    if latest is None:
        return []
    return list(
        PostEventReview.objects.filter(application_id=latest["application_id"])
        .select_related("application", "author")
        .order_by("side")  # "department" < "organizer": the department's verdict first
    )


def previous_review_weight(application: PermitApplication) -> tuple[int, object | None]:
    """(history floor, the department's review it comes from) for the organizer's next application."""
    for review in previous_reviews(application):
        if review.side == "department" and review.outcome:
            return REVIEW_HISTORY_FLOOR.get(review.outcome, 0), review
    return 0, None
