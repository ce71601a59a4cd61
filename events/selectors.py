"""Reads of gatherings, already scoped to what the user may see (``Gathering.objects.visible_to``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from crowdsafe.common.filters import FilterData
from crowdsafe.db.routers import replica_reads
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.models import Jurisdiction
from events.choices import ESCALATED_LEVELS, OPEN_STATUSES, TERMINAL_STATUSES
from events.filters import NO_PATH, GatheringFilterSet
from events.models import Gathering, HeadcountUpdate, KeyDate, Measure
from venues.choices import VENUE_LEVELS
from venues.models import Venue

# The map shows gatherings under way or starting within this many days, at most this many.
MAP_AHEAD_DAYS = 14
MAP_LIMIT = 500
ATTENTION_LIMIT = 200


def gathering_visible(*, user) -> QuerySet[Gathering]:
    """Every gathering the user may see, with its venue and grid joined."""
    return Gathering.objects.visible_to(user).select_related("venue", "grid")


def _within(*, user, path: str | None, narrow: bool = False) -> QuerySet[Gathering]:
    """The gatherings the user may see, for a caller that narrows them to the subtree ``path`` (None: no subtree).
    When the subtree lies in the user's own territory, the territory filter is the whole scope: the scope's OR
    (territory, own reports, assigned, shared) is left out, so PostgreSQL estimates the rows of the
    territory-and-date range from the one index that serves it instead of guessing a handful and joining badly."""
    return Gathering.objects.visible_to(user, within=path, narrow=narrow).select_related("venue", "grid")


def gathering_list(*, user, filters: FilterData = None) -> QuerySet[Gathering]:
    """The list (清单), scoped and filtered (``events.filters.GatheringFilterSet``), newest start first. The
    territory filter also chooses how the scope is checked (``_within``)."""
    filterset = GatheringFilterSet.of(filters)
    path = filterset.territory_path()
    if path == NO_PATH:
        return Gathering.objects.none()
    qs = _within(user=user, path=path, narrow=filterset.narrow())
    return filterset.apply(qs).order_by("-starts_at", "-id")


def get_gathering_for(*, user, pk) -> Gathering:
    """One gathering, or 404 when the user may not see it (contract events ↔ risk)."""
    return get_scoped_or_404(gathering_visible(user=user).select_related("organizer", "merged_into"), pk=pk)


def gathering_detail(*, user, pk) -> Gathering:
    """One gathering with everything its page shows, or 404."""
    qs = (
        gathering_visible(user=user)
        .select_related(
            "organizer",
            "merged_into",
            "key_date",
            "expected_from",
            "reported_by",
            "verified_by",
            "risk_set_by",
            "venue__operator",
        )
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("applied_by").order_by("-applied_at", "-id")),
            Prefetch(
                "headcounts",
                queryset=HeadcountUpdate.objects.select_related("reported_by").order_by("observed_at", "id"),
            ),
            "photos",
            "decisions",
        )
    )
    return get_scoped_or_404(qs, pk=pk)


def attention_list(*, user) -> QuerySet[Gathering]:
    """Orange and red gatherings that are not closed, in the user's scope: red first, then by start. A leader's
    read, from the read replica when there is one (``crowdsafe.db.routers``)."""
    return replica_reads(
        gathering_visible(user=user)
        .filter(risk_level__in=ESCALATED_LEVELS)
        .exclude(status__in=[s.value for s in TERMINAL_STATUSES])
        .annotate(risk_rank=Case(When(risk_level="red", then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("risk_rank", "starts_at", "id")
    )


def map_gatherings(*, user, filters: FilterData = None, now: dt.datetime | None = None) -> list[dict]:
    """Current and upcoming gatherings (open, under way or starting within ``MAP_AHEAD_DAYS``) that have a
    position (their own, or their venue's), for the map: at most ``MAP_LIMIT``, the most urgent first, as dicts
    of what a map dot needs (no model instances: hundreds of dots stay cheap)."""
    now = now or timezone.now()
    path = GatheringFilterSet.of(filters).territory_path()
    if path == NO_PATH:
        return []
    qs = (
        _within(user=user, path=path, narrow=bool(path))
        .filter(**({"jurisdiction_path__startswith": path} if path else {}))
        .filter(status__in=OPEN_STATUSES, starts_at__lt=now + dt.timedelta(days=MAP_AHEAD_DAYS))
        # The same set said the other way too, so that either partial index of the gatherings not over serves:
        # by start for a city (events_gathering_open_start), by place for a territory (events_gathering_open_path).
        .exclude(status__in=sorted(s.value for s in TERMINAL_STATUSES))
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now - dt.timedelta(hours=12)))
        .filter(Q(latitude__isnull=False) | Q(venue__latitude__isnull=False))
    )
    rank = Case(
        When(risk_level="red", then=Value(0)),
        When(risk_level="orange", then=Value(1)),
        When(risk_level="yellow", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    qs = qs.annotate(rank=rank).order_by("rank", "starts_at", "id")
    fields = ("pk", "title", "risk_level", "status", "starts_at", "latitude", "longitude")
    return list(qs.values(*fields, "venue__latitude", "venue__longitude")[:MAP_LIMIT])


def report_grid_choices(*, user, limit: int = 500) -> list[Jurisdiction]:
    """Grids and communities where the user may log a gathering: their territory's (a grid worker's own grids)."""
    from crowdsafe.org.selectors import jurisdiction_list

    return list(jurisdiction_list(user=user).filter(level__in=sorted(VENUE_LEVELS)).order_by("path")[:limit])


def report_venue_choices(*, user, grid_paths: list[str] | None = None, limit: int = 300) -> list[Venue]:
    """Active venues where the user may log a gathering (in their territory or run by their organisation)."""
    from venues.selectors import venue_visible

    qs = venue_visible(user=user).filter(is_active=True)
    if grid_paths is not None:
        q = Q(pk__in=[])
        for path in grid_paths:
            q |= Q(jurisdiction_path__startswith=path)
        qs = qs.filter(q)
    return list(qs.order_by("jurisdiction_path", "name")[:limit])


def key_date_list() -> QuerySet[KeyDate]:
    return KeyDate.objects.select_related("jurisdiction").prefetch_related("dates").order_by("name")
