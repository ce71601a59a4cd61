"""Acceptance (issue 17 point 3): the maps work with no internet. In headless Chromium with every request that is
not to the test server aborted, the leaders' risk map and the command-centre screen (1920×1080, no scrollbars)
draw the jurisdictions' boundaries as their base layer, labelled 示意边界 when approximate, and the red and orange
gatherings on the risk map are exactly the attention list. Screenshots: tests/artifacts/map-*.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client

from crowdsafe.org.demo_boundaries import polygon
from crowdsafe.org.services import jurisdiction_set_boundary
from dashboard.services import screen_token_create
from events.models import Gathering
from events.selectors import attention_list
from tests.browser.test_shell_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, wait_until
from tests.events.conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREEN = {"width": 1920, "height": 1080}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def mapped(city, users, settings):
    """Approximate boundaries for 文峰区 and its two streets, 北关区, and gatherings at four levels (one red one with
    no position, placed at its street's centre); a tile server that cannot be reached."""
    settings.MAP_TILE_URL = "https://tiles.example.invalid/{z}/{x}/{y}.png"
    boxes = {
        city.wenfeng: (114.33, 36.00, 114.45, 36.12),
        city.street: (114.33, 36.06, 114.39, 36.12),
        city.street2: (114.39, 36.06, 114.45, 36.12),
        city.beiguan: (114.20, 36.12, 114.45, 36.22),
    }
    for jurisdiction, box in boxes.items():
        jurisdiction_set_boundary(jurisdiction=jurisdiction, geometry=polygon(box), approximate=True, actor=None)
    positions = [("36.0976", "114.3523"), ("36.0841", "114.3607"), ("36.0990", "114.3550"), ("36.0900", "114.3700")]
    for (lat, lng), level in zip(positions, ["red", "red", "orange", "blue"], strict=True):
        gathering = report(users.grid_worker, grid=city.grid, latitude=lat, longitude=lng)
        Gathering.objects.filter(pk=gathering.pk).update(risk_level=level)
    nowhere = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=nowhere.pk).update(risk_level="red")
    return users


def offline_context(browser, live_server, *, viewport, user=None):
    """A browser context for which the internet does not exist: every request to another host is aborted."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
    host = urlsplit(live_server.url).hostname
    blocked: list[str] = []

    def route(r):
        if urlsplit(r.request.url).hostname in (host, "localhost", "127.0.0.1"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context, blocked


def aborted(message: str) -> bool:
    """The console's note of a request the test aborted (the unreachable tiles, checked in ``blocked``)."""
    return "net::ERR_FAILED" in message or "tiles.example" in message


def boundary_paths(page, map_id: str) -> int:
    return page.locator(f"#{map_id} path.cs-boundary").count()


def test_the_risk_map_draws_the_boundaries_offline_and_the_attention_list(browser, live_server, mapped, city):
    ARTIFACTS.mkdir(exist_ok=True)
    from tests.monitoring.conftest import make_zone

    ring = [[114.36, 36.1], [114.361, 36.1], [114.361, 36.101], [114.36, 36.101], [114.36, 36.1]]
    zone = make_zone(city, mapped, area="200", polygon={"type": "Polygon", "coordinates": [ring]})
    context, blocked = offline_context(browser, live_server, viewport=DESKTOP, user=mapped.leader)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not aborted(m.text) else None)
    try:
        page.goto(f"{live_server.url}/dashboard/risk/")
        page.wait_for_selector(f'#dash-map path[data-zone="{zone.pk}"][data-level=blue]')  # from the board's shapes
        page.wait_for_selector("#dash-map[data-map-ready=true][data-boundaries]")
        # 文峰区 and its two streets: 北关区 is outside the leader's territory.
        assert page.get_attribute("#dash-map", "data-boundaries") == "3"
        assert boundary_paths(page, "dash-map") == 3
        # The innermost level is labelled, with 示意边界 for an approximate boundary.
        labels = page.locator("#dash-map .cs-boundary-label").all_inner_texts()
        assert "东大街街道（示意边界）" in labels
        # No tiles could load: the boundaries are the base, without the grey grid.
        assert page.locator("#dash-map.cs-map--no-tiles.cs-map--boundaries").count() == 1
        assert page.locator("#dash-map .leaflet-tile-loaded").count() == 0
        wait_until(page, "document.querySelectorAll('#dash-map path[data-layer=gatherings]').length === 5")
        red = page.locator("#dash-map path[data-layer=gatherings][data-level=red]").count()
        orange = page.locator("#dash-map path[data-layer=gatherings][data-level=orange]").count()
        assert red == 3 and orange == 1
        assert red + orange == attention_list(user=mapped.leader).count()
        assert page.locator("[data-figure=red-gatherings]").inner_text() == "3"
        # The layer control names the layers in Chinese.
        control = page.locator("#dash-map .leaflet-control-layers").inner_text()
        assert "行政区划边界" in control and "聚集活动" in control and "热力" in control
        # The heat map, when switched on, draws on a canvas from the vendored plugin.
        page.locator("#dash-map .leaflet-control-layers label", has_text="热力").locator("input").check()
        wait_until(page, "!!document.querySelector('#dash-map canvas.leaflet-heatmap-layer')")
        page.screenshot(path=str(ARTIFACTS / "map-dashboard-risk-1280.png"), full_page=True)
        assert not errors, errors
        assert all("tiles.example.invalid" in url for url in blocked), blocked
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}/dashboard/risk/")
        page.wait_for_selector("#dash-map[data-map-ready=true][data-boundaries]")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.screenshot(path=str(ARTIFACTS / "map-dashboard-risk-390.png"), full_page=True)
    finally:
        context.close()


def test_the_screen_at_1920_shows_the_boundaries_offline_without_scrollbars(browser, live_server, mapped, city):
    ARTIFACTS.mkdir(exist_ok=True)
    _screen, token = screen_token_create(actor=mapped.leader, name="文峰区指挥中心", jurisdiction=city.wenfeng)
    context, blocked = offline_context(browser, live_server, viewport=SCREEN)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not aborted(m.text) else None)
    try:
        page.goto(f"{live_server.url}/dashboard/screen/{token}/")
        page.wait_for_selector("#scr-map[data-map-ready=true][data-boundaries]", timeout=15_000)
        page.wait_for_selector("[data-chart][data-drawn]", timeout=15_000)
        # The wall sees 文峰区 and its streets, not 北关区 (outside the token's territory).
        red_dots = "document.querySelectorAll('#scr-map path[data-layer=gatherings][data-level=red]').length"
        assert page.get_attribute("#scr-map", "data-boundaries") == "3"
        assert boundary_paths(page, "scr-map") == 3
        wait_until(page, f"{red_dots} === 3")
        size = page.evaluate(
            """() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
                       ih: window.innerHeight, iw: window.innerWidth,
                       bh: document.body.scrollHeight, bw: document.body.scrollWidth})"""
        )
        assert size["sh"] <= size["ih"] and size["sw"] <= size["iw"], size
        assert size["bh"] <= size["ih"] and size["bw"] <= size["iw"], size
        box = page.locator("#scr-map").bounding_box()
        assert box["width"] > 700 and box["height"] > 300
        # The fragment's refresh keeps the map (hx-preserve) and redraws its dots from the new data.
        page.evaluate("htmx.ajax('GET', document.getElementById('scr-body').getAttribute('hx-get'), '#scr-body')")
        wait_until(page, "document.querySelectorAll('#scr-map path.cs-boundary').length === 3")
        assert page.locator("#scr-map[data-map-ready=true]").count() == 1
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "map-screen-1920.png"))
        assert not errors, errors
        assert all("tiles.example.invalid" in url for url in blocked), blocked
    finally:
        context.close()


def test_every_map_page_draws_the_boundaries_offline(browser, live_server, mapped, city):
    """The pages that had their own script: the same script now, the boundaries under their markers, at a desk and
    on a phone, with no internet."""
    from tests.monitoring.conftest import make_zone
    from tests.venues.conftest import make_venue

    venue = make_venue(city.grid, name="文峰塔广场", latitude="36.0968", longitude="114.3523")
    gathering = Gathering.objects.filter(latitude__isnull=False).first()
    d = 0.001
    ring = [[114.355, 36.09], [114.355 + d, 36.09], [114.355 + d, 36.09 + d], [114.355, 36.09 + d], [114.355, 36.09]]
    make_zone(city, mapped, area="200", polygon={"type": "Polygon", "coordinates": [ring]})
    pages = [
        ("/gatherings/", "gatherings-map", "gatherings"),
        (f"/gatherings/{gathering.pk}/", "venue-map", "gathering"),
        (f"/venues/{venue.pk}/", "venue-map", "venue"),
        ("/risk/map/", "risk-map", "risk-register"),
        ("/monitoring/", "mon-map", "monitoring-board"),
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    for viewport, width in ((DESKTOP, 1280), (PHONE, 390)):
        context, blocked = offline_context(browser, live_server, viewport=viewport, user=mapped.leader)
        page = context.new_page()
        errors: list[str] = []
        page.on(
            "console",
            lambda m, errors=errors: errors.append(m.text) if m.type == "error" and not aborted(m.text) else None,
        )
        try:
            for url, map_id, name in pages:
                page.goto(f"{live_server.url}{url}")
                page.wait_for_selector(f"#{map_id}[data-map-ready=true][data-boundaries]")
                assert boundary_paths(page, map_id) == 3, url
                assert page.locator(f"#{map_id}.cs-map--no-tiles.cs-map--boundaries").count() == 1, url
                if map_id == "mon-map":
                    page.wait_for_selector("#mon-map path[data-zone]")
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (url, width, overflow)
                page.locator(f"#{map_id}").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / f"map-{name}-{width}.png"), full_page=True)
            assert not errors, errors
            assert all("tiles.example.invalid" in u for u in blocked), blocked
        finally:
            context.close()


def test_with_gcj02_tiles_the_markers_and_boundaries_are_shifted(browser, live_server, mapped, settings):
    """AMap's tiles are GCJ-02: every WGS-84 position goes through the script's conversion before it is drawn."""
    settings.MAP_TILE_CRS = "gcj02"
    context, _blocked = offline_context(browser, live_server, viewport=DESKTOP, user=mapped.leader)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/gatherings/")
        page.wait_for_selector("#gatherings-map[data-map-ready=true][data-boundaries]")
        drawn = page.evaluate(
            """(() => {
                const map = window.CrowdSafeMap.maps[0];
                const data = JSON.parse(document.getElementById('gatherings-map-data').textContent);
                const p = data.find(d => d.lat === 36.0976);
                const expected = window.CrowdSafeMap.wgs84ToGcj02(p.lat, p.lng);
                const gap = l => Math.abs(l.getLatLng().lat - expected[0]) + Math.abs(l.getLatLng().lng - expected[1]);
                const nearest = Math.min(...map.layers.gatherings.getLayers().map(gap));
                const box = map.layers.boundaries.getLayers()[0].getLatLngs()[0][0];
                return {nearest: nearest, expected: expected, corner: [box.lat, box.lng]};
            })()"""
        )
        assert drawn["nearest"] < 1e-9  # a dot drawn exactly at the shifted position
        # About 0.00013° north and 0.0060° east here (≈ 14 m and 540 m): the shift is there, not a rounding.
        assert 0.0001 < drawn["expected"][0] - 36.0976 < 0.0002 and 0.005 < drawn["expected"][1] - 114.3523 < 0.007
        assert 0.005 < drawn["corner"][1] - 114.33 < 0.007  # 文峰区's south-west corner (36.00, 114.33), shifted too
    finally:
        context.close()
