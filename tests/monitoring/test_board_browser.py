"""Issue 15 point 5 in a real headless Chromium: the board updates itself (htmx polling, no reload) after a reading
arrives, the map recolours the zone, and the phone view at 390×844 fits the width; the clicker keeps its counts on
the phone while the network is down and sends them when it is back. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import Reading
from monitoring.services import readings_ingest
from tests.browser.test_shell_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, open_page, sign_in
from tests.monitoring.conftest import feed, make_zone

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.monitoring.board_urls"),
]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def polygon(lat: float, lng: float) -> dict:
    d = 0.0002
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]],
    }


def test_the_board_updates_itself_after_a_reading_arrives(browser, live_server, city, users):
    zone = make_zone(city, users, area="200", polygon=polygon(36.1, 114.35))
    source, _token = feed(zone, users)
    context, page, outside = open_page(browser, live_server, DESKTOP)
    sign_in(page, live_server, users.township_officer.username)
    page.goto(f"{live_server.url}/monitoring/")
    tile = f'[data-zone-tile="{zone.pk}"]'
    page.wait_for_selector(f'{tile}[data-level="blue"]')
    page.wait_for_selector("[data-mon-map][data-map-ready=true]")
    page.evaluate("window.__sameDocument = true")
    # The area comes from the polygon (geodesic, about 400 m²): 5 persons per m² is red for a standing crowd.
    count = round(float(zone.area_m2) * 5)
    readings_ingest(source=source, rows=[{"zone": zone.pk, "observed_at": timezone.now().isoformat(), "count": count}])
    page.wait_for_selector(f'{tile}[data-level="red"]', timeout=12_000)  # polled every 5 s
    assert page.evaluate("window.__sameDocument") is True  # no reload
    page.wait_for_selector(f'path[data-zone="{zone.pk}"][data-level="red"]', timeout=5_000)  # the map follows
    assert "5.0" in page.inner_text(tile)
    assert outside == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitoring-board-desktop.png"), full_page=True)
    context.close()


def test_the_phone_view_fits_390px_and_the_clicker_sends_what_it_kept_offline(browser, live_server, city, users):
    zone = make_zone(city, users, area="200")
    context, page, outside = open_page(browser, live_server, PHONE)
    sign_in(page, live_server, users.grid_worker.username)
    page.goto(f"{live_server.url}/monitoring/field/")
    page.wait_for_selector(f'[data-zone-tile="{zone.pk}"]')
    page.click(f'[data-zone-tile="{zone.pk}"] a')
    page.wait_for_selector("[data-counter][data-ready=true]")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the phone"
    plus = page.locator(".mon-big-btn.plus").bounding_box()
    assert plus["height"] >= 88 and plus["width"] >= 150
    context.set_offline(True)
    for _ in range(3):
        page.tap(".mon-big-btn.plus")
    page.wait_for_selector("[data-counter][data-status=offline]", timeout=8_000)
    assert page.evaluate(f"JSON.parse(localStorage.getItem('crowdsafe.counter.v1:{zone.pk}')).queue.length") == 1
    assert not Reading.objects.filter(zone=zone).exists()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitoring-clicker-phone-offline.png"), full_page=True)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("[data-counter][data-status=ok]", timeout=8_000)
    reading = Reading.objects.get(zone=zone)
    assert reading.count == 3 and reading.observed_at <= timezone.now() + dt.timedelta(seconds=5)
    page.screenshot(path=str(ARTIFACTS / "monitoring-clicker-phone.png"), full_page=True)
    assert outside == []
    context.close()


def test_the_board_fits_390px_and_its_next_page_shows_the_next_zones(browser, live_server, city, users, monkeypatch):
    """The board on a phone: the counts, the page links and the tiles fit the width; the next page's tiles are the
    next zones (worst first), and that page keeps polling its own tiles."""
    monkeypatch.setattr("monitoring.views_board.PAGE_TILES", 1)
    red = make_zone(city, users, area="200")
    quiet = make_zone(city, users, area="500")
    source, _token = feed(red, users)
    readings_ingest(source=source, rows=[{"zone": red.pk, "observed_at": timezone.now().isoformat(), "count": 1000}])
    context, page, outside = open_page(browser, live_server, PHONE)
    sign_in(page, live_server, users.township_officer.username)
    page.goto(f"{live_server.url}/monitoring/")
    page.wait_for_selector(f'[data-zone-tile="{red.pk}"][data-level="red"]')
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the phone"
    page.click('[data-board-page="next"]')
    page.wait_for_selector(f'[data-zone-tile="{quiet.pk}"]')
    assert page.locator("[data-zone-tile]").count() == 1
    assert "page=2" in (page.get_attribute("#mon-board", "hx-get") or "")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitoring-board-phone-page-2.png"), full_page=True)
    assert outside == []
    context.close()
