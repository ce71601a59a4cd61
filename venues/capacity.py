"""Safe capacity of a zone and of a venue, with its working (DESIGN.md section 6).

Safe capacity is the lower of two figures [HSG195 / Purple Guide practice]:

- the area figure: usable area ÷ space per person for the zone kind, rounded down;
- the exit figure: the clear widths of the exits, less the widest one (it may be blocked: "discounting the
  largest exit"), each × the flow rate for its kind (level, stairs, ramp or slope) × the allowed egress time,
  rounded down.

A seated zone also cannot hold more people than it has seats, so its seat count binds when it is the lowest
(``binding_limit == "seats"``). On a tie the exits are named as the binding limit, then the seats: they are
what a safety officer can change.

With one exit only, discounting it leaves no width and the exit figure is 0: a single-exit zone has no
redundancy, and the working says so rather than pretending otherwise.

For the whole venue the area figure is the sum of the zones' holding figures (a seated zone counts the lower
of its area figure and its seats), and the exit figure uses all the venue's exits, the widest discounted,
with the most cautious settings among the venue's zone kinds (the lowest flow rates and the shortest egress
time), since a crowd leaving the venue mixes the zones.

The functions here are pure: they take plain values (``ZoneData``, ``ExitData``, ``CapacityParameters``) and
return a ``CapacityResult``. ``venue_capacity_from_models`` adapts a venue whose zones and exits (with the
zones they serve) were prefetched, so a list of venues costs no query per row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from venues.choices import BindingLimit, ExitKind, ZoneKind


@dataclass(frozen=True)
class CapacityParameters:
    """The capacity settings of one zone kind."""

    space_per_person_m2: Decimal
    flow_rate_level: int
    flow_rate_stairs: int
    egress_minutes: Decimal
    flow_rate_ramp: int = 66

    def flow_rate(self, exit_kind: str) -> int:
        if exit_kind == ExitKind.STAIRS:
            return self.flow_rate_stairs
        if exit_kind == ExitKind.RAMP:
            return self.flow_rate_ramp
        return self.flow_rate_level


# DESIGN.md section 6: 0.5 m² per person for standing crowds [HSG195]; ~82 persons per metre per minute on the
# level and ~66 on stairs, 8 minutes egress [Green Guide]. Ramps and slopes: no standard consulted gives a rate of
# passage for them (the Green Guide treats ramps with stairways as vertical circulation; GB 50016-2014 sizes exits
# by width per 100 persons, its explanatory notes counting 37 persons/min per 0.55 m lane on stepped floors, ~67
# per metre): 66, the stair rate, is a stated design assumption (migration 0004 says so in the seeded source),
# editable per zone kind in the admin. The other zone kinds start from the same values: no
# source in DESIGN.md gives them others, and a city that follows a local standard (0.75 m² or 2 m² per person
# for unseated events) sets its own in the admin. Seeded into CapacitySetting by migration 0002.
STANDARD = CapacityParameters(
    space_per_person_m2=Decimal("0.50"), flow_rate_level=82, flow_rate_stairs=66, egress_minutes=Decimal("8.0")
)
DEFAULT_PARAMETERS: dict[str, CapacityParameters] = {kind.value: STANDARD for kind in ZoneKind}
DEFAULT_SOURCE = (
    "HSG195 (0.5 m²/person standing); Green Guide (82 / 66 persons per metre per minute; 8 minutes); "
    "ramps 66: design assumption, no standard gives a ramp rate: the stair rate "
    "(GB 50016-2014 notes: 37/min per 0.55 m lane ≈ 67 on steps)"
)


@dataclass(frozen=True)
class ZoneData:
    key: object
    name: str
    kind: str
    usable_area_m2: Decimal
    seats: int | None = None


@dataclass(frozen=True)
class ExitData:
    key: object
    name: str
    kind: str
    clear_width_m: Decimal
    zone_keys: frozenset = frozenset()


@dataclass
class CapacityResult:
    """The figures and, in words, how they were reached. ``None`` figures mean "cannot be computed" (a venue
    with no zones); the working then says why."""

    area_capacity: int | None
    exit_capacity: int | None
    safe_capacity: int | None
    binding_limit: str | None
    working: list[str] = field(default_factory=list)
    seat_capacity: int | None = None
    declared_capacity: int | None = None

    @property
    def declared_exceeds_computed(self) -> bool:
        return (
            self.declared_capacity is not None
            and self.safe_capacity is not None
            and self.declared_capacity > self.safe_capacity
        )

    @property
    def warning(self) -> str:
        if not self.declared_exceeds_computed:
            return ""
        return _(
            "The declared capacity (%(declared)s) exceeds the computed safe capacity (%(safe)s) by %(excess)s people."
        ) % {
            "declared": _n(self.declared_capacity),
            "safe": _n(self.safe_capacity),
            "excess": _n(self.declared_capacity - self.safe_capacity),
        }


@dataclass
class VenueCapacity:
    """A venue's capacity and that of each of its zones (keyed like the ``ZoneData`` given)."""

    venue: CapacityResult
    zones: dict[object, CapacityResult]


def _n(value) -> str:
    """A number for the working: thousands separated, trailing zeros of decimals dropped."""
    if isinstance(value, Decimal):
        value = value.normalize()
        if value == value.to_integral_value():
            value = int(value)
    return number_format(value, force_grouping=True)


def _m(value: Decimal) -> str:
    return _("%(width)s m") % {"width": _n(value)}


def _kind_label(kind: str) -> str:
    return str(ExitKind(kind).label).lower() if kind in ExitKind.values else kind


def area_figure(area_m2: Decimal, space_per_person_m2: Decimal) -> int:
    return math.floor(Decimal(area_m2) / Decimal(space_per_person_m2))


def _widest(exits: Sequence[ExitData], params: CapacityParameters) -> ExitData:
    # The widest exit is discounted (issue 3). When two are equally wide, the one that lets more people through
    # (a level exit rather than stairs) is discounted: the cautious choice.
    return max(exits, key=lambda e: (e.clear_width_m, params.flow_rate(e.kind), str(e.name)))


def exit_figure(exits: Sequence[ExitData], params: CapacityParameters, *, scope_label: str) -> tuple[int, list[str]]:
    """The exit figure of a set of exits, the widest discounted, with its working."""
    working: list[str] = []
    if not exits:
        working.append(
            _("No exit is recorded for %(scope)s, so its exit figure is 0: record the exits first.")
            % {"scope": scope_label}
        )
        return 0, working
    listed = "; ".join(
        _("%(name)s %(width)s (%(kind)s)") % {"name": e.name, "width": _m(e.clear_width_m), "kind": _kind_label(e.kind)}
        for e in exits
    )
    working.append(_("Exits of %(scope)s: %(exits)s.") % {"scope": scope_label, "exits": listed})
    widest = _widest(exits, params)
    if len(exits) == 1:
        working.append(
            _(
                "Only one exit: discounting it in case it is blocked leaves no width. A single exit gives no "
                "redundancy, so the exit figure is 0."
            )
        )
        return 0, working
    remaining = [e for e in exits if e is not widest]
    working.append(
        _("The widest exit, %(name)s (%(width)s), is discounted in case it is blocked.")
        % {"name": widest.name, "width": _m(widest.clear_width_m)}
    )
    total = Decimal(0)
    terms = []
    for kind in (ExitKind.LEVEL, ExitKind.STAIRS, ExitKind.RAMP):
        widths = [e.clear_width_m for e in remaining if e.kind == kind]
        if not widths:
            continue
        width = sum(widths, Decimal(0))
        rate = params.flow_rate(kind)
        part = width * rate * params.egress_minutes
        total += part
        if len(widths) == 1:
            width_text = _m(width)
        elif len(set(widths)) == 1:
            width_text = _("%(count)s × %(width)s") % {"count": len(widths), "width": _m(widths[0])}
        else:
            width_text = "(" + " + ".join(_m(w) for w in widths) + ")"
        terms.append(
            _("%(widths)s %(kind)s × %(rate)s persons per metre per minute × %(minutes)s minutes = %(people)s")
            % {
                "widths": width_text,
                "kind": _kind_label(kind),
                "rate": rate,
                "minutes": _n(params.egress_minutes),
                "people": _n(part),
            }
        )
    figure = math.floor(total)
    if len(terms) == 1:
        working.append(_("Exit figure: %(term)s people.") % {"term": terms[0]})
    else:
        working.append(
            _("Exit figure: %(terms)s; together %(people)s people.") % {"terms": "; ".join(terms), "people": _n(figure)}
        )
    return figure, working


def _bind(area: int, exits: int, seats: int | None) -> tuple[int, str]:
    # Order of preference on a tie: exits, then seats, then area (see the module docstring).
    candidates = [(exits, 0, BindingLimit.EXITS.value), (area, 2, BindingLimit.AREA.value)]
    if seats is not None:
        candidates.append((seats, 1, BindingLimit.SEATS.value))
    value, _order, limit = min(candidates)
    return value, limit


def _limit_label(limit: str) -> str:
    return {
        BindingLimit.AREA: _("the area"),
        BindingLimit.EXITS: _("the exits"),
        BindingLimit.SEATS: _("the seats"),
    }[BindingLimit(limit)]


def zone_capacity(zone: ZoneData, exits: Iterable[ExitData], params: CapacityParameters) -> CapacityResult:
    """Safe capacity of one zone, from the exits that serve it."""
    serving = [e for e in exits if zone.key in e.zone_keys]
    working: list[str] = []
    area = area_figure(zone.usable_area_m2, params.space_per_person_m2)
    working.append(
        _("Area figure: %(area)s m² ÷ %(space)s m² per person (%(kind)s) = %(people)s people.")
        % {
            "area": _n(zone.usable_area_m2),
            "space": _n(params.space_per_person_m2),
            "kind": str(ZoneKind(zone.kind).label).lower() if zone.kind in ZoneKind.values else zone.kind,
            "people": _n(area),
        }
    )
    exit_fig, exit_working = exit_figure(serving, params, scope_label=_("this zone"))
    working += exit_working
    seats = zone.seats if zone.kind == ZoneKind.SEATED else None
    if seats is not None:
        working.append(_("Seats: %(seats)s.") % {"seats": _n(seats)})
    safe, limit = _bind(area, exit_fig, seats)
    if seats is not None:
        working.append(
            _(
                "Safe capacity: the lowest of %(area)s (area), %(exits)s (exits) and %(seats)s (seats) = %(safe)s, "
                "set by %(limit)s."
            )
            % {
                "area": _n(area),
                "exits": _n(exit_fig),
                "seats": _n(seats),
                "safe": _n(safe),
                "limit": _limit_label(limit),
            }
        )
    else:
        working.append(
            _("Safe capacity: the lower of %(area)s (area) and %(exits)s (exits) = %(safe)s, set by %(limit)s.")
            % {"area": _n(area), "exits": _n(exit_fig), "safe": _n(safe), "limit": _limit_label(limit)}
        )
    return CapacityResult(
        area_capacity=area,
        exit_capacity=exit_fig,
        safe_capacity=safe,
        binding_limit=limit,
        working=working,
        seat_capacity=seats,
    )


def most_cautious(params: Iterable[CapacityParameters]) -> CapacityParameters:
    params = list(params)
    return CapacityParameters(
        space_per_person_m2=max(p.space_per_person_m2 for p in params),
        flow_rate_level=min(p.flow_rate_level for p in params),
        flow_rate_stairs=min(p.flow_rate_stairs for p in params),
        egress_minutes=min(p.egress_minutes for p in params),
        flow_rate_ramp=min(p.flow_rate_ramp for p in params),
    )


def venue_capacity(
    zones: Sequence[ZoneData],
    exits: Sequence[ExitData],
    parameters: Mapping[str, CapacityParameters],
    *,
    declared_capacity: int | None = None,
) -> VenueCapacity:
    """Safe capacity of each zone and of the whole venue."""
    zone_results = {z.key: zone_capacity(z, exits, parameters_for(parameters, z.kind)) for z in zones}
    if not zones:
        result = CapacityResult(
            area_capacity=None,
            exit_capacity=None,
            safe_capacity=None,
            binding_limit=None,
            working=[_("No zones are recorded, so the safe capacity cannot be computed: record the zones first.")],
            declared_capacity=declared_capacity,
        )
        return VenueCapacity(venue=result, zones=zone_results)

    working: list[str] = []
    holding_total = 0
    parts = []
    for zone in zones:
        zr = zone_results[zone.key]
        holding = zr.area_capacity if zr.seat_capacity is None else min(zr.area_capacity, zr.seat_capacity)
        holding_total += holding
        if zr.seat_capacity is not None and zr.seat_capacity < zr.area_capacity:
            parts.append(_("%(zone)s %(people)s (seats)") % {"zone": zone.name, "people": _n(holding)})
        else:
            parts.append(_("%(zone)s %(people)s") % {"zone": zone.name, "people": _n(holding)})
    if len(zones) == 1:
        working.append(_("Area figure of the venue: that of its one zone, %(parts)s.") % {"parts": parts[0]})
    else:
        working.append(
            _("Area figure of the venue: the zones together, %(parts)s = %(people)s people.")
            % {"parts": " + ".join(parts), "people": _n(holding_total)}
        )
    kinds = sorted({z.kind for z in zones})
    params = most_cautious(parameters_for(parameters, kind) for kind in kinds)
    if len(kinds) > 1:
        working.append(
            _(
                "For the whole venue the most cautious settings of its zone kinds apply: %(level)s persons per "
                "metre per minute on the level, %(stairs)s on stairs, %(ramp)s on ramps and slopes, %(minutes)s "
                "minutes to get out."
            )
            % {
                "level": params.flow_rate_level,
                "stairs": params.flow_rate_stairs,
                "ramp": params.flow_rate_ramp,
                "minutes": _n(params.egress_minutes),
            }
        )
    exit_fig, exit_working = exit_figure(list(exits), params, scope_label=_("the venue"))
    working += exit_working
    safe, limit = _bind(holding_total, exit_fig, None)
    working.append(
        _(
            "Safe capacity of the venue: the lower of %(area)s (area) and %(exits)s (exits) = %(safe)s, "
            "set by %(limit)s."
        )
        % {"area": _n(holding_total), "exits": _n(exit_fig), "safe": _n(safe), "limit": _limit_label(limit)}
    )
    result = CapacityResult(
        area_capacity=holding_total,
        exit_capacity=exit_fig,
        safe_capacity=safe,
        binding_limit=limit,
        working=working,
        declared_capacity=declared_capacity,
    )
    if result.declared_exceeds_computed:
        working.append(result.warning)
    elif declared_capacity is not None:
        working.append(
            _("The declared capacity (%(declared)s) is within the computed safe capacity.")
            % {"declared": _n(declared_capacity)}
        )
    return VenueCapacity(venue=result, zones=zone_results)


def parameters_for(parameters: Mapping[str, CapacityParameters], zone_kind: str) -> CapacityParameters:
    return parameters.get(zone_kind) or DEFAULT_PARAMETERS.get(zone_kind) or STANDARD


# --- adapters from the models ----------------------------------------------------------------------------


def load_parameters() -> dict[str, CapacityParameters]:
    """The capacity settings of every zone kind: one query. A kind with no row (an admin deleted it) falls
    back to the defaults of DESIGN.md."""
    from venues.models import CapacitySetting

    parameters = dict(DEFAULT_PARAMETERS)
    for row in CapacitySetting.objects.all():
        parameters[row.zone_kind] = CapacityParameters(
            space_per_person_m2=row.space_per_person_m2,
            flow_rate_level=row.flow_rate_level,
            flow_rate_stairs=row.flow_rate_stairs,
            egress_minutes=row.egress_minutes,
            flow_rate_ramp=row.flow_rate_ramp,
        )
    return parameters


def venue_capacity_from_models(venue, parameters: Mapping[str, CapacityParameters]) -> VenueCapacity:
    """Capacity of a venue from its prefetched ``zones`` and ``exits`` (with ``exits__zones``): no query when
    they were prefetched (see ``venues.selectors.CAPACITY_PREFETCH``)."""
    zones = [
        ZoneData(key=z.pk, name=z.name, kind=z.kind, usable_area_m2=z.usable_area_m2, seats=z.seats)
        for z in venue.zones.all()
    ]
    exits = [
        ExitData(
            key=e.pk,
            name=e.name,
            kind=e.kind,
            clear_width_m=e.clear_width_m,
            zone_keys=frozenset(z.pk for z in e.zones.all()),
        )
        for e in venue.exits.all()
    ]
    return venue_capacity(zones, exits, parameters, declared_capacity=venue.declared_capacity)


@dataclass(frozen=True)
class ExitRedundancy:
    """How many zones and exits a venue has, and which zones a single exit serves: the facts behind a safe
    capacity of 0 (discounting the one exit leaves none), which triage must read as "any attendance exceeds
    it", not as "no capacity recorded"."""

    zones: int
    exits: int
    single_exit_zones: tuple[str, ...]

    @property
    def single_exit(self) -> bool:
        return self.exits == 1


def exit_redundancy(venue) -> ExitRedundancy:
    """The exit redundancy of a saved venue: two queries."""
    from venues.models import Exit, Zone

    zones = list(Zone.objects.filter(venue=venue).annotate(served=Count("exits")).values_list("name", "served"))
    return ExitRedundancy(
        zones=len(zones),
        exits=Exit.objects.filter(venue=venue).count(),
        single_exit_zones=tuple(name for name, served in zones if served == 1),
    )
