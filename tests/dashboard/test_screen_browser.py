"""Acceptance (issue 17 point 5): the command-centre screen at 1920×1080 in headless Chromium, opened with its
screen token, has no scrollbars and draws its chart under the Content-Security-Policy. Screenshot:
tests/artifacts/dashboard-screen-1920.png."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.services import screen_token_create
from events.models import Gathering
from tests.events.conftest import report

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


def test_screen_fills_1920x1080_without_scrollbars(browser, live_server, city, users):
    for _ in range(3):
        red = report(users.grid_worker, grid=city.grid)
        Gathering.objects.filter(pk=red.pk).update(risk_level="red")
    _screen, token = screen_token_create(actor=users.admin, name="市指挥中心", jurisdiction=city.anyang)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/dashboard/screen/{token}/")
        page.wait_for_selector("[data-chart][data-drawn]", timeout=15_000)
        size = page.evaluate(
            """() => ({sh: document.documentElement.scrollHeight, sw: document.documentElement.scrollWidth,
                       ih: window.innerHeight, iw: window.innerWidth,
                       bh: document.body.scrollHeight, bw: document.body.scrollWidth})"""
        )
        assert size["sh"] <= size["ih"] and size["sw"] <= size["iw"], size
        assert size["bh"] <= size["ih"] and size["bw"] <= size["iw"], size
        assert page.locator("[data-figure=red-gatherings]").inner_text() == "3"
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard-screen-1920.png"))
    finally:
        context.close()
