"""Fixtures of the permit tests: the departments of 文峰区 that join a joint inspection, their people, a venue with
zones, a second organizer organisation, and a builder of complete applications (through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crowdsafe.org.choices import DepartmentKind, OrganisationKind, Role
from permits import services
from permits.choices import EventKind, MaterialKind, PlanMode, PlanSection
from tests.factories import DepartmentFactory, OrganisationFactory, UserFactory, credit_code_with_check, member
from tests.helpers.files import image_bytes, pdf_bytes
from tests.helpers.snapshots import snapshot_fixture
from venues import services as venue_services
from venues.choices import ExitKind, VenueKind, ZoneKind

PDF = pdf_bytes()
PNG = image_bytes("PNG")


def pdf(name="材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def local(day: dt.date, hour: int = 19) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@snapshot_fixture
def permit_city(city, users):
    """The 文峰区 departments of a joint inspection and one person in each; the 安阳市公安局's people; a second
    organizer organisation and its organizer."""
    ns = SimpleNamespace(city=city, users=users)
    ns.wenfeng_fire = DepartmentFactory(
        name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng
    )
    ns.wenfeng_housing = DepartmentFactory(
        name="文峰区住房和城乡建设局", kind=DepartmentKind.HOUSING, jurisdiction=city.wenfeng
    )
    ns.wenfeng_culture = DepartmentFactory(
        name="文峰区文化广电和旅游局", kind=DepartmentKind.CULTURE_TOURISM, jurisdiction=city.wenfeng
    )

    def person(role, department, username):
        return member(UserFactory(username=username), role=role, department=department).user

    ns.fire_staff = person(Role.STAFF, ns.wenfeng_fire, "p_fire")
    ns.housing_staff = person(Role.STAFF, ns.wenfeng_housing, "p_housing")
    ns.culture_staff = person(Role.STAFF, ns.wenfeng_culture, "p_culture")
    ns.city_staff = person(Role.STAFF, city.city_police, "p_city_staff")
    ns.city_head = person(Role.HEAD, city.city_police, "p_city_head")
    ns.beiguan_staff = person(Role.STAFF, city.beiguan_police, "p_beiguan_staff")
    ns.head2 = person(Role.HEAD, city.wenfeng_police, "p_head2")
    ns.other_org = OrganisationFactory(
        name="北关会展服务有限公司",
        kind=OrganisationKind.ORGANIZER,
        credit_code="91410503MA0000077P",
        jurisdiction=city.beiguan,
    )
    ns.other_organizer = member(
        UserFactory(username="p_other_org"), role=Role.ORGANIZER, organisation=ns.other_org
    ).user
    return ns


@snapshot_fixture
def stadium(city):
    """A stadium in the 东大街 grid with two seated stands and an infield (declared capacity 6,000)."""
    venue = venue_services.venue_create(
        actor=None,
        name="文峰体育中心体育场",
        kind=VenueKind.STADIUM,
        grid=city.grid,
        address="安阳市文峰区文明大道",
        declared_capacity=6000,
    )
    east = venue_services.zone_create(
        venue=venue, actor=None, name="东看台", kind=ZoneKind.SEATED, usable_area_m2=Decimal("3200"), seats=3000
    )
    west = venue_services.zone_create(
        venue=venue, actor=None, name="西看台", kind=ZoneKind.SEATED, usable_area_m2=Decimal("3200"), seats=3000
    )
    infield = venue_services.zone_create(
        venue=venue, actor=None, name="内场", kind=ZoneKind.STANDING, usable_area_m2=Decimal("4000")
    )
    for i, zone in enumerate([east, east, west, west, infield, infield]):
        venue_services.exit_create(
            venue=venue,
            actor=None,
            name=f"{i + 1}号出口",
            kind=ExitKind.LEVEL,
            clear_width_m=Decimal("4"),
            zones=[zone],
        )
    venue.refresh_from_db()
    return SimpleNamespace(venue=venue, east=east, west=west, infield=infield)


def build_application(
    *,
    organizer,
    organisation,
    venue,
    days_ahead: int = 40,
    attendance: int | list[int] = 3000,
    tickets: dict | None = None,
    undertakers: int = 1,
    kind: str = EventKind.PERFORMANCE,
    plan_mode: str = PlanMode.WRITTEN,
    name: str = "洹河之夜音乐会",
    complete: bool = True,
):
    """A draft application made through the portal's services; ``complete`` fills in everything the completeness
    check asks for."""
    application = services.application_create(
        organisation=organisation,
        actor=organizer,
        event_name=name,
        event_kind=kind,
        description="露天音乐会，两场。",
        venue=venue,
        safety_person_name="王建国",
        safety_person_phone="13800000101",
        safety_person_id_number="41050219800101001X",
    )
    attendances = attendance if isinstance(attendance, list) else [attendance]
    first_day = timezone.localdate() + dt.timedelta(days=days_ahead)
    for i, people in enumerate(attendances):
        day = first_day + dt.timedelta(days=i)
        services.session_add(
            application=application,
            actor=organizer,
            starts_at=local(day, 19),
            ends_at=local(day, 22),
            expected_attendance=people,
        )
    if not complete:
        application.refresh_from_db()
        return application
    zones = list(venue.zones.order_by("name"))
    plan = tickets if tickets is not None else {zones[0].pk: min(max(attendances), 2000)}
    services.tickets_set(application=application, actor=organizer, tickets=plan)
    for i in range(undertakers):
        services.undertaker_add(
            application=application,
            actor=organizer,
            name=f"承办单位{i + 1}",
            credit_code=credit_code_with_check(f"91410502MA000{i:04d}"),
        )
    kinds = [
        MaterialKind.UNDERTAKER_LICENCE,
        MaterialKind.SAFETY_PERSON_ID,
        MaterialKind.EVENT_PLAN,
        MaterialKind.VENUE_CONSENT,
        MaterialKind.EMERGENCY_PLAN,
    ]
    if undertakers > 1:
        kinds.append(MaterialKind.JOINT_AGREEMENT)
    if plan_mode == PlanMode.UPLOADED:
        kinds.append(MaterialKind.SECURITY_PLAN)
    for material_kind in kinds:
        services.material_upload(
            application=application, actor=organizer, kind=material_kind, upload=pdf(f"{material_kind}.pdf")
        )
    if plan_mode == PlanMode.UPLOADED:
        sections = {s.value: {"page": i + 1} for i, s in enumerate(PlanSection)}
    else:
        sections = {s.value: {"text": f"{s.label}：已落实。"} for s in PlanSection}
    services.plan_save(application=application, actor=organizer, mode=plan_mode, sections=sections)
    application.refresh_from_db()
    return application


@pytest.fixture
def complete_application(permit_city, stadium):
    return build_application(
        organizer=permit_city.users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )


def through_inspection(application, permit_city):
    """Submit, accept, review and inspect (every department passes): ready for the decision."""
    users = permit_city.users
    services.application_submit(application=application, actor=users.organizer)
    services.application_accept(application=application, actor=users.staff)
    services.application_start_review(application=application, actor=users.staff)
    inspections = services.application_start_inspection(application=application, actor=users.staff)
    people = {
        permit_city.city.wenfeng_police.pk: users.staff,
        permit_city.wenfeng_fire.pk: permit_city.fire_staff,
        permit_city.wenfeng_housing.pk: permit_city.housing_staff,
        permit_city.wenfeng_culture.pk: permit_city.culture_staff,
    }
    for inspection in inspections:
        services.inspection_record(
            inspection=inspection, actor=people[inspection.department_id], passed=True, findings="符合要求。"
        )
    application.refresh_from_db()
    return application
