"""Reads of plans, drills and after-action items, already scoped to the user (``drills.access``) and joined for
the pages that show them; the drill calendar; overdue drills; and the pre-event drill gaps of approved events."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import get_scope, get_scoped_or_404, path_q
from crowdsafe.org.models import Jurisdiction
from drills import permits
from drills.choices import DrillStatus
from drills.duties import DRILL_DUE_KEYS, PRE_EVENT_DRILL
from drills.filters import AfterActionItemFilterSet, DrillFilterSet, EmergencyPlanFilterSet
from drills.models import AfterActionItem, Drill, EmergencyPlan, PlanVersion
from duties.choices import OUTSTANDING_VALUES
from duties.models import ResponsibilityRule, Task
from duties.services.tasks import add_months

PLAN_RELATED = (
    "owner_department",
    "owner_jurisdiction",
    "owner_organisation",
    "venue",
    "jurisdiction",
    "application",
)


# --- plans -----------------------------------------------------------------------------------------------


def plan_visible(*, user) -> QuerySet[EmergencyPlan]:
    return EmergencyPlan.objects.visible_to(user).select_related(*PLAN_RELATED)


def plan_list(*, user, filters: FilterData = None, today: dt.date | None = None) -> QuerySet[EmergencyPlan]:
    """Plans the user may see, filtered (``drills.filters.EmergencyPlanFilterSet``: plans in force unless withdrawn
    ones are asked for), by title."""
    qs = EmergencyPlanFilterSet.of(filters).apply(plan_visible(user=user), today=today or timezone.localdate())
    return qs.order_by("title", "id")


def plan_detail(*, user, pk) -> EmergencyPlan:
    qs = plan_visible(user=user).prefetch_related(
        Prefetch("versions", queryset=PlanVersion.objects.select_related("uploaded_by").order_by("-number")),
        "measures",
        "contacts",
    )
    return get_scoped_or_404(qs, pk=pk)


def plan_get(*, user, pk) -> EmergencyPlan:
    return get_scoped_or_404(plan_visible(user=user), pk=pk)


# --- drills ----------------------------------------------------------------------------------------------


def drill_visible(*, user) -> QuerySet[Drill]:
    return Drill.objects.visible_to(user).select_related("plan", "plan__jurisdiction", "plan__venue")


def drill_list(*, user, filters: FilterData = None) -> QuerySet[Drill]:
    """Drills the user may see, filtered (``drills.filters.DrillFilterSet``), newest first."""
    return DrillFilterSet.of(filters).apply(drill_visible(user=user)).order_by("-on_date", "-id")


def drill_detail(*, user, pk) -> Drill:
    qs = drill_visible(user=user).prefetch_related(
        "departments",
        "units",
        "photos",
        Prefetch(
            "items",
            queryset=AfterActionItem.objects.select_related(
                "owner_department", "owner_organisation", "owner_jurisdiction", "resolved_by_version"
            ),
        ),
    )
    return get_scoped_or_404(qs, pk=pk)


def drill_get(*, user, pk) -> Drill:
    return get_scoped_or_404(drill_visible(user=user), pk=pk)


# --- after-action items ----------------------------------------------------------------------------------


def item_visible(*, user) -> QuerySet[AfterActionItem]:
    # The plan's readers, and the item's own holder (a department asked to fix something of another's plan).
    return AfterActionItem.objects.visible_to(user).select_related(
        "plan", "drill", "owner_department", "owner_organisation", "owner_jurisdiction", "resolved_by_version"
    )


def item_list(*, user, filters: FilterData = None, today: dt.date | None = None) -> QuerySet[AfterActionItem]:
    """After-action items the user may see, filtered (``drills.filters.AfterActionItemFilterSet``: open ones unless
    closed ones are asked for), by due date."""
    qs = AfterActionItemFilterSet.of(filters).apply(item_visible(user=user), today=today or timezone.localdate())
    return qs.order_by("due_date", "id")


def item_get(*, user, pk) -> AfterActionItem:
    return get_scoped_or_404(item_visible(user=user), pk=pk)


# --- overdue drills --------------------------------------------------------------------------------------


def drill_rule_ids() -> list[int]:
    """The ids of the drill-due rules (a handful of seeded rows), read first so that their outstanding tasks are
    found through the drills app's partial index on open tasks by rule (``drills`` migration 0005) rather than by
    walking every outstanding task of a territory and joining each to its rule."""
    return list(ResponsibilityRule.objects.filter(key__in=DRILL_DUE_KEYS).values_list("pk", flat=True))


def drill_rules() -> QuerySet[ResponsibilityRule]:
    """``drill_rule_ids`` left unread, as a subquery: for a count read in a statement with others (the dashboard's
    risk now reads its figures in one round trip); PostgreSQL still finds the tasks rule by rule through the partial
    index (a nested loop over the handful of rules; tests/drills/test_compliance_totals.py)."""
    return ResponsibilityRule.objects.filter(key__in=DRILL_DUE_KEYS).values("pk")


def drill_tasks(*, user, rules: Any = None) -> QuerySet[Task]:
    """Outstanding drill-due tasks (venue, on-site plan, pre-event, government) the user oversees: those about
    subjects in their territory (属地, departments included: drill duties are supervised territorially) and those
    their department or organisation holds. ``rules``: the drill rules (``drill_rules``); by default their ids,
    read first."""
    qs = Task.objects.visible_to(user, whole_territory=True).filter(
        rule_id__in=drill_rule_ids() if rules is None else rules, status__in=OUTSTANDING_VALUES
    )
    return qs.select_related("responsible_department", "responsible_organisation", "responsible_jurisdiction")


def overdue_drills(*, user, today: dt.date | None = None, rules: Any = None) -> QuerySet[Task]:
    """Drills that are due and not held: outstanding drill-due tasks past their due date, oldest first."""
    today = today or timezone.localdate()
    return drill_tasks(user=user, rules=rules).filter(due_date__lt=today).order_by("due_date", "id")


# --- calendar --------------------------------------------------------------------------------------------


@dataclass
class CalendarCell:
    date: dt.date
    in_month: bool
    is_today: bool
    drills: list[Drill] = field(default_factory=list)
    due: list[Task] = field(default_factory=list)


@dataclass
class CalendarMonth:
    month: dt.date  # the first day
    weeks: list[list[CalendarCell]]
    drills: list[Drill]  # in date order: the agenda shown under the grid (and alone on phones)
    due: list[Task]

    @property
    def prev_month(self) -> dt.date:
        return add_months(self.month, -1)

    @property
    def next_month(self) -> dt.date:
        return add_months(self.month, 1)


def drill_calendar(*, user, month: dt.date, today: dt.date | None = None, filters=None) -> CalendarMonth:
    """The month grid (weeks from Monday) with the drills planned or held on each day and the drill-due dates of
    the user's drill duties: two queries whatever the number of drills."""
    today = today or timezone.localdate()
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start = first - dt.timedelta(days=first.weekday())
    end = last + dt.timedelta(days=6 - last.weekday())
    drills = list(
        drill_list(user=user, filters={**(filters or {}), "date_from": start, "date_to": end}).order_by(
            "on_date", "scheduled_for", "id"
        )
    )
    due = list(drill_tasks(user=user).filter(due_date__range=(start, end)).order_by("due_date", "id"))
    by_day: dict[dt.date, list[Drill]] = defaultdict(list)
    for drill in drills:
        by_day[drill.on_date].append(drill)
    due_by_day: dict[dt.date, list[Task]] = defaultdict(list)
    for task in due:
        due_by_day[task.due_date].append(task)
    weeks, day = [], start
    while day <= end:
        week = []
        for _i in range(7):
            week.append(
                CalendarCell(
                    date=day,
                    in_month=day.month == first.month,
                    is_today=day == today,
                    drills=by_day.get(day, []),
                    due=due_by_day.get(day, []),
                )
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    in_month = [d for d in drills if first <= d.on_date <= last]
    due_in_month = [t for t in due if first <= t.due_date <= last]
    return CalendarMonth(month=first, weeks=weeks, drills=in_month, due=due_in_month)


# --- pre-event drills (permits ↔ drills contract) ---------------------------------------------------------


@dataclass
class PreEventGap:
    """An approved event whose emergency plan has not been drilled before the event (yet)."""

    application: Any
    plan: EmergencyPlan | None
    first_session: dt.date | None
    planned: Drill | None  # the next planned drill of its plan, if any
    task: Task | None  # the organizer's pre-event drill task

    @property
    def due(self) -> dt.date | None:
        if self.task is not None:
            return self.task.due_date
        return self.first_session - dt.timedelta(days=1) if self.first_session else None

    def overdue_on(self, today: dt.date) -> bool:
        return self.due is not None and self.due < today


def pre_event_drill_status(application) -> dict[str, Any]:
    """For one application (the permit page's panel): its plan in force, the drills of it, and whether one was
    held before the first session."""
    plan = (
        EmergencyPlan.objects.filter(application_id=application.pk, is_active=True)
        .select_related(*PLAN_RELATED)
        .first()
    )
    first = permits.first_session_date(application)
    drills = list(plan.drills.order_by("on_date", "id")) if plan else []
    held_before = [d for d in drills if d.status == DrillStatus.HELD and (first is None or d.held_on <= first)]
    planned = [d for d in drills if d.status == DrillStatus.PLANNED]
    task = (
        Task.objects.filter(subject_type="permit_application", subject_id=application.pk, rule__key=PRE_EVENT_DRILL)
        .order_by("-period", "-pk")
        .first()
    )
    return {
        "plan": plan,
        "first_session": first,
        "drills": drills,
        "held_before": held_before,
        "planned": planned,
        "task": task,
        "gap": not held_before,
        "material": permits.emergency_plan_material(application),
    }


def pre_event_drill_gaps(*, user, today: dt.date | None = None) -> list[PreEventGap]:
    """Approved applications in the user's scope whose emergency plan has no drill held before the event: the
    approving department's list (and the organizer's). Whole list in four queries; earliest event first."""
    applications = list(permits.approved_applications(user=user))
    if not applications:
        return []
    ids = [a.pk for a in applications]
    plans = {
        p.application_id: p
        for p in EmergencyPlan.objects.filter(application_id__in=ids, is_active=True).select_related(*PLAN_RELATED)
    }
    drills_by_plan: dict[int, list[Drill]] = defaultdict(list)
    for drill in (
        Drill.objects.filter(plan__in=list(plans.values()))
        .exclude(status=DrillStatus.CANCELLED)
        .order_by("on_date", "id")
    ):
        drills_by_plan[drill.plan_id].append(drill)
    tasks = {
        t.subject_id: t
        for t in Task.objects.filter(
            subject_type="permit_application", subject_id__in=ids, rule__key=PRE_EVENT_DRILL
        ).order_by("period", "pk")
    }
    gaps = []
    for application in applications:
        plan = plans.get(application.pk)
        first = permits.first_session_date(application)
        drills = drills_by_plan.get(plan.pk, []) if plan else []
        held = [d for d in drills if d.status == DrillStatus.HELD and (first is None or d.held_on <= first)]
        if held:
            continue
        planned = next((d for d in drills if d.status == DrillStatus.PLANNED), None)
        gaps.append(
            PreEventGap(
                application=application, plan=plan, first_session=first, planned=planned, task=tasks.get(application.pk)
            )
        )
    gaps.sort(key=lambda g: (g.first_session or dt.date.max, g.application.pk))
    return gaps


# --- choices for the forms -------------------------------------------------------------------------------

CHOICE_LIMIT = 300


def owner_options(*, user) -> list[tuple[str, list]]:
    """Who may own a plan the user adds: their own departments, township and organisation first, then — for
    the territory's coordinators — the departments, townships and venue operators of their territory."""
    from django.utils.translation import gettext as _

    from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, Role
    from crowdsafe.org.models import Department, Organisation
    from drills.access import COORDINATORS

    scope = get_scope(user)
    own_departments = Department.objects.filter(pk__in=sorted(scope.department_ids), is_active=True)
    own_townships = [
        m.jurisdiction
        for m in scope.memberships
        if m.role == Role.TOWNSHIP_OFFICER and m.jurisdiction_id and m.jurisdiction.level == JurisdictionLevel.TOWNSHIP
    ]
    own_organisations = Organisation.objects.filter(pk__in=sorted(scope.organisation_ids))
    groups = [
        (_("Your departments"), list(own_departments)),
        (_("Your township or street"), own_townships),
        (_("Your organisation"), list(own_organisations)),
    ]
    paths = scope.paths_for(COORDINATORS, department_kind=DepartmentKind.EMERGENCY)
    if scope.is_superuser or paths:
        departments = Department.objects.filter(is_active=True).select_related("jurisdiction")
        townships = Jurisdiction.objects.filter(level=JurisdictionLevel.TOWNSHIP)
        operators = Organisation.objects.filter(venues__isnull=False)
        if not scope.is_superuser:
            departments = departments.filter(path_q(paths))
            townships = townships.filter(path_q(paths, field="path"))
            operators = operators.filter(path_q(paths, field="venues__jurisdiction_path"))
        groups += [
            (
                _("Departments in your territory"),
                list(departments.order_by("jurisdiction__path", "name")[:CHOICE_LIMIT]),
            ),
            (_("Townships and streets in your territory"), list(townships.order_by("path")[:CHOICE_LIMIT])),
            (_("Venue operators in your territory"), list(operators.distinct().order_by("name")[:CHOICE_LIMIT])),
        ]
    return groups


def venue_options(*, user, limit: int = 500):
    from venues.selectors import venue_visible

    return venue_visible(user=user).filter(is_active=True).order_by("name", "id")[:limit]


def territory_options(*, user, limit: int = CHOICE_LIMIT):
    from crowdsafe.org.selectors import territory_suggestions

    return territory_suggestions(user=user, limit=limit)


def _city_path(plan: EmergencyPlan) -> str:
    return plan.jurisdiction_path.split("/", 1)[0] + "/"


def participant_departments(*, plan: EmergencyPlan):
    """Departments of the plan's city (any may join a drill)."""
    from crowdsafe.org.models import Department

    return (
        Department.objects.filter(is_active=True, jurisdiction__path__startswith=_city_path(plan))
        .select_related("jurisdiction")
        .order_by("jurisdiction__path", "kind", "name")
    )


def participant_units(*, plan: EmergencyPlan):
    """Organisations registered in the plan's city, and the plan's own organisation wherever it is."""
    from crowdsafe.org.models import Organisation

    q = Q(jurisdiction__path__startswith=_city_path(plan))
    if plan.owner_organisation_id:
        q |= Q(pk=plan.owner_organisation_id)
    return Organisation.objects.filter(q).order_by("name")


def item_owner_options(*, plan: EmergencyPlan, drill: Drill | None = None) -> list[tuple[str, list]]:
    """Who may be given an after-action item: the plan's owner, the venue's operator, the drill's participants,
    the departments of the plan's territory and those above it, and its township/street."""
    from django.utils.translation import gettext as _

    from crowdsafe.org.access import ancestor_paths
    from crowdsafe.org.choices import JurisdictionLevel
    from crowdsafe.org.models import Department

    first = [plan.owner]
    if plan.venue_id and plan.venue.operator_id:
        first.append(plan.venue.operator)
    participants = []
    if drill is not None and drill.pk:
        participants = [*drill.departments.all(), *drill.units.all()]
    paths = [*ancestor_paths(plan.jurisdiction_path), plan.jurisdiction_path]
    chain = list(Jurisdiction.objects.filter(path__in=paths).order_by("-depth"))
    departments = list(
        Department.objects.filter(is_active=True, jurisdiction__path__in=paths).order_by("-jurisdiction__depth", "name")
    )
    townships = [j for j in chain if j.level in (JurisdictionLevel.TOWNSHIP, JurisdictionLevel.DISTRICT)]
    return [
        (_("Plan owner"), first),
        (_("Took part in the drill"), participants),
        (_("Departments of the territory"), departments),
        (_("Township, street or district"), townships),
    ]
