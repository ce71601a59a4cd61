"""The 督办 and reminder gaps table (issue 17 point 1) and the briefing button on the matrix page, and the list behind
a figure, as a leader sees them in headless Chromium at 1280 px and 390 px: Chinese labels, no internal codes, no
sideways scrolling on the phone; a figure's link opens its list. Screenshots: tests/artifacts/dashboard-supervision-
{1280,390}.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def _context(browser, live_server, user, width):
    height = 844 if width < 600 else 900
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context


@pytest.mark.parametrize("width", [1280, 390])
def test_the_table_and_its_lists_as_a_leader_sees_them(browser, live_server, city, users, escalations, width):
    context = _context(browser, live_server, users.admin, width)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dashboard/?root={city.anyang.code}")
        block = page.locator("[data-block=supervision]")
        block.scroll_into_view_if_needed()
        text = block.inner_text()
        assert "督办与提醒缺口（按部门）" in text and "公安" in text
        for code in ("public_security", "~territorial", "escalate_head", "sent"):
            assert code not in text
        police = page.locator("[data-table=supervision] tr[data-column-key=public_security]")
        assert police.locator("[data-figure=sent]").inner_text() == "3"
        assert police.locator("[data-figure=acknowledged]").inner_text() == "1"
        assert police.locator("[data-figure=gaps]").inner_text() == "1"
        assert page.locator("[data-action=briefing]").is_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
        ARTIFACTS.mkdir(exist_ok=True)
        block.screenshot(path=str(ARTIFACTS / f"dashboard-supervision-{width}.png"))
        police.locator("[data-figure=unacknowledged]").click()
        page.wait_for_selector("[data-list=escalations]")
        assert page.locator("[data-list=escalations] tbody tr").count() == 2
        assert "未阅的督办" in page.locator("h1").inner_text()
        page.screenshot(path=str(ARTIFACTS / f"dashboard-supervision-list-{width}.png"), full_page=True)
    finally:
        context.close()
