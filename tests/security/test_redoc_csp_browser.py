"""ReDoc (/api/redoc/) under the Content-Security-Policy in headless Chromium (issue 18 point 6): the page draws
the operations and the console reports no refusal. Its page alone gets the narrowest additions it needs (django-csp
4.0's ``csp_update`` on that view, crowdsafe/urls.py); every other page keeps the site's policy."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.test_csp_browser import CHROMIUM, CHROMIUM_ARGS, signed_in_page, violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def test_redoc_draws_the_operations_with_no_csp_violation(browser, live_server, users):
    context, page, console = signed_in_page(browser, live_server, users.staff)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url) or r.url.startswith("data:") else outside.append(r.url),
    )
    response = page.goto(f"{live_server.url}/api/redoc/")
    assert response is not None and response.status == 200
    page.wait_for_selector("[data-section-id^='operation/'], .api-content h2", timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    found = violations(console)
    context.close()
    assert found == [], "\n".join(found)
    assert outside == []  # nothing from the internet, not even the vendor's logo


def test_only_the_redoc_page_gets_the_additions(users):
    client = Client()
    client.force_login(users.staff)
    redoc = client.get("/api/redoc/")["Content-Security-Policy"]
    swagger = client.get("/api/docs/")["Content-Security-Policy"]
    home = client.get("/")["Content-Security-Policy"]
    assert swagger == home or "unsafe-hashes" not in swagger
    assert "unsafe-hashes" in redoc and "unsafe-hashes" not in home
    assert "'unsafe-inline'" not in redoc
    img = next(d for d in redoc.split(";") if d.strip().startswith("img-src"))
    assert img.split() == ["img-src", "'self'", "data:"]
    assert "cdn.redoc.ly" not in redoc + home + swagger


def test_the_redoc_bundle_is_served_without_the_vendors_cdn_logo(users):
    client = Client()
    client.force_login(users.staff)
    page = client.get("/api/redoc/").content.decode()
    assert 'src="/api/redoc-dist/bundles/redoc.standalone.js"' in page
    bundle = client.get("/api/redoc-dist/bundles/redoc.standalone.js")
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("text/javascript")
    body = bundle.content
    assert b"cdn.redoc.ly" not in body and b"data:image/svg+xml" in body
    assert len(body) > 500_000  # the whole bundle, not a stub
