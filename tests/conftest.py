"""Shared fixtures: a small two-city tree (安阳市 with two districts, and 梅河口市) and users in it."""

from __future__ import annotations

import importlib
import os
from types import SimpleNamespace

import pytest

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, Role
from tests.factories import DepartmentFactory, JurisdictionFactory, OrganisationFactory, UserFactory, member

L = JurisdictionLevel


# Data migrations that seed reference rows. A transactional test (browser, real worker, concurrency) ends by
# emptying every table, which wipes these rows for the tests after it; they are put back right after its teardown.
SEEDING_MIGRATIONS = [
    "crowdsafe.workdays.migrations.0002_seed_calendar_from_library",
    "duties.migrations.0002_seed_rules",
    "duties.migrations.0004_seed_rule_keys",
    "duties.migrations.0007_holiday_schedule_rule",
    "venues.migrations.0002_seed_capacity_settings",
    "venues.migrations.0003_exit_ramp_and_ramp_flow_rate",
    "venues.migrations.0006_seed_appraisal_rules",
    "venues.migrations.0004_ramp_rate_source",
    "permits.migrations.0002_seed_rules",
    "permits.migrations.0004_art_25_and_decision_in_working_days",
    "permits.migrations.0006_seed_structure_rule_and_ratios",
    "drills.migrations.0002_seed_rules",
    "risk.migrations.0002_seed_bands_and_rules",
    "events.migrations.0002_seed_rules_and_defaults",
    "alerts.migrations.0002_seed_rules",
    "monitoring.migrations.0003_seed_bands_and_rules",
    "monitoring.migrations.0005_zone_level_operator_parties",
    "response.migrations.0002_seed_reference_data",
    "inspections.migrations.0002_seed_templates_and_rules",
]


def _is_transactional(item) -> bool:
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


def _seed_reference_data() -> None:
    from django.apps import apps

    for module in SEEDING_MIGRATIONS:
        importlib.import_module(module).seed(apps, None)  # each seed is idempotent (get_or_create)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has emptied every table (its teardown), the reference rows are put back at
    once, so whatever test comes next in this process finds them: under pytest-xdist a worker runs the files it
    is given one after another, ordinary tests after another file's transactional ones."""
    result = yield
    # The last test's teardown has also dropped the test database (session fixtures end with it): nothing to do.
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _seed_reference_data()
    return result


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def city(db):
    """安阳市 410500 → 文峰区 410502 → 东大街街道 410502001 → 社区 410502001001 → 网格 G01;
    a second street 410502002; 北关区 410503 with a street; and 梅河口市 220581 with a township."""
    anyang = JurisdictionFactory(code="410500", name="安阳市", level=L.CITY, parent=None)
    wenfeng = JurisdictionFactory(code="410502", name="文峰区", level=L.DISTRICT, parent=anyang)
    street = JurisdictionFactory(code="410502001", name="东大街街道", level=L.TOWNSHIP, parent=wenfeng)
    community = JurisdictionFactory(code="410502001001", name="东大街社区", level=L.COMMUNITY, parent=street)
    grid = JurisdictionFactory(code="410502001001G01", name="东大街社区第一网格", level=L.GRID, parent=community)
    street2 = JurisdictionFactory(code="410502002", name="西大街街道", level=L.TOWNSHIP, parent=wenfeng)
    beiguan = JurisdictionFactory(code="410503", name="北关区", level=L.DISTRICT, parent=anyang)
    beiguan_street = JurisdictionFactory(code="410503001", name="红旗路街道", level=L.TOWNSHIP, parent=beiguan)
    meihekou = JurisdictionFactory(code="220581", name="梅河口市", level=L.CITY, parent=None)
    mhk_town = JurisdictionFactory(code="220581100", name="山城镇", level=L.TOWNSHIP, parent=meihekou)
    ns = SimpleNamespace(
        anyang=anyang,
        wenfeng=wenfeng,
        street=street,
        community=community,
        grid=grid,
        street2=street2,
        beiguan=beiguan,
        beiguan_street=beiguan_street,
        meihekou=meihekou,
        mhk_town=mhk_town,
    )
    ns.wenfeng_police = DepartmentFactory(
        name="安阳市公安局文峰分局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=wenfeng
    )
    ns.beiguan_police = DepartmentFactory(
        name="安阳市公安局北关分局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=beiguan
    )
    ns.city_police = DepartmentFactory(name="安阳市公安局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=anyang)
    ns.mhk_fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=meihekou)
    ns.organisation = OrganisationFactory(name="安阳文化演艺有限公司", jurisdiction=wenfeng)
    return ns


@pytest.fixture
def users(city):
    """One user per role, anchored in 文峰区 / 东大街街道 where the role allows it."""

    def make(role, username=None, **anchor):
        return member(UserFactory(username=username or f"u_{role}"), role=role, **anchor).user

    return SimpleNamespace(
        staff=make(Role.STAFF, department=city.wenfeng_police),
        head=make(Role.HEAD, department=city.wenfeng_police),
        grid_worker=make(Role.GRID_WORKER, jurisdiction=city.grid),
        township_officer=make(Role.TOWNSHIP_OFFICER, jurisdiction=city.street),
        leader=make(Role.LEADER, jurisdiction=city.wenfeng),
        admin=make(Role.ADMIN, jurisdiction=city.anyang),
        organizer=make(Role.ORGANIZER, organisation=city.organisation),
        outsider=make(Role.TOWNSHIP_OFFICER, username="u_outsider", jurisdiction=city.mhk_town),
    )


@pytest.fixture(scope="session")
def browser_env():
    # Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
    # unless told the caller knows what it is doing (the browser tests touch the ORM only between steps).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return True
