"""Reads of venues, already scoped to what the user may see (DESIGN.md section 4).

Who sees which venues:
- government users, the venues in their territory: township officers, grid workers, leaders and admins
  through their jurisdictions, department staff and heads through their department's jurisdiction (one
  indexed prefix match on ``Venue.jurisdiction_path`` per subtree);
- venue operators, the venues their organisation runs;
- anyone in a department the venue was shared with (django-guardian ``view_venue`` granted to the
  department's group, e.g. a venue opened to the fire brigade of the next district);
- superusers, everything.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.models import Jurisdiction, Organisation
from venues.filters import VenueFilterSet
from venues.models import Exit, Venue, Zone

# What capacity needs, in three queries for any number of venues: zones, exits, and the zones each exit serves
# (only their keys: the through table joined to the zone ids).
CAPACITY_PREFETCH = (
    Prefetch("zones", queryset=Zone.objects.order_by("name", "id")),
    Prefetch(
        "exits",
        queryset=Exit.objects.order_by("name", "id").prefetch_related(
            Prefetch("zones", queryset=Zone.objects.only("id", "venue_id"))
        ),
    ),
)


def venue_visible(*, user) -> QuerySet[Venue]:
    """Every venue the user may see, active or not, with its grid and operator joined."""
    return Venue.objects.visible_to(user).select_related("grid", "operator")


def venue_list(*, user, filters: FilterData = None) -> QuerySet[Venue]:
    """The venue list, scoped and filtered (``venues.filters.VenueFilterSet``: active venues only unless asked)."""
    return VenueFilterSet.of(filters).apply(venue_visible(user=user)).order_by("name", "id")


def venue_list_with_capacity(*, user, filters: FilterData = None) -> QuerySet[Venue]:
    """``venue_list`` with the zones and exits prefetched, for lists that show the capacity with its working."""
    return venue_list(user=user, filters=filters).prefetch_related(*CAPACITY_PREFETCH)


def venue_detail(*, user, pk) -> Venue:
    """One venue with everything its page shows, or 404 when the user may not see it."""
    qs = venue_visible(user=user).prefetch_related(
        *CAPACITY_PREFETCH, "risk_points", "temporary_structures", "special_equipment"
    )
    return get_scoped_or_404(qs, pk=pk)


def venue_get(*, user, pk) -> Venue:
    """One venue (no prefetching), or 404 when the user may not see it."""
    return get_scoped_or_404(venue_visible(user=user), pk=pk)


def operator_choices(*, user) -> QuerySet[Organisation]:
    """Organisations that run a venue the user may see (for the operator filter), in one query."""
    visible = Venue.objects.visible_to(user)
    return Organisation.objects.filter(pk__in=visible.filter(operator__isnull=False).values("operator_id")).order_by(
        "name"
    )


def venue_grid_choices(*, user, limit: int = 500) -> QuerySet[Jurisdiction]:
    """Grids and communities in the user's territory (suggestions for the grid field of the venue form)."""
    from crowdsafe.org.selectors import jurisdiction_list
    from venues.choices import VENUE_LEVELS

    return jurisdiction_list(user=user).filter(level__in=sorted(VENUE_LEVELS)).order_by("path")[:limit]
