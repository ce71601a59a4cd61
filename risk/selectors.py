"""Reads of the risk app, already scoped to the user and joined for the pages that show them (see
``risk.access`` for who sees what). Anything outside the user's scope is not found (404)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from crowdsafe.common.filters import FilterData
from crowdsafe.db.routers import replica_reads
from crowdsafe.org.access import get_scope, get_scoped_or_404, path_q
from crowdsafe.org.models import Jurisdiction
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from events.selectors import CountPlan
from events.selectors import _PathOrder as PathOrder
from risk import counts
from risk.choices import (
    OPEN_HAZARD_STATES,
    HazardLevel,
    HazardState,
    RiskLevel,
    TargetStatus,
)
from risk.filters import (
    AssessmentFilterSet,
    CampaignFilterSet,
    CampaignTargetFilterSet,
    HazardFilterSet,
    HazardStatus,
    RegisterFilterSet,
)
from risk.models import (
    AssessmentCampaign,
    CampaignTarget,
    Hazard,
    RiskAssessment,
    RiskLevelChange,
    SubjectRiskLevel,
)

# --- assessments ------------------------------------------------------------------------------------------------


def assessment_visible(*, user) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.visible_to(user).select_related(
        "assessor", "reviewer", "jurisdiction", "venue", "organisation", "assessor_department", "review_department"
    )


def assessment_list(*, user, filters: FilterData = None) -> QuerySet[RiskAssessment]:
    """Assessments the user may see, filtered (``risk.filters.AssessmentFilterSet``), newest first."""
    qs = AssessmentFilterSet.of(filters).apply(assessment_visible(user=user), user=user)
    return qs.order_by("-assessed_on", "-id")


def assessment_get(*, user, pk) -> RiskAssessment:
    return get_scoped_or_404(assessment_visible(user=user), pk=pk)


def assessments_of(*, user, subject_type: str, subject_id: int, limit: int = 20) -> list[RiskAssessment]:
    return list(assessment_list(user=user, filters={"subject_type": subject_type, "subject_id": subject_id})[:limit])


# --- register: current levels and their history -----------------------------------------------------------


def register_visible(*, user) -> QuerySet[SubjectRiskLevel]:
    return SubjectRiskLevel.objects.visible_to(user).select_related(
        "jurisdiction", "venue", "assessment", "organisation"
    )


def register_list(*, user, filters: FilterData = None) -> QuerySet[SubjectRiskLevel]:
    """The risk register: subjects by current level (red first), filtered (``risk.filters.RegisterFilterSet``)."""
    from django.db.models import Case, IntegerField, Value, When

    qs = RegisterFilterSet.of(filters).apply(register_visible(user=user))
    rank = Case(
        When(level="red", then=Value(0)),
        When(level="orange", then=Value(1)),
        When(level="yellow", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return qs.annotate(level_rank=rank).order_by("level_rank", "subject_label", "id")


def register_counts(*, user) -> dict[str, int]:
    """How many subjects the user may see at each level (one query)."""
    rows = register_visible(user=user).order_by().values("level").annotate(n=Count("pk"))
    counts = {"red": 0, "orange": 0, "yellow": 0, "blue": 0}
    counts.update({row["level"]: row["n"] for row in rows})
    return counts


def current_level(*, subject_type: str, subject_id: int) -> SubjectRiskLevel | None:
    """The current level of a subject the caller has already found visible."""
    return (
        SubjectRiskLevel.objects.select_related("assessment")
        .filter(subject_type=subject_type, subject_id=subject_id)
        .first()
    )


def level_history(*, subject_type: str, subject_id: int, limit: int = 50) -> list[RiskLevelChange]:
    """A subject's level history, newest first (the caller has checked the subject is visible)."""
    return list(
        RiskLevelChange.objects.select_related("actor", "assessment")
        .filter(subject_type=subject_type, subject_id=subject_id)
        .order_by("-changed_at", "-id")[:limit]
    )


MAP_LIMIT = 2000  # dots; beyond, the whole register in at most this many clusters


def map_points(*, user, filters: FilterData = None) -> tuple[list[dict], int]:
    """Register entries that can be placed on the map (their venue has a position), as plain dicts, and how many
    they are: up to ``MAP_LIMIT`` dots (red first), beyond that every one of them counted in clusters
    (``crowdsafe.org.maps.clusters``)."""
    from crowdsafe.org.maps import points_or_clusters

    def to_point(row) -> dict:
        return {
            "lat": float(row.latitude),
            "lng": float(row.longitude),
            "level": row.level,
            "label": row.subject_label,
            "kind": row.get_subject_type_display(),
            "level_label": row.get_level_display(),
            "score": row.score,
            "url": row.assessment.get_absolute_url(),
            "title": row.subject_label,
            "tip": row.get_level_display(),
            "lines": [row.get_subject_type_display(), f"{row.get_level_display()}（{row.score}）"],
        }

    return points_or_clusters(
        register_list(user=user, filters=filters).filter(latitude__isnull=False),
        limit=MAP_LIMIT,
        to_point=to_point,
        lat="latitude",
        lng="longitude",
        level="level",
        labels=dict(RiskLevel.choices),
    )


# --- hazards ---------------------------------------------------------------------------------------------------


def hazard_visible(*, user) -> QuerySet[Hazard]:
    return Hazard.objects.visible_to(user).select_related(
        "jurisdiction", "venue", "organisation", "supervising_department", "supervising_township", "found_by"
    )


def hazard_list(*, user, filters: FilterData = None, today: dt.date | None = None) -> QuerySet[Hazard]:
    """Hazards the user may see, filtered (``risk.filters.HazardFilterSet``: open ones by default), the most urgent
    deadline first (by when they were found for closed ones)."""
    filterset = HazardFilterSet.of(filters)
    qs = filterset.apply(hazard_visible(user=user), today=today or timezone.localdate())
    if filterset.status_value() in (HazardStatus.OPEN, HazardStatus.OVERDUE):
        return qs.order_by("rectification_deadline", "-id")
    return qs.order_by("-found_on", "-id")


def hazard_table(*, user, filters: FilterData = None, today: dt.date | None = None) -> QuerySet[Hazard]:
    """``hazard_list`` joined only to what the hazard table shows (``{% hazard_rows %}``: the venue and the
    registered unit): not to the place, the supervisors and the finder, five more model objects per row that the
    list never read (issue 19)."""
    return (
        hazard_list(user=user, filters=filters, today=today)
        .select_related(None)
        .select_related("venue", "organisation")
    )


# The filters the open hazards' path index answers alone (it holds the path and the deadline, and includes the
# level and the state): ``status``, ``level``, ``jurisdiction`` (a path prefix).
_PATH_INDEX_FILTERS = frozenset({"status", "level", "jurisdiction"})


def hazard_count_plan(*, user, filters: FilterData = None, today: dt.date | None = None) -> CountPlan:
    """How the list's capped count (``crowdsafe.common.pagination.CappedPaginator``) reads the hazards (issue 19
    point 1: the city's 250,000 open hazards at a million were counted whole for the page's total):

    - whoever sees hazards by territory alone (a leader, a township officer, a superuser): in the order of the path
      index (``risk_hazard_open_path_idx`` for open hazards, ``risk_hazard_path_idx`` otherwise), an index range
      read that stops at the cap;
    - a territory and more (a department also sees what it supervises or found, a unit its own): the territory's
      hazards alone first, the same read — past the cap, the list (a superset) is too; under it, the whole scope in
      no order, from the indexes of each part;
    - no territory (a unit): in no order, from the organisation's index;
    - with a filter the path index does not hold (search, venue, subject): in no order (the venue's or the
      subject's index), or the list's own for a search of open hazards (``risk_hazard_open_due_idx``)."""
    scope = get_scope(user)
    filterset = HazardFilterSet.of(filters)
    filterset.form.is_valid()
    given = {name for name, value in filterset.form.cleaned_data.items() if value}
    if given - _PATH_INDEX_FILTERS:
        if given & {"venue", "subject_type", "subject_id"}:
            return CountPlan(order=())
        return (
            CountPlan()
            if filterset.status_value() in (HazardStatus.OPEN, HazardStatus.OVERDUE)
            else CountPlan(order=())
        )
    by_place = (PathOrder(F("jurisdiction_path")),)
    if scope.is_superuser:
        return CountPlan(order=by_place)
    if not scope.territory_paths:
        return CountPlan(order=())
    if not (scope.organisation_ids or scope.department_ids or scope.department_group_ids):
        return CountPlan(order=by_place)  # the scope is the territory: the list itself reads in the path's order
    territory = Hazard.objects.filter(path_q(scope.territory_paths, field="jurisdiction_path"))
    return CountPlan(
        order=(), lower_bound=filterset.apply(territory, today=today or timezone.localdate()).order_by(*by_place)
    )


def hazard_get(*, user, pk) -> Hazard:
    return get_scoped_or_404(hazard_visible(user=user), pk=pk)


def hazard_detail(*, user, pk) -> Hazard:
    qs = hazard_visible(user=user).select_related("plan", "plan__submitted_by", "assessment", "closed_by")
    return get_scoped_or_404(
        qs.prefetch_related("photos", "verifications__inspector", "verifications__photos", "extensions__requested_by"),
        pk=pk,
    )


def hazard_counts(*, user, today: dt.date | None = None) -> dict[str, int]:
    """Open hazards the user may see: in all, major, overdue, awaiting verification (one query).

    Whoever sees hazards by territory alone (a leader, a township officer, a superuser; a territory of townships
    or more) reads them from the counters the database keeps with every hazard write (``risk.counts``): a few
    hundred rows whatever the number of hazards (issue 19: the city's 250,000 open hazards at a million were read
    for these four figures). Anyone else, and on another day than today, counts the hazards: the open states are
    the WHERE (awaiting verification is one of them), so the query reads the partial index of open hazards
    (``risk_hazard_open_path_idx``) instead of every hazard ever recorded; the FILTERs split what it read. Figures
    for a leader's page: from the read replica when there is one (``crowdsafe.db.routers``)."""
    today = today or timezone.localdate()
    usable, paths = counts.territory_of(user, today)
    if usable:
        return counts.figures(paths, today=today)
    return hazard_counts_counted(user=user, today=today)


def hazard_counts_counted(*, user, today: dt.date) -> dict[str, int]:
    """``hazard_counts`` counted from the hazards themselves (what the counters must equal)."""
    return (
        replica_reads(Hazard.objects.visible_to(user))
        .filter(state__in=OPEN_HAZARD_STATES)
        .order_by()
        .aggregate(
            # Counted on the state (never null), not the id: every column read is in the partial index, so it
            # alone answers (an index-only scan).
            open=Count("state"),
            major=Count("state", filter=Q(level=HazardLevel.MAJOR)),
            overdue=Count("state", filter=Q(rectification_deadline__lt=today)),
            awaiting=Count("state", filter=Q(state=HazardState.AWAITING_VERIFICATION)),
        )
    )


# --- campaigns ------------------------------------------------------------------------------------------------


def campaign_visible(*, user) -> QuerySet[AssessmentCampaign]:
    """Campaigns over the user's territory or inside it, and those launched by or assigned to their department."""
    return AssessmentCampaign.objects.visible_to(user).select_related(
        "territory", "assigned_department", "launched_by_department", "launched_by_jurisdiction", "created_by"
    )


def campaign_list(*, user, filters: FilterData = None) -> QuerySet[AssessmentCampaign]:
    """The campaigns the user may see, newest first (``risk.filters.CampaignFilterSet``: open or closed)."""
    return CampaignFilterSet.of(filters).apply(campaign_visible(user=user)).order_by("-launched_at", "-id")


def campaign_get(*, user, pk) -> AssessmentCampaign:
    return get_scoped_or_404(campaign_visible(user=user), pk=pk)


@dataclass
class ProgressRow:
    key: Any
    label: str
    total: int = 0
    done: int = 0
    due: int = 0
    overdue: int = 0
    cancelled: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class CampaignProgress:
    total: ProgressRow
    by_township: list[ProgressRow] = field(default_factory=list)
    by_department: list[ProgressRow] = field(default_factory=list)
    unassigned: int = 0


def _count(row: ProgressRow, status: str, overdue: bool) -> None:
    row.total += 1
    if status == "done":
        row.done += 1
    elif status == "cancelled":
        row.cancelled += 1
    elif overdue:
        row.overdue += 1
    else:
        row.due += 1


def campaign_progress(*, campaign: AssessmentCampaign, today: dt.date | None = None) -> CampaignProgress:
    """Done / due / overdue per township and per holder of the tasks (department, or township without one), in
    three queries whatever the number of venues: the targets, their tasks, and the names."""
    today = today or timezone.localdate()
    targets = list(CampaignTarget.objects.filter(campaign=campaign).values_list("pk", "township_id", "status"))
    tasks = {
        subject_id: (status, due_date, dept, dept_name, jur, jur_name)
        for subject_id, status, due_date, dept, dept_name, jur, jur_name in Task.objects.filter(
            subject_type="campaign_target", subject_id__in=[t[0] for t in targets]
        )
        .order_by("subject_id", "period")
        .values_list(
            "subject_id",
            "status",
            "due_date",
            "responsible_department_id",
            "responsible_department__name",
            "responsible_jurisdiction_id",
            "responsible_jurisdiction__name",
        )
    }
    townships = dict(Jurisdiction.objects.filter(pk__in={t[1] for t in targets if t[1]}).values_list("pk", "name"))
    total = ProgressRow(key=None, label="")
    by_township: dict[Any, ProgressRow] = {}
    by_holder: dict[Any, ProgressRow] = defaultdict(lambda: ProgressRow(key=None, label=""))
    unassigned = 0
    for pk, township_id, target_status in targets:
        task = tasks.get(pk)
        if task is None:
            status, overdue = (target_status, False)
            if target_status == TargetStatus.PENDING:
                unassigned += 1
        else:
            task_status, due_date = task[0], task[1]
            status = "done" if task_status == "done" else "cancelled" if task_status == "cancelled" else "open"
            overdue = task_status in OUTSTANDING_VALUES and due_date < today
        _count(total, status, overdue)
        row = by_township.setdefault(township_id, ProgressRow(key=township_id, label=townships.get(township_id, "")))
        _count(row, status, overdue)
        if task is not None:
            holder_key = ("d", task[2]) if task[2] else ("j", task[4]) if task[4] else ("n", None)
            holder = by_holder[holder_key]
            holder.key = holder_key
            holder.label = task[3] or task[5] or ""
            _count(holder, status, overdue)
    return CampaignProgress(
        total=total,
        by_township=sorted(by_township.values(), key=lambda r: r.label),
        by_department=sorted(by_holder.values(), key=lambda r: r.label),
        unassigned=unassigned,
    )


def campaign_targets(*, campaign: AssessmentCampaign, filters: FilterData = None) -> QuerySet[CampaignTarget]:
    """The venues of a campaign the caller has already opened (``risk.filters.CampaignTargetFilterSet``: status,
    township)."""
    qs = CampaignTarget.objects.filter(campaign=campaign).select_related("venue", "township", "assessment")
    return CampaignTargetFilterSet.of(filters).apply(qs).order_by("jurisdiction_path", "venue__name", "id")


def open_targets_for_venue(*, venue_id: int) -> QuerySet[CampaignTarget]:
    return CampaignTarget.objects.filter(
        venue_id=venue_id, status=TargetStatus.PENDING, campaign__state="open"
    ).select_related("campaign")
