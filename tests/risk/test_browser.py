"""The risk pages in a real headless Chromium: the map coloured by level (Leaflet, vendored; no tiles needed),
the register, an assessment, a hazard and a campaign, at desktop and phone sizes. Screenshots go to
tests/artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from risk import services
from tests.risk.conftest import FACTORS_RED, hazard, photo, signed_off
from tests.venues.conftest import add_square_zone_and_exits, make_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def risk_city(city, users, reviewer, operator, depts):
    """Four venues around 东大街 at four levels, a major hazard with a plan and a campaign."""
    positions = [("36.0976", "114.3923"), ("36.0990", "114.3960"), ("36.0950", "114.3890"), ("36.1010", "114.3900")]
    venues = []
    for i, (lat, lng) in enumerate(positions):
        venue = make_venue(
            city.grid,
            name=["文峰塔广场", "万达广场", "东大街步行街", "星光KTV"][i],
            kind=["square", "commercial", "commercial", "entertainment"][i],
            operator=operator.organisation,
            latitude=Decimal(lat),
            longitude=Decimal(lng),
        )
        add_square_zone_and_exits(venue)
        venues.append(venue)
    services.campaign_launch(
        actor=users.leader,
        name="春节前人员密集场所风险评估",
        territory=city.wenfeng,
        purpose="holiday",
        deadline=timezone.localdate() + dt.timedelta(days=14),
        venue_kinds=["square", "commercial", "entertainment"],
    )
    red = signed_off(
        venues[0],
        users.township_officer,
        reviewer,
        factors=FACTORS_RED,
        expected_attendance=9000,
        scenario="春节庙会及新年倒计时",
    )
    signed_off(
        venues[1],
        users.township_officer,
        reviewer,
        factors={"attendance": 2, "scale": 2, "time": 2, "online_hype": 2},
        expected_attendance=5000,
    )
    signed_off(venues[2], users.township_officer, reviewer, factors={"scale": 1, "time": 1}, expected_attendance=2000)
    signed_off(venues[3], users.township_officer, reviewer)
    major = hazard(venues[0], users.grid_worker, level="major", photos=[photo()], title="东侧台阶护栏缺失")
    services.hazard_submit_plan(
        hazard=major,
        actor=operator.user,
        data={
            "goal": "补设台阶护栏",
            "measures": "加装不锈钢护栏；设置分流标识",
            "funds_yuan": "15000",
            "people": "广场管理处 王主任",
            "deadline": timezone.localdate() + dt.timedelta(days=5),
            "interim_measures": "台阶处设专人值守，单向通行",
        },
    )
    return {"venues": venues, "red": red, "hazard": major}


def page_for(browser, live_server, user, *, viewport=DESKTOP, language="zh-CN"):
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale=language, timezone_id="Asia/Shanghai", viewport=viewport)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context, context.new_page()


def test_the_map_colours_each_subject_by_its_level_without_tiles(browser, live_server, risk_city, users, settings):
    settings.MAP_TILE_URL = ""
    context, page = page_for(browser, live_server, users.leader)
    try:
        page.goto(f"{live_server.url}/risk/map/")
        page.wait_for_selector("[data-risk-map][data-map-ready=true]")
        assert page.locator("#risk-map").get_attribute("data-markers") == "4"
        fills = page.eval_on_selector_all(
            "#risk-map path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
        )
        assert len(fills) == 4
        assert "#c81e1e" in fills  # the red one
        assert page.locator("#risk-map.risk-map--no-tiles").count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "risk-map.png"), full_page=True)
    finally:
        context.close()


def test_key_pages_at_desktop_and_phone_sizes(browser, live_server, risk_city, users, operator):
    ARTIFACTS.mkdir(exist_ok=True)
    shots = [
        (users.leader, "/risk/", "risk-register"),
        (users.leader, f"/risk/assessments/{risk_city['red'].pk}/", "risk-assessment"),
        (operator.user, f"/risk/hazards/{risk_city['hazard'].pk}/", "risk-hazard"),
        (users.leader, f"/risk/campaigns/{risk_city['red'].campaign_target_id or 1}/", "risk-campaign"),
        (
            users.township_officer,
            f"/risk/assessments/new/?subject_type=venue&subject_id={risk_city['venues'][1].pk}",
            "risk-assessment-form",
        ),
        (users.township_officer, "/", "risk-home"),
    ]
    from risk.models import AssessmentCampaign

    campaign = AssessmentCampaign.objects.get()
    shots[3] = (users.leader, f"/risk/campaigns/{campaign.pk}/", "risk-campaign")
    for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        for user, path, name in shots:
            context, page = page_for(browser, live_server, user, viewport=viewport)
            try:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                # Nothing wider than the screen on a phone.
                if viewport is PHONE:
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, (path, overflow)
                page.screenshot(path=str(ARTIFACTS / f"{name}-{suffix}.png"), full_page=True)
            finally:
                context.close()
