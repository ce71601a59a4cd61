"""Reads of gatherings, already scoped to what the user may see (``Gathering.objects.visible_to``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce
from django.utils import timezone

from crowdsafe.common.filters import FilterData
from crowdsafe.common.lookups import Ids
from crowdsafe.db.routers import replica_reads
from crowdsafe.org.access import get_scope, get_scoped_or_404, path_q
from crowdsafe.org.maps import points_or_clusters
from crowdsafe.org.models import Jurisdiction
from events.access import TERRITORY_ROLES, other_gathering_ids
from events.choices import ESCALATED_LEVELS, OPEN_STATUSES, TERMINAL_STATUSES, RiskLevel
from events.filters import NO_PATH, GatheringFilterSet
from events.models import Gathering, HeadcountUpdate, KeyDate, Measure, attention_rank
from venues.choices import VENUE_LEVELS
from venues.models import Venue

# The map shows gatherings under way or starting within this many days: as dots up to this many, in clusters beyond.
MAP_AHEAD_DAYS = 14
MAP_LIMIT = 500
ATTENTION_LIMIT = 200


def gathering_visible(*, user, within: str | None = None) -> QuerySet[Gathering]:
    """Every gathering the user may see, with its venue and grid joined. ``within``: the caller narrows them to
    that subtree itself (``jurisdiction_path__startswith``); when it lies in the user's territory the scope's OR
    is left out (``events.access.gathering_visible_q``), so the dashboard's count of a leader's own territory tests
    one prefix per gathering, as a hand-written count does."""
    return Gathering.objects.visible_to(user, within=within).select_related("venue", "grid")


def _within(
    *, user, path: str | None, narrow: bool = False, ids: Ids | None = None, probe_ids: bool = True
) -> QuerySet[Gathering]:
    """The gatherings the user may see, for a caller that narrows them to the subtree ``path`` (None: no subtree).
    When the subtree lies in the user's own territory, the territory filter is the whole scope: the scope's OR
    (territory, own reports, assigned, shared) is left out, so PostgreSQL estimates the rows of the
    territory-and-date range from the one index that serves it instead of guessing a handful and joining badly.
    ``ids``: the gatherings seen other than by territory, already read (``read_scope_ids``); ``probe_ids``: see
    ``events.access.gathering_visible_q``."""
    return Gathering.objects.visible_to(user, within=path, narrow=narrow, ids=ids, probe_ids=probe_ids).select_related(
        "venue", "grid"
    )


UNREAD: Any = object()  # ``scope_ids`` not read yet: the selector reads them itself


def read_scope_ids(*, user, filters: FilterData = None) -> Ids | None:
    """The gatherings ``user`` sees other than by territory (own reports, tasks held, shares), read once for a
    request that reads the register several times — the 清单 counts, lists and maps it — and handed to each
    (``scope_ids=``; issue 19 point 2: a police officer's ~7,000–9,000 ids from the task table at a million were
    read three times per page). None: nothing to read once (a territory's people, a list that one territory and a
    date range narrow, or too many ids: each statement then keeps its subquery)."""
    filterset = GatheringFilterSet.of(filters)
    path = filterset.territory_path()
    if path == NO_PATH or filterset.narrow():
        return None
    scope = get_scope(user)
    if path and scope.covers(path, TERRITORY_ROLES):
        return None
    return other_gathering_ids(scope)


def gathering_list(*, user, filters: FilterData = None, scope_ids: Any = UNREAD) -> QuerySet[Gathering]:
    """The list (清单), scoped and filtered (``events.filters.GatheringFilterSet``), newest start first. The
    territory filter also chooses how the scope is checked (``_within``). ``scope_ids``: as read by
    ``read_scope_ids`` for this request (read here when not given)."""
    filterset = GatheringFilterSet.of(filters)
    path = filterset.territory_path()
    if path == NO_PATH:
        return Gathering.objects.none()
    if scope_ids is UNREAD:
        scope_ids = read_scope_ids(user=user, filters=filterset)
    qs = _within(user=user, path=path, narrow=filterset.narrow(), ids=scope_ids)
    return filterset.apply(qs).order_by("-starts_at", "-id")


class _PathOrder(OrderBy):
    """``ORDER BY jurisdiction_path USING ~<~``: the order of the path's ``varchar_pattern_ops`` indexes (a plain
    ``ORDER BY`` is in the collation's order, which no such index holds: PostgreSQL sorted all the rows)."""

    # The comment: Django's compiler reads the direction off the end of an ORDER BY term (" ASC"/" DESC").
    template = "%(expression)s USING ~<~ /* ASC */"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        """The embedded SQLite database has no such operator class: the plain order."""
        return super().as_sql(compiler, connection, template="%(expression)s ASC", **extra_context)


PLACE_FILTERS = frozenset({"jurisdiction", "date_from", "date_to"})


@dataclass(frozen=True)
class CountPlan:
    """How the list's capped count reads the rows (``crowdsafe.common.pagination.CappedPaginator``)."""

    order: tuple[Any, ...] | None = None  # None: the list's own order
    lower_bound: QuerySet[Gathering] | None = None  # rows all in the list: past the cap, the list is too
    known: int | None = None  # the count itself, known without counting


def count_plan(*, user, filters: FilterData = None, scope_ids: Any = UNREAD) -> CountPlan:
    """The capped count's plan (issue 19 point 1), measured at a million gatherings (bench/run --explain):

    - a department, an operator (no territory): their gatherings are a set of ids. Unfiltered, the list is exactly
      the ids this request read (``scope_ids``, ``read_scope_ids``): their number is the count, and nothing is
      counted (a police officer's ~6,700 at a million were probed one by one in the primary key, 8.7 ms; a gathering
      is never deleted — the register keeps every one, and no admin deletes — so each id is a row). Filtered, or the
      ids not read: counted in no order, probed in the primary key's index (the list's order made PostgreSQL fetch
      every row to sort it);
    - a list in one's own territory (the filter's subtree, where the scope is the path alone): in the order of the
      path's ``varchar_pattern_ops`` index, an index-only range read that stops at the cap (642 → 3 ms for one
      township: the list's order walked the register by start and dropped the other townships' rows);
    - the rest of the territory people (a city leader with no filter): first the rows of their territory alone,
      the same index-only read — past the cap, the list (a superset) is too, and nothing more is read; under it,
      the whole scope (territory, own reports, tasks, shares) is counted in no order, a few thousand rows from the
      indexes of each (a city leader's whole register: 1,160 ms in a sequential scan before, 3 ms now);
    - with other filters (status, level, source, kind, search): in the list's order (an index walked by start,
      which follows the table's physical order, stopping at the cap)."""
    scope = get_scope(user)
    filterset = GatheringFilterSet.of(filters)
    territories = scope.paths_for(TERRITORY_ROLES)
    filterset.form.is_valid()
    given = {name for name, value in filterset.form.cleaned_data.items() if value}
    if not scope.is_superuser and not territories:
        if scope_ids is UNREAD:
            scope_ids = read_scope_ids(user=user, filters=filterset)
        return CountPlan(order=(), known=len(scope_ids) if scope_ids is not None and not given else None)
    by_place = (_PathOrder(F("jurisdiction_path")),)
    path = filterset.territory_path()
    if path and (scope.is_superuser or scope.covers(path, TERRITORY_ROLES)):
        return CountPlan(order=by_place)
    if given - PLACE_FILTERS:
        return CountPlan()
    subset = (
        Gathering.objects.all()
        if scope.is_superuser
        else Gathering.objects.filter(path_q(territories, field="jurisdiction_path"))
    )
    if path:
        subset = subset.filter(jurisdiction_path__startswith=path)
    return CountPlan(order=(), lower_bound=filterset.apply(subset).order_by(*by_place))


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
        _attention(gathering_visible(user=user))
        .annotate(risk_rank=attention_rank())
        .order_by("risk_rank", "starts_at", "id")
    )


def _attention(gatherings: QuerySet[Gathering]) -> QuerySet[Gathering]:
    """The open orange and red ones: the condition of the attention indexes, said as they say it."""
    return gatherings.filter(risk_level__in=ESCALATED_LEVELS).exclude(
        status__in=sorted(s.value for s in TERMINAL_STATUSES)
    )


def attention_count_plan(*, user) -> CountPlan:
    """How the attention list's capped count reads the rows (issue 19: a district's ~11,000 at a million were
    counted in full, 19.5 ms of the page). A territory's own part first, an index-only range read of the partial
    index ``events_gathering_attention`` by place that stops at the cap — past it, the list (a superset) is too and
    nothing more is read; under it, or with no territory, the whole list counted in no order."""
    scope = get_scope(user)
    territories = scope.paths_for(TERRITORY_ROLES)
    if not scope.is_superuser and not territories:
        return CountPlan(order=())
    subset = (
        Gathering.objects.all()
        if scope.is_superuser
        else Gathering.objects.filter(path_q(territories, field="jurisdiction_path"))
    )
    return CountPlan(order=(), lower_bound=_attention(subset).order_by(_PathOrder(F("jurisdiction_path"))))


def _not_over(*, by_place: bool) -> Q:
    """The gatherings not over (``OPEN_STATUSES``, which are all but ``TERMINAL_STATUSES``) in the words of the
    partial index a statement should read: "not terminal" by place, "open" otherwise."""
    if by_place:
        return ~Q(status__in=sorted(s.value for s in TERMINAL_STATUSES))
    return Q(status__in=OPEN_STATUSES)


def map_gatherings(
    *, user, filters: FilterData = None, now: dt.datetime | None = None, scope_ids: Any = UNREAD, to_point=None
) -> tuple[list[dict], int]:
    """Current and upcoming gatherings (open, under way or starting within ``MAP_AHEAD_DAYS``) that have a
    position (their own, or their venue's), for the map, and how many they are: up to ``MAP_LIMIT`` dots, the most
    urgent first, made by ``to_point`` from dicts of what a dot needs (no model instances: hundreds of dots stay
    cheap); beyond ``MAP_LIMIT``, every one of them counted in clusters (``crowdsafe.org.maps.clusters``: at most
    ``MAP_LIMIT`` features, whatever the size of the city)."""
    now = now or timezone.now()
    filterset = GatheringFilterSet.of(filters)
    path = filterset.territory_path()
    if path == NO_PATH:
        return [], 0
    if scope_ids is UNREAD:
        scope_ids = None if path else read_scope_ids(user=user, filters=filterset)
    qs = (
        # The ids (a department's ~6,700 at a million) checked on the fortnight's open gatherings read by the partial
        # indexes below (~2,000 for a city), not each probed in the table (bench/run at 1M: 13 -> 6 ms).
        _within(user=user, path=path, narrow=bool(path), ids=scope_ids, probe_ids=False)
        .filter(**({"jurisdiction_path__startswith": path} if path else {}))
        .filter(starts_at__lt=now + dt.timedelta(days=MAP_AHEAD_DAYS))
        # The gatherings not over, said as the partial index that serves says it: by start for a city
        # (events_gathering_open_start: "open"), by place for a territory (events_gathering_open_path: "not
        # terminal"; the same set). Said both ways, a territory's 2,800 open gatherings by place were ANDed with the
        # city's 77,000 by start (6-7 ms at a million; 2 ms alone).
        .filter(_not_over(by_place=bool(path)))
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
    rows = qs.annotate(rank=rank).order_by("rank", "starts_at", "id")
    fields = ("pk", "title", "risk_level", "status", "starts_at", "latitude", "longitude")
    return points_or_clusters(
        rows.values(*fields, "venue__latitude", "venue__longitude"),
        limit=MAP_LIMIT,
        to_point=to_point or (lambda row: row),
        lat=Coalesce("latitude", "venue__latitude"),
        lng=Case(When(latitude__isnull=False, then=F("longitude")), default=F("venue__longitude")),
        level="risk_level",
        labels=dict(RiskLevel.choices),
    )


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
