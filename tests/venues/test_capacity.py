"""The capacity calculator (DESIGN.md section 6, issue 3): pure functions first, then the model adapter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from venues.capacity import (
    DEFAULT_PARAMETERS,
    DEFAULT_SOURCE,
    CapacityParameters,
    ExitData,
    ZoneData,
    load_parameters,
    venue_capacity,
    venue_capacity_from_models,
    zone_capacity,
)
from venues.choices import ExitKind, ZoneKind
from venues.models import CapacitySetting, Venue

STANDARD = DEFAULT_PARAMETERS[ZoneKind.STANDING]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def square(area="5000"):
    return ZoneData(key=1, name="Square", kind=ZoneKind.STANDING, usable_area_m2=Decimal(area))


def exits(*widths, kind=ExitKind.LEVEL, zones=(1,)):
    return [
        ExitData(key=i, name=f"Exit {i}", kind=kind, clear_width_m=Decimal(w), zone_keys=frozenset(zones))
        for i, w in enumerate(widths, start=1)
    ]


def test_the_acceptance_square_is_bound_by_its_exits():
    # A 5,000 m² standing square with three 4 m level exits:
    #   area figure = 5,000 m² ÷ 0.5 m² per person = 10,000 people;
    #   exit figure = the widest exit discounted, so 2 exits × 4 m × 82 persons/m/min × 8 min = 5,248 people;
    #   safe capacity = min(10,000, 5,248) = 5,248, bound by the exits.
    result = zone_capacity(square(), exits("4", "4", "4"), STANDARD)

    assert result.area_capacity == 10_000
    assert result.exit_capacity == 2 * 4 * 82 * 8 == 5_248
    assert result.safe_capacity == 5_248
    assert result.binding_limit == "exits"
    working = "\n".join(result.working)
    assert "5,000 m² ÷ 0.5 m² per person" in working and "10,000 people" in working
    assert "2 × 4 m level × 82 persons per metre per minute × 8 minutes = 5,248" in working
    assert "is discounted in case it is blocked" in working
    assert "the lower of 10,000 (area) and 5,248 (exits) = 5,248, set by the exits" in working


def test_the_same_square_at_venue_level_gives_the_same_figures():
    result = venue_capacity([square()], exits("4", "4", "4"), DEFAULT_PARAMETERS).venue
    assert (result.area_capacity, result.exit_capacity, result.safe_capacity, result.binding_limit) == (
        10_000,
        5_248,
        5_248,
        "exits",
    )


def test_a_small_square_with_wide_exits_is_bound_by_its_area():
    result = zone_capacity(square("1000"), exits("6", "6", "6"), STANDARD)
    # 1,000 ÷ 0.5 = 2,000 < 2 × 6 × 82 × 8 = 7,872
    assert (result.area_capacity, result.exit_capacity, result.safe_capacity) == (2_000, 7_872, 2_000)
    assert result.binding_limit == "area"


def test_a_single_exit_zone_has_no_redundancy_and_an_exit_figure_of_zero():
    result = zone_capacity(square(), exits("10"), STANDARD)
    assert result.exit_capacity == 0
    assert result.safe_capacity == 0
    assert result.binding_limit == "exits"
    assert any("single exit gives no redundancy" in line for line in result.working)


def test_a_zone_no_exit_serves_has_an_exit_figure_of_zero_and_says_why():
    result = zone_capacity(square(), exits("4", "4", zones=(99,)), STANDARD)
    assert result.exit_capacity == 0
    assert any("No exit is recorded for this zone" in line for line in result.working)


def mixed_exits(*spec):
    return [
        ExitData(key=i, name=f"Exit {i}", kind=kind, clear_width_m=Decimal(width), zone_keys=frozenset({1}))
        for i, (width, kind) in enumerate(spec, start=1)
    ]


def test_the_widest_exit_is_discounted_whatever_its_kind():
    result = zone_capacity(
        square("100000"), mixed_exits(("3", ExitKind.LEVEL), ("3", ExitKind.LEVEL), ("5", ExitKind.STAIRS)), STANDARD
    )
    # The 5 m stair exit is the widest and is discounted: 2 × 3 m level × 82 × 8 = 3,936.
    assert result.exit_capacity == 3_936


def test_stair_exits_flow_at_66_persons_per_metre_per_minute():
    result = zone_capacity(
        square("100000"), mixed_exits(("6", ExitKind.LEVEL), ("4", ExitKind.STAIRS), ("4", ExitKind.STAIRS)), STANDARD
    )
    # The 6 m level exit is discounted: 2 × 4 m stairs × 66 × 8 = 4,224.
    assert result.exit_capacity == 4_224
    assert any(
        "2 × 4 m stairs × 66 persons per metre per minute × 8 minutes = 4,224" in line for line in result.working
    )


def test_level_and_stair_exits_are_added_each_at_its_own_rate():
    result = zone_capacity(
        square("100000"),
        mixed_exits(("5", ExitKind.LEVEL), ("2", ExitKind.LEVEL), ("1.5", ExitKind.STAIRS)),
        STANDARD,
    )
    # 2 m × 82 × 8 + 1.5 m × 66 × 8 = 1,312 + 792 = 2,104
    assert result.exit_capacity == 2_104
    assert any("together 2,104 people" in line for line in result.working)


def test_ramp_exits_flow_at_their_own_configurable_rate():
    ramps = CapacityParameters(
        space_per_person_m2=Decimal("0.50"),
        flow_rate_level=82,
        flow_rate_stairs=66,
        flow_rate_ramp=70,
        egress_minutes=Decimal("8.0"),
    )
    result = zone_capacity(
        square("100000"), mixed_exits(("6", ExitKind.LEVEL), ("3", ExitKind.RAMP), ("2", ExitKind.STAIRS)), ramps
    )
    # The 6 m level exit is discounted: 2 m stairs × 66 × 8 + 3 m ramp × 70 × 8 = 1,056 + 1,680 = 2,736.
    assert result.exit_capacity == 2_736
    assert any(
        "3 m ramp / slope × 70 persons per metre per minute × 8 minutes = 1,680" in line for line in result.working
    )


def test_ramps_default_to_the_stair_rate_until_the_city_sets_one():
    assert STANDARD.flow_rate(ExitKind.RAMP) == 66


def test_on_equal_widths_the_level_exit_is_discounted_as_it_lets_more_people_through():
    level = ExitData(key="a", name="A", kind=ExitKind.LEVEL, clear_width_m=Decimal("4"), zone_keys=frozenset({1}))
    stairs = ExitData(key="b", name="B", kind=ExitKind.STAIRS, clear_width_m=Decimal("4"), zone_keys=frozenset({1}))
    result = zone_capacity(square("100000"), [stairs, level], STANDARD)
    assert result.exit_capacity == 4 * 66 * 8  # the stairs remain


def test_a_seated_zone_is_bound_by_its_seats_when_they_are_fewest():
    seated = ZoneData(key=1, name="Stand", kind=ZoneKind.SEATED, usable_area_m2=Decimal("2000"), seats=1200)
    result = zone_capacity(seated, exits("4", "4", "4"), DEFAULT_PARAMETERS[ZoneKind.SEATED])
    # area 4,000; exits 5,248; seats 1,200
    assert (result.area_capacity, result.exit_capacity, result.seat_capacity) == (4_000, 5_248, 1_200)
    assert result.safe_capacity == 1_200
    assert result.binding_limit == "seats"
    assert any("the lowest of 4,000 (area), 5,248 (exits) and 1,200 (seats)" in line for line in result.working)


def test_a_seated_zone_with_more_seats_than_its_exits_allow_is_bound_by_the_exits():
    seated = ZoneData(key=1, name="Stand", kind=ZoneKind.SEATED, usable_area_m2=Decimal("20000"), seats=9000)
    result = zone_capacity(seated, exits("4", "4", "4"), DEFAULT_PARAMETERS[ZoneKind.SEATED])
    assert (result.safe_capacity, result.binding_limit) == (5_248, "exits")


def test_the_venue_adds_the_zones_holding_figures_and_uses_all_exits():
    zones = [
        square("1000"),
        ZoneData(key=2, name="Stand", kind=ZoneKind.SEATED, usable_area_m2=Decimal("800"), seats=500),
    ]
    all_exits = [
        ExitData(key=1, name="N", kind=ExitKind.LEVEL, clear_width_m=Decimal("2"), zone_keys=frozenset({1})),
        ExitData(key=2, name="S", kind=ExitKind.LEVEL, clear_width_m=Decimal("3"), zone_keys=frozenset({2})),
        ExitData(key=3, name="E", kind=ExitKind.STAIRS, clear_width_m=Decimal("1.5"), zone_keys=frozenset()),
    ]
    result = venue_capacity(zones, all_exits, DEFAULT_PARAMETERS)
    # Holding: 2,000 (area of the square) + 500 (seats, fewer than 1,600 by area) = 2,500.
    # Exits: the 3 m exit discounted; 2 m × 82 × 8 + 1.5 m × 66 × 8 = 1,312 + 792 = 2,104.
    assert result.venue.area_capacity == 2_500
    assert result.venue.exit_capacity == 2_104
    assert (result.venue.safe_capacity, result.venue.binding_limit) == (2_104, "exits")
    assert result.zones[2].binding_limit == "exits"  # the stand's only exit is discounted: no redundancy


def test_the_venue_uses_the_most_cautious_settings_of_its_zone_kinds():
    parameters = dict(DEFAULT_PARAMETERS)
    parameters[ZoneKind.NARROW_PASSAGE] = CapacityParameters(
        space_per_person_m2=Decimal("1.00"), flow_rate_level=60, flow_rate_stairs=50, egress_minutes=Decimal("6")
    )
    zones = [square(), ZoneData(key=2, name="Alley", kind=ZoneKind.NARROW_PASSAGE, usable_area_m2=Decimal("300"))]
    result = venue_capacity(zones, exits("4", "4", "4"), parameters)
    assert result.venue.area_capacity == 10_000 + 300
    assert result.venue.exit_capacity == 2 * 4 * 60 * 6
    assert any("most cautious settings" in line for line in result.venue.working)


def test_a_venue_without_zones_has_no_capacity_and_says_so():
    result = venue_capacity([], exits("4", "4"), DEFAULT_PARAMETERS, declared_capacity=100).venue
    assert result.safe_capacity is None and result.binding_limit is None
    assert not result.declared_exceeds_computed
    assert "No zones are recorded" in result.working[0]


def test_a_declared_capacity_above_the_computed_one_is_warned_about():
    result = venue_capacity([square()], exits("4", "4", "4"), DEFAULT_PARAMETERS, declared_capacity=6000).venue
    assert result.declared_exceeds_computed
    assert result.warning == "The declared capacity (6,000) exceeds the computed safe capacity (5,248) by 752 people."
    assert result.working[-1] == result.warning

    within = venue_capacity([square()], exits("4", "4", "4"), DEFAULT_PARAMETERS, declared_capacity=5000).venue
    assert not within.declared_exceeds_computed and within.warning == ""


def test_fractions_of_a_person_are_rounded_down():
    result = zone_capacity(square("10.3"), exits("0.9", "0.9", "0.9"), STANDARD)
    assert result.area_capacity == 20  # 20.6
    assert result.exit_capacity == 1180  # 2 × 0.9 × 82 × 8 = 1,180.8


@pytest.mark.django_db
def test_the_settings_are_seeded_per_zone_kind_with_the_design_defaults():
    rows = {row.zone_kind: row for row in CapacitySetting.objects.all()}
    assert set(rows) == set(ZoneKind.values)
    for row in rows.values():
        assert (row.space_per_person_m2, row.flow_rate_level, row.flow_rate_stairs, row.egress_minutes) == (
            Decimal("0.50"),
            82,
            66,
            Decimal("8.0"),
        )


@pytest.mark.django_db
def test_the_ramp_flow_rate_is_seeded_with_its_source():
    for row in CapacitySetting.objects.all():
        assert row.flow_rate_ramp == 66
        # No standard gives a ramp rate: the seeded source says it is a design assumption and what it rests on.
        assert row.source == DEFAULT_SOURCE
        assert "ramps 66: design assumption" in row.source and "GB 50016-2014" in row.source
        assert len(row.source) <= CapacitySetting._meta.get_field("source").max_length


@pytest.mark.django_db
def test_an_edited_ramp_rate_is_read_from_the_settings():
    CapacitySetting.objects.filter(zone_kind=ZoneKind.STANDING).update(flow_rate_ramp=55)
    assert load_parameters()[ZoneKind.STANDING].flow_rate(ExitKind.RAMP) == 55


@pytest.mark.django_db
def test_the_settings_are_read_in_one_query_and_an_edited_row_is_used(django_assert_num_queries):
    CapacitySetting.objects.filter(zone_kind=ZoneKind.STANDING).update(space_per_person_m2=Decimal("0.75"))
    with django_assert_num_queries(1):
        parameters = load_parameters()
    assert parameters[ZoneKind.STANDING].space_per_person_m2 == Decimal("0.75")
    assert zone_capacity(square(), [], parameters[ZoneKind.STANDING]).area_capacity == 6_666


@pytest.mark.django_db
def test_the_model_adapter_needs_no_query_once_zones_and_exits_are_prefetched(city, django_assert_num_queries):
    from tests.venues.conftest import add_square_zone_and_exits, make_venue
    from venues.selectors import CAPACITY_PREFETCH

    for i in range(3):
        add_square_zone_and_exits(make_venue(city.grid, name=f"广场{i}"))
    parameters = load_parameters()
    with django_assert_num_queries(4):  # venues, zones, exits, the zones each exit serves
        venues = list(Venue.objects.prefetch_related(*CAPACITY_PREFETCH))
        results = [venue_capacity_from_models(v, parameters) for v in venues]
    assert [r.venue.safe_capacity for r in results] == [5_248, 5_248, 5_248]
