"""The venue map in a real headless Chromium: Leaflet (vendored) shows the marker whether or not map tiles
can be reached (DESIGN.md section 7: no internet at run time; tiles from a configurable URL).

Screenshots go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import io
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from PIL import Image

from tests.venues.conftest import add_square_zone_and_exits, make_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Port 9 (discard) on the loopback: nothing listens there, so every tile request is refused at once.
UNREACHABLE_TILES = "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tile_server():
    """A real tile server on 127.0.0.1 that answers every tile with a pale green 256 × 256 PNG."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (214, 236, 214)).save(buffer, format="PNG")
    tile = buffer.getvalue()
    served = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(tile)))
            self.end_headers()
            self.wfile.write(tile)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png", served
    server.shutdown()
    server.server_close()


@pytest.fixture
def venue_page(city, users, operator):
    venue = make_venue(
        city.grid,
        name="安阳人民广场",
        operator=operator.organisation,
        latitude=Decimal("36.097600"),
        longitude=Decimal("114.392300"),
        declared_capacity=6000,
    )
    add_square_zone_and_exits(venue)
    return venue, users.township_officer


def open_venue(browser, live_server, venue, user, *, viewport=None):
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport or {"width": 1280, "height": 900}
    )
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{live_server.url}/venues/{venue.pk}/")
    page.wait_for_selector("[data-venue-map][data-map-ready=true]")
    return context, page, requests


def assert_marker_on_the_map(page):
    marker = page.locator("#venue-map .leaflet-marker-icon")
    marker.wait_for(state="visible")
    assert page.evaluate("document.querySelector('#venue-map .leaflet-marker-icon').naturalWidth") > 0
    box, map_box = marker.bounding_box(), page.locator("#venue-map").bounding_box()
    assert map_box["width"] > 200 and map_box["height"] > 200
    centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"]
    # The marker's tip sits at the centre of the map (the map is centred on the venue).
    assert abs(centre_x - (map_box["x"] + map_box["width"] / 2)) < 3
    assert abs(centre_y - (map_box["y"] + map_box["height"] / 2)) < 3


def test_without_a_tile_url_the_map_shows_a_plain_background_and_the_marker(browser, live_server, venue_page, settings):
    settings.MAP_TILE_URL = ""
    venue, user = venue_page
    context, page, requests = open_venue(browser, live_server, venue, user)
    try:
        assert_marker_on_the_map(page)
        assert page.locator("#venue-map.venue-map--no-tiles").count() == 1
        assert page.locator("#venue-map .venue-map-note").is_visible()
        assert page.locator("#venue-map .leaflet-tile").count() == 0
        assert [url for url in requests if not url.startswith(live_server.url)] == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "venue-map-no-tile-url.png"), full_page=True)
    finally:
        context.close()


def test_with_unreachable_tiles_the_map_and_the_marker_still_show(browser, live_server, venue_page, settings):
    settings.MAP_TILE_URL = UNREACHABLE_TILES
    venue, user = venue_page
    context, page, requests = open_venue(browser, live_server, venue, user, viewport={"width": 390, "height": 844})
    try:
        page.wait_for_selector("#venue-map.venue-map--no-tiles")
        assert_marker_on_the_map(page)
        assert page.locator("#venue-map .venue-map-note").is_visible()
        assert page.locator("#venue-map .leaflet-tile-loaded").count() == 0
        assert any(url.startswith("http://127.0.0.1:9/tiles/") for url in requests)
        page.locator("#venue-map").screenshot(path=str(ARTIFACTS / "venue-map-unreachable-tiles.png"))
        page.screenshot(path=str(ARTIFACTS / "venue-page-phone.png"), full_page=True)
    finally:
        context.close()


def test_with_a_reachable_tile_server_the_tiles_show_under_the_marker(
    browser, live_server, venue_page, settings, tile_server
):
    url, served = tile_server
    settings.MAP_TILE_URL = url
    venue, user = venue_page
    context, page, _requests = open_venue(browser, live_server, venue, user)
    try:
        page.wait_for_selector("#venue-map .leaflet-tile-loaded")
        assert_marker_on_the_map(page)
        assert page.locator("#venue-map.venue-map--no-tiles").count() == 0
        assert not page.locator("#venue-map .venue-map-note").is_visible()
        assert any(path.startswith("/16/") for path in served)
        page.screenshot(path=str(ARTIFACTS / "venue-map-local-tiles.png"), full_page=True)
    finally:
        context.close()


def test_an_import_with_a_bad_row_is_shown_and_the_valid_rows_can_then_be_imported(
    browser, live_server, city, users, operator, tmp_path
):
    from tests.venues.conftest import sheet_bytes
    from venues.models import Venue

    rows = [
        [
            "东大街广场",
            "广场",
            city.grid.code,
            "东大街1号",
            36.0976,
            114.3923,
            operator.organisation.credit_code,
            "张安全",
            "13800000000",
            5000,
        ],
        ["东大街体育馆", "体育场馆X", city.grid.code, "东大街2号", None, None, None, None, None, None],
        ["东大街公园", "公园", city.community.code, "东大街3号", None, None, None, None, None, 800],
    ]
    path = tmp_path / "场所名录.xlsx"
    path.write_bytes(sheet_bytes(rows))
    client = Client()
    client.force_login(users.township_officer)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/venues/import/")
        page.set_input_files("input[name=file]", str(path))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("[data-import-status=rejected]")
        errors = page.locator("[data-import-errors] tbody tr")
        assert errors.count() == 1
        assert errors.first.locator("td").nth(0).inner_text() == "3"
        assert errors.first.locator("td").nth(1).inner_text() == "场所类型"
        assert Venue.objects.count() == 0
        page.screenshot(path=str(ARTIFACTS / "venue-import-rejected.png"), full_page=True)

        page.click(".venues-accept button")
        page.wait_for_selector("[data-import-status=done]")
        assert page.locator("[data-imported-rows]").inner_text() == "2"
        assert set(Venue.objects.values_list("name", flat=True)) == {"东大街广场", "东大街公园"}

        page.goto(f"{live_server.url}/venues/")
        assert page.locator("[data-venue-table] tbody tr").count() == 2
        page.screenshot(path=str(ARTIFACTS / "venue-list.png"), full_page=True)
    finally:
        context.close()
