"""Acceptance (issue 4): in headless Chromium at a phone viewport, a grid worker logs a gathering; a double submit
makes one record. Also: a send whose answer is lost on the way back, resent, makes one record; what was typed
survives a network failure and a reload; the device location is used when allowed and a refusal is said; a
refused photo is said before anything is sent.

Screenshots go to tests/artifacts/ for a human to look at (events-form-phone.png, events-gathering-phone.png …).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from events.models import Gathering

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 390, "height": 844}
DETAIL_URL = re.compile(r"/gatherings/\d+/$")
WENFENG_TOWER = {"latitude": 36.0968, "longitude": 114.3523, "accuracy": 12}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def phone(browser, live_server, user, *, geolocation: bool = True):
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    options = {
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    }
    if geolocation:
        options.update(geolocation=WENFENG_TOWER, permissions=["geolocation"])
    context = browser.new_context(**options)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    return context, page


def fill_the_form(page):
    """What a grid worker does on patrol: kind, place, about how many. The grid, the time and the source are
    already filled in."""
    page.locator("label:has(input[name=kind][value=online_to_offline])").click()
    page.fill("input[name=location_name]", "东大街88号门前")
    page.locator("[data-range='300-1000']").click()
    page.locator("input[name=online_hype]").check()


def test_a_grid_worker_logs_a_gathering_on_a_phone_and_a_double_submit_makes_one_record(
    browser, live_server, city, users
):
    context, page = phone(browser, live_server, users.grid_worker)
    try:
        page.goto(f"{live_server.url}/gatherings/new/")
        page.wait_for_selector("[data-locate-status][data-state=ok]")  # the location was allowed: taken at once
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "events-form-phone.png"), full_page=False, scale="css")
        fill_the_form(page)
        assert page.input_value("input[name=latitude]") == "36.096800"
        send = page.locator("[data-submit]")
        box = send.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300  # a big touch target
        page.screenshot(path=str(ARTIFACTS / "events-form-phone-filled.png"), full_page=False, scale="css")
        send.dblclick()
        page.wait_for_url(DETAIL_URL)
        page.wait_for_selector("[data-risk-level]")
        assert Gathering.objects.count() == 1
        gathering = Gathering.objects.get()
        assert gathering.kind == "online_to_offline" and gathering.location_name == "东大街88号门前"
        assert (gathering.estimated_attendance_min, gathering.estimated_attendance_max) == (300, 1000)
        assert str(gathering.latitude) == "36.096800" and gathering.location_accuracy_m == 12
        assert gathering.reported_by == users.grid_worker and gathering.grid == city.grid
        assert (
            page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('crowdsafe.gathering-draft')).length")
            == 0
        )
        page.screenshot(path=str(ARTIFACTS / "events-gathering-phone.png"), full_page=True, scale="css")
    finally:
        context.close()


def test_a_lost_answer_is_resent_and_still_makes_one_record(browser, live_server, city, users):
    context, page = phone(browser, live_server, users.grid_worker)
    lost = []

    def lose_the_answer(route):
        # The server takes the report, but the answer never reaches the phone (the signal dropped).
        route.fetch()
        lost.append(True)
        route.abort("internetdisconnected")

    try:
        page.goto(f"{live_server.url}/gatherings/new/")
        fill_the_form(page)
        page.route(
            "**/gatherings/new/",
            lambda route: lose_the_answer(route) if route.request.method == "POST" else route.continue_(),
        )
        page.locator("[data-submit]").click()
        page.wait_for_selector("[data-log-banner] [data-action=resend]")
        assert lost == [True] and Gathering.objects.count() == 1
        banner = page.inner_text("[data-log-banner]")
        assert "未发送" in banner or "Not sent" in banner
        page.screenshot(path=str(ARTIFACTS / "events-form-phone-not-sent.png"), full_page=False, scale="css")
        page.unroute("**/gatherings/new/")
        page.locator("[data-log-banner] [data-action=resend]").click()
        page.wait_for_url(DETAIL_URL)
        assert Gathering.objects.count() == 1
    finally:
        context.close()


def test_what_was_typed_survives_a_network_failure_and_a_reload(browser, live_server, city, users):
    context, page = phone(browser, live_server, users.grid_worker)
    try:
        page.goto(f"{live_server.url}/gatherings/new/")
        fill_the_form(page)
        key = page.input_value("input[name=idempotency_key]")
        context.set_offline(True)
        page.locator("[data-submit]").click()
        page.wait_for_selector("[data-log-banner] [data-action=resend]")
        assert Gathering.objects.count() == 0
        context.set_offline(False)
        page.reload()
        page.wait_for_selector("[data-log-banner] [data-action=discard]")  # "restored what you typed"
        assert page.input_value("input[name=location_name]") == "东大街88号门前"
        assert page.input_value("input[name=estimated_attendance_max]") == "1000"
        assert page.input_value("input[name=idempotency_key]") == key  # the same form key
        page.locator("[data-submit]").click()
        page.wait_for_url(DETAIL_URL)
        assert Gathering.objects.count() == 1
        assert str(Gathering.objects.get().idempotency_key) == key
    finally:
        context.close()


def test_a_refused_location_and_a_refused_photo_are_said_plainly(browser, live_server, city, users, tmp_path):
    context, page = phone(browser, live_server, users.grid_worker, geolocation=False)
    try:
        page.goto(f"{live_server.url}/gatherings/new/")
        page.locator("[data-locate]").click()
        page.wait_for_selector("[data-locate-status][data-state=refused]")
        assert page.input_value("input[name=latitude]") == ""
        big = tmp_path / "现场.jpg"
        big.write_bytes(b"\xff\xd8\xff" + b"0" * (6 * 1024 * 1024))
        page.set_input_files("input[name=photos]", str(big))
        banner = page.inner_text("[data-log-banner]")
        assert "现场.jpg" in banner
        fill_the_form(page)
        page.locator("[data-submit]").click()
        assert page.url.endswith("/gatherings/new/")
        assert Gathering.objects.count() == 0
    finally:
        context.close()


def test_the_list_maps_current_gatherings_coloured_by_risk_without_tiles(browser, live_server, city, users, settings):
    import datetime as dt

    from django.utils import timezone

    from tests.events.conftest import a_working_afternoon, report

    settings.MAP_TILE_URL = ""
    now = timezone.now()
    report(
        users.grid_worker,
        grid=city.grid,
        title="红色",
        latitude="36.0968",
        longitude="114.3523",
        starts_at=now + dt.timedelta(hours=2),
        estimated_attendance_max=6000,
    )
    report(
        users.grid_worker,
        grid=city.grid,
        title="蓝色",
        latitude="36.0990",
        longitude="114.3560",
        # 14:00 on a working day: 'now + 2 days' fell within the night (19:00-06:00) when the suite ran after
        # about 17:00 Beijing time, and the night factor rightly raised it to yellow.
        starts_at=a_working_afternoon(days_ahead=2),
        estimated_attendance_max=50,
    )
    report(
        users.grid_worker,
        grid=city.grid,
        title="去年的",
        latitude="36.0990",
        longitude="114.3560",
        starts_at=now - dt.timedelta(days=300),
        estimated_attendance_max=50,
    )
    client = Client()
    client.force_login(users.township_officer)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    outside = []
    page.on(
        "request", lambda request: outside.append(request.url) if not request.url.startswith(live_server.url) else None
    )
    try:
        page.goto(f"{live_server.url}/gatherings/")
        page.wait_for_selector("[data-gatherings-map][data-map-ready=true]")
        assert page.get_attribute("[data-gatherings-map]", "data-map-dots") == "2"  # last year's is not current
        assert page.locator(".gathering-dot-red").count() == 1
        assert page.locator(".gathering-dot-blue").count() == 1
        assert page.eval_on_selector(".gathering-dot-red", "e => e.getAttribute('fill')") == "#c81e1e"
        assert page.locator("[data-gathering-table] tbody tr").count() == 3
        assert outside == []  # nothing from a CDN
        page.screenshot(path=str(ARTIFACTS / "events-list-desktop.png"), full_page=True, scale="css")
    finally:
        context.close()
