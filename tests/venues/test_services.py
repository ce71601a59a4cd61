"""Venue services: who may write, what is refused, what is logged, and the hooks for other apps."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from PIL import Image

from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import DepartmentKind, Role
from tests.factories import DepartmentFactory, member
from tests.venues.conftest import add_square_zone_and_exits, make_venue
from venues import services
from venues.choices import EquipmentKind, ExitKind, FireInspectionStatus, RiskPointKind, VenueKind, ZoneKind
from venues.models import CapacitySetting, Exit, RiskPoint, Venue, Zone

pytestmark = pytest.mark.django_db


# --- who may create and change venues ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["township_officer", "leader", "admin", "staff", "head"])
def test_government_editors_add_venues_in_their_territory(city, users, role):
    venue = make_venue(city.grid, actor=getattr(users, role))
    assert venue.jurisdiction_path == city.grid.path
    assert venue.grid == city.grid


def test_a_township_officer_may_not_add_a_venue_in_another_township(city, users):
    community2 = city.street2  # 西大街街道 has no grid of its own: make a community there
    from tests.factories import JurisdictionFactory

    other = JurisdictionFactory(code="410502002001", name="西大街社区", level="community", parent=community2)
    with pytest.raises(PermissionDeniedError):
        make_venue(other, actor=users.township_officer)
    assert not Venue.objects.exists()


def test_a_grid_worker_and_an_organizer_do_not_keep_the_venue_register(city, users):
    for actor in (users.grid_worker, users.organizer, users.outsider):
        with pytest.raises(PermissionDeniedError):
            make_venue(city.grid, actor=actor)
        assert not services.can_create_venues(get_scope(actor)) or actor is users.outsider


def test_a_venue_operator_keeps_venues_of_their_own_organisation_only(city, operator):
    venue = make_venue(city.grid, actor=operator.user, operator=operator.organisation)
    assert venue.operator == operator.organisation
    with pytest.raises(PermissionDeniedError):
        make_venue(city.grid, name="另一个广场", actor=operator.user, operator=operator.other)
    with pytest.raises(PermissionDeniedError):
        make_venue(city.grid, name="无单位广场", actor=operator.user)
    services.venue_update(venue=venue, actor=operator.user, data={"declared_capacity": 3000})
    with pytest.raises(PermissionDeniedError):
        services.venue_update(venue=venue, actor=operator.user, data={"operator": operator.other})


def test_a_department_grant_lets_see_but_not_change(city, users, venue):
    from crowdsafe.org.services import grant_to_department

    fire = DepartmentFactory(name="北关区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.beiguan)
    partner = member(role=Role.STAFF, department=fire).user
    grant_to_department(obj=venue, codename="view_venue", department=fire, actor=None)
    assert not services.can_manage_venue(get_scope(partner), venue)
    with pytest.raises(PermissionDeniedError):
        services.venue_update(venue=venue, actor=partner, data={"name": "改名"})


def test_a_venue_is_placed_in_a_grid_or_a_community_not_a_township(city, users):
    with pytest.raises(DomainError) as exc:
        make_venue(city.street, actor=users.township_officer)
    assert exc.value.field == "grid"
    assert make_venue(city.community, actor=users.township_officer).grid == city.community


# --- validation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "  "}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"latitude": Decimal("36.1"), "longitude": None}, "longitude"),
        ({"latitude": Decimal("91"), "longitude": Decimal("114")}, "latitude"),
        ({"longitude": Decimal("181")}, "longitude"),
        ({"responsible_person_phone": "call me"}, "responsible_person_phone"),
        ({"declared_capacity": 0}, "declared_capacity"),
        ({"fire_inspection_status": FireInspectionStatus.PASSED}, "fire_inspection_date"),
        ({"fire_inspection_date": datetime.date(2020, 1, 1)}, "fire_inspection_status"),
        (
            {"completion_acceptance_date": timezone.localdate() + datetime.timedelta(days=1)},
            "completion_acceptance_date",
        ),
        ({"built_year": timezone.localdate().year + 1}, "built_year"),
    ],
)
def test_invalid_venues_are_refused_with_the_field_named_and_nothing_written(city, users, kwargs, field):
    with pytest.raises(DomainError) as exc:
        make_venue(city.grid, actor=users.township_officer, **kwargs)
    assert exc.value.field == field
    assert not Venue.objects.exists()
    assert not ActionLog.objects.filter(verb="created", subject_type__model="venue").exists()


def test_two_active_venues_in_one_grid_cannot_share_a_name(city, users):
    first = make_venue(city.grid, actor=users.township_officer)
    with pytest.raises(DomainError) as exc:
        make_venue(city.grid, actor=users.township_officer)
    assert exc.value.field == "name"
    services.venue_deactivate(venue=first, actor=users.township_officer, reason="录入重复")
    assert make_venue(city.grid, actor=users.township_officer).pk != first.pk


def test_coordinates_are_kept_to_six_decimal_places(city):
    venue = make_venue(city.grid, latitude=Decimal("36.12345678"), longitude=114.1)
    venue.refresh_from_db()
    assert venue.latitude == Decimal("36.123457") and venue.longitude == Decimal("114.100000")


# --- the action log and the hooks -------------------------------------------------------------------------


def test_creating_a_venue_logs_it_and_calls_the_hooks_inside_the_transaction(city, users, monkeypatch):
    calls = []

    def hook(*, venue, event, actor):
        calls.append((venue.pk, event, actor, transaction.get_connection().in_atomic_block))

    monkeypatch.setattr(services, "VENUE_CHANGED_HOOKS", services.VENUE_CHANGED_HOOKS)
    services.VENUE_CHANGED_HOOKS.append(hook)
    try:
        venue = make_venue(city.grid, actor=users.township_officer, kind=VenueKind.SCENIC_AREA)
        services.venue_update(venue=venue, actor=users.township_officer, data={"address": "新地址"})
        services.venue_update(venue=venue, actor=users.township_officer, data={"address": "新地址"})  # no change
    finally:
        services.VENUE_CHANGED_HOOKS.remove(hook)
    assert calls == [
        (venue.pk, "created", users.township_officer, True),
        (venue.pk, "updated", users.township_officer, True),
    ]
    entries = list(timeline_for(subject=venue))
    assert [e.verb for e in entries] == ["updated", "created"]
    assert entries[0].data["changes"]["address"] == ["安阳市文峰区人民大道1号", "新地址"]
    assert entries[1].actor == users.township_officer and entries[1].data["kind"] == "scenic_area"


def test_a_failing_hook_rolls_the_change_back(city, users):
    def broken(**kwargs):
        raise RuntimeError("duties engine down")

    services.VENUE_CHANGED_HOOKS.append(broken)
    try:
        with pytest.raises(RuntimeError):
            make_venue(city.grid, actor=users.township_officer)
    finally:
        services.VENUE_CHANGED_HOOKS.remove(broken)
    assert not Venue.objects.exists()


def test_moving_a_venue_to_another_grid_moves_its_jurisdiction_path(city, users):
    venue = make_venue(city.grid, actor=users.leader)
    services.venue_update(venue=venue, actor=users.leader, data={"grid": city.community})
    venue.refresh_from_db()
    assert venue.jurisdiction_path == city.community.path
    entry = timeline_for(subject=venue)[0]
    assert entry.data["changes"]["grid"] == [city.grid.code, city.community.code]


def test_venue_update_refuses_fields_it_does_not_set(venue):
    with pytest.raises(TypeError):
        services.venue_update(venue=venue, actor=None, data={"computed_capacity": 1})


def test_deactivating_needs_a_reason_and_is_logged(venue, users):
    with pytest.raises(DomainError):
        services.venue_deactivate(venue=venue, actor=users.township_officer, reason=" ")
    services.venue_deactivate(venue=venue, actor=users.township_officer, reason="场所已拆除")
    venue.refresh_from_db()
    assert not venue.is_active
    entry = timeline_for(subject=venue)[0]
    assert (entry.verb, entry.from_state, entry.to_state, entry.reason) == (
        "deactivated",
        "active",
        "inactive",
        "场所已拆除",
    )
    services.venue_reactivate(venue=venue, actor=users.township_officer)
    venue.refresh_from_db()
    assert venue.is_active


# --- zones and exits keep the stored capacity -------------------------------------------------------------


def test_zones_and_exits_keep_the_stored_capacity_and_warning_up_to_date(venue, users):
    actor = users.township_officer
    add_square_zone_and_exits(venue, actor=actor)
    venue.refresh_from_db()
    assert (venue.computed_capacity, venue.capacity_warning) == (5_248, True)  # declared 6,000

    services.venue_update(venue=venue, actor=actor, data={"declared_capacity": 5000})
    venue.refresh_from_db()
    assert (venue.computed_capacity, venue.capacity_warning) == (5_248, False)

    services.exit_delete(exit=venue.exits.get(name="出口3"), actor=actor)
    venue.refresh_from_db()
    assert venue.computed_capacity == 4 * 82 * 8
    assert [e.verb for e in timeline_for(subject=venue)][:1] == ["exit_removed"]


def test_a_seated_zone_needs_its_seats_and_other_kinds_drop_them(venue):
    with pytest.raises(DomainError) as exc:
        services.zone_create(venue=venue, actor=None, name="看台", kind=ZoneKind.SEATED, usable_area_m2="800")
    assert exc.value.field == "seats"
    zone = services.zone_create(
        venue=venue, actor=None, name="看台", kind=ZoneKind.SEATED, usable_area_m2="800", seats=600
    )
    zone = services.zone_update(zone=zone, actor=None, data={"kind": ZoneKind.STANDING})
    assert zone.seats is None


@pytest.mark.parametrize(
    ("area", "field"), [("0", "usable_area_m2"), ("-3", "usable_area_m2"), ("abc", "usable_area_m2")]
)
def test_a_zone_needs_a_positive_area(venue, area, field):
    with pytest.raises(DomainError) as exc:
        services.zone_create(venue=venue, actor=None, name="区", kind=ZoneKind.STANDING, usable_area_m2=area)
    assert exc.value.field == field
    assert not Zone.objects.exists()


def test_zone_names_are_unique_within_a_venue(venue):
    services.zone_create(venue=venue, actor=None, name="主区", kind=ZoneKind.STANDING, usable_area_m2="10")
    with pytest.raises(DomainError) as exc:
        services.zone_create(venue=venue, actor=None, name="主区", kind=ZoneKind.WALKWAY, usable_area_m2="10")
    assert exc.value.field == "name"


def test_an_exit_only_serves_zones_of_its_own_venue_and_has_a_positive_width(city, venue):
    other = make_venue(city.grid, name="另一个场所")
    foreign = services.zone_create(venue=other, actor=None, name="A", kind=ZoneKind.STANDING, usable_area_m2="10")
    with pytest.raises(DomainError) as exc:
        services.exit_create(venue=venue, actor=None, name="东门", clear_width_m="3", zones=[foreign])
    assert exc.value.field == "zones"
    with pytest.raises(DomainError) as exc:
        services.exit_create(venue=venue, actor=None, name="东门", clear_width_m="0")
    assert exc.value.field == "clear_width_m"
    assert not Exit.objects.exists()


def test_changing_which_zones_an_exit_serves_is_logged(venue):
    zone = services.zone_create(venue=venue, actor=None, name="A", kind=ZoneKind.STANDING, usable_area_m2="10")
    exit_ = services.exit_create(venue=venue, actor=None, name="东门", clear_width_m="3", kind=ExitKind.STAIRS)
    services.exit_update(exit=exit_, actor=None, data={"zones": [zone.pk]})
    assert list(exit_.zones.all()) == [zone]
    entry = timeline_for(subject=venue)[0]
    assert entry.verb == "exit_changed" and entry.data["changes"]["zones"] == ["", str(zone.pk)]


def test_the_operator_changes_the_zones_of_their_venue_and_an_outsider_may_not(venue, operator, users):
    services.zone_create(venue=venue, actor=operator.user, name="A", kind=ZoneKind.STANDING, usable_area_m2="10")
    with pytest.raises(PermissionDeniedError):
        services.zone_create(venue=venue, actor=users.outsider, name="B", kind=ZoneKind.STANDING, usable_area_m2="10")


# --- risk points, structures, equipment -------------------------------------------------------------------


def photo(name="steps.jpg", *, size=(40, 30), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_risk_point_keeps_its_photo(venue):
    point = services.risk_point_create(
        venue=venue, actor=None, kind=RiskPointKind.STEPS, notes=" 北侧台阶 ", photo=photo()
    )
    point.refresh_from_db()
    assert point.notes == "北侧台阶" and point.photo.name.endswith(".jpg")
    assert timeline_for(subject=venue)[0].verb == "risk_point_added"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("steps.jpg", b"not an image at all", content_type="image/jpeg"),
            "“steps.jpg” is not a valid JPG file: its content does not match its name.",
        ),
        (
            SimpleUploadedFile("steps.gif", b"GIF89a", content_type="image/gif"),
            "“steps.gif”: only JPEG, JPG, PNG, WEBP files are accepted (at most 5 MB).",
        ),
    ],
)
def test_a_risk_point_photo_must_be_a_real_jpeg_png_or_webp(venue, upload, message):
    with translation.override("en"):  # the site's language is Chinese
        with pytest.raises(DomainError) as exc:
            services.risk_point_create(venue=venue, actor=None, kind=RiskPointKind.STEPS, photo=upload)
        assert exc.value.field == "photo"
        assert str(exc.value.message) == message
    assert not RiskPoint.objects.exists()


def test_a_risk_point_photo_over_5_mb_is_refused(venue, monkeypatch):
    big = photo()
    big.size = 5 * 1024 * 1024 + 1
    with pytest.raises(DomainError):
        services.risk_point_create(venue=venue, actor=None, kind=RiskPointKind.SLOPE, photo=big)


def test_replacing_and_removing_a_risk_point_photo(venue):
    point = services.risk_point_create(venue=venue, actor=None, kind=RiskPointKind.STEPS, photo=photo())
    point = services.risk_point_update(risk_point=point, actor=None, data={"photo": photo("new.png", fmt="PNG")})
    assert point.photo.name.endswith(".png")
    point = services.risk_point_update(risk_point=point, actor=None, data={"photo": None})
    assert not point.photo


def test_a_temporary_structure_is_accepted_after_it_is_put_up_and_by_someone(venue):
    day = datetime.date(2026, 1, 10)
    with pytest.raises(DomainError) as exc:
        services.temporary_structure_create(
            venue=venue,
            actor=None,
            name="主舞台",
            erected_on=day,
            accepted_on=day - datetime.timedelta(days=1),
            accepted_by="住建局",
        )
    assert exc.value.field == "accepted_on"
    with pytest.raises(DomainError) as exc:
        services.temporary_structure_create(venue=venue, actor=None, name="主舞台", erected_on=day, accepted_on=day)
    assert exc.value.field == "accepted_by"
    structure = services.temporary_structure_create(venue=venue, actor=None, name="主舞台", erected_on=day)
    assert not structure.is_accepted
    structure = services.temporary_structure_update(
        structure=structure, actor=None, data={"accepted_on": day, "accepted_by": "文峰区住建局"}
    )
    assert structure.is_accepted


def test_special_equipment_registration_numbers_are_unique_per_venue_and_inspections_in_order(venue):
    today = timezone.localdate()
    with pytest.raises(DomainError) as exc:
        services.special_equipment_create(
            venue=venue,
            actor=None,
            kind=EquipmentKind.ESCALATOR,
            name="东门扶梯",
            registration_no="梯11豫E0001",
            last_inspected_on=today,
            next_inspection_due=today,
        )
    assert exc.value.field == "next_inspection_due"
    item = services.special_equipment_create(
        venue=venue,
        actor=None,
        kind=EquipmentKind.ESCALATOR,
        name="东门扶梯",
        registration_no="梯11豫e0001",
        next_inspection_due=today - datetime.timedelta(days=1),
    )
    assert item.registration_no == "梯11豫E0001" and item.inspection_overdue()
    with pytest.raises(DomainError) as exc:
        services.special_equipment_create(
            venue=venue,
            actor=None,
            kind=EquipmentKind.ELEVATOR,
            name="西门电梯",
            registration_no="梯11豫E0001",
            next_inspection_due=today,
        )
    assert exc.value.field == "registration_no"


def test_the_safety_appraisal_is_required_once_the_design_service_life_is_reached(city):
    venue = make_venue(city.grid, built_year=1975, design_service_life_years=50)
    assert venue.service_life_ends_year == 2025
    assert not venue.safety_appraisal_required(datetime.date(2024, 12, 31))
    assert venue.safety_appraisal_required(datetime.date(2025, 1, 1))
    venue.safety_appraisal_date = datetime.date(2025, 6, 1)
    assert not venue.safety_appraisal_required(datetime.date(2026, 1, 1))
    assert not make_venue(city.grid, name="新场所").safety_appraisal_required()


# --- capacity settings ------------------------------------------------------------------------------------


def test_only_an_administrator_changes_the_capacity_settings_and_every_venue_is_recomputed(
    venue, users, django_capture_on_commit_callbacks
):
    add_square_zone_and_exits(venue)
    setting = CapacitySetting.objects.get(zone_kind=ZoneKind.STANDING)
    with pytest.raises(PermissionDeniedError):
        services.capacity_setting_update(setting=setting, actor=users.leader, data={"egress_minutes": "6"})
    from venues.tasks import recompute_venue_capacities

    calls = []
    original = recompute_venue_capacities.delay
    recompute_venue_capacities.delay = lambda: calls.append(recompute_venue_capacities())  # run the task body here
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.capacity_setting_update(setting=setting, actor=users.admin, data={"egress_minutes": "6"})
    finally:
        recompute_venue_capacities.delay = original
    assert len(calls) == 1
    venue.refresh_from_db()
    assert venue.computed_capacity == 2 * 4 * 82 * 6
    entry = timeline_for(subject=setting)[0]
    assert entry.data["changes"]["egress_minutes"] == ["8.0", "6"]


def test_invalid_capacity_settings_are_refused(users):
    setting = CapacitySetting.objects.get(zone_kind=ZoneKind.WALKWAY)
    with pytest.raises(DomainError) as exc:
        services.capacity_setting_update(setting=setting, actor=users.admin, data={"space_per_person_m2": "0"})
    assert exc.value.field == "space_per_person_m2"
    setting.refresh_from_db()
    assert setting.space_per_person_m2 == Decimal("0.50")
