"""The venue picker of the permit portal in headless Chromium (issue 18 point 4): typing part of a name lists the
applicant's venues under the field, the keyboard or a click picks one, the form sends its id and the draft has
that venue; the list fits a phone. Screenshots at 1280 and 390 px go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from permits.models import PermitApplication
from tests.browser.test_shell_browser import wait_until
from tests.permits.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE, Session
from tests.permits.test_venue_picker import _many_venues

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.mark.parametrize(("options", "name"), [(DESKTOP, "1280"), (PHONE, "390")])
def test_the_organizer_searches_and_picks_the_venue(browser, live_server, permit_city, stadium, options, name):
    ARTIFACTS.mkdir(exist_ok=True)
    _many_venues(permit_city.city, 300)
    session = Session(browser, live_server, permit_city.users.organizer, options)
    page = session.go("/permits/new/")
    assert page.locator("select[name=venue]").count() == 0
    page.fill("input[name=event_name]", "新春灯会")
    page.fill("#id_venue", "测试场所0029")
    page.wait_for_selector("[role=option]")
    assert page.locator("[role=option]").count() == 10  # 测试场所00290 … 00299
    page.screenshot(path=str(ARTIFACTS / f"permit-venue-picker-{name}.png"), full_page=False)
    wait_until(page, "document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("#id_venue", "")
    page.type("#id_venue", "体育中心")
    page.wait_for_selector(f"[role=option][data-code='{stadium.venue.pk}']")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("input[type=hidden][name=venue]") == str(stadium.venue.pk)
    assert page.input_value("#id_venue") == "文峰体育中心体育场（东大街社区第一网格）"
    page.click("form.permits-form button[type=submit]")
    page.wait_for_url("**/edit/")
    assert PermitApplication.objects.get().venue == stadium.venue
    # The portal form shows the chosen venue by name, and changing it searches again.
    assert page.input_value("#id_venue") == "文峰体育中心体育场（东大街社区第一网格）"
    session.close()
