"""The deadline calculator in a real headless Chromium: the live preview (htmx) and the plain form without
JavaScript. Screenshots go to tests/artifacts/ (git-ignored) for a human to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdsafe.workdays.services import calendar_sync_from_library
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def calendar(db):
    # Transactional tests empty the tables when they end, so an earlier one may have removed the seeded rows.
    calendar_sync_from_library(actor=None)


def signed_in_page(browser, live_server, username: str, **options):
    context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai", **options)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_load_state()
    return context, page, outside


def test_the_result_previews_live_as_the_form_changes(browser, live_server, users, calendar):
    context, page, outside = signed_in_page(browser, live_server, users.staff.username)
    page.goto(f"{live_server.url}/calendar/?month=2026-10")
    page.fill("input[name=start]", "2026-09-30")
    page.fill("input[name=n]", "7")
    page.check("input[name=unit][value=working]")
    result = page.locator("#deadline-result")
    result.locator("time[datetime='2026-10-15']").wait_for()
    assert "7 working days from 2026-09-30: due 2026-10-15." in result.inner_text()
    assert page.url == f"{live_server.url}/calendar/?month=2026-10"  # no page load: htmx swapped the result

    page.check("input[name=unit][value=calendar]")
    result.locator("time[datetime='2026-10-08']").wait_for()
    assert "runs to 2026-10-08" in result.inner_text()

    assert page.locator("td.cal-day-holiday", has_text="国庆节").count() == 7
    assert page.locator("td.cal-day-adjusted_working").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workdays-calculator.png"), full_page=True)
    assert outside == []
    context.close()


def test_the_form_works_without_javascript(browser, live_server, users, calendar):
    context, page, _ = signed_in_page(browser, live_server, users.staff.username, java_script_enabled=False)
    page.goto(f"{live_server.url}/calendar/")
    page.fill("input[name=start]", "2027-09-30")
    page.fill("input[name=n]", "7")
    page.check("input[name=unit][value=working]")
    page.click("form.deadline-form button[type=submit]")
    page.wait_for_load_state()
    assert "start=2027-09-30" in page.url
    text = page.locator("#deadline-result").inner_text()
    # 2027's schedule is not entered: 1-3 October are provisional days off of the national rules (issue 20
    # point 4), so the seventh working day is Tuesday the 12th, and the result says which days it assumed.
    assert "due 2027-10-12" in text
    assert "The 2027 holiday schedule has not been entered yet" in text
    assert "2027-10-01 – 2027-10-03 国庆节" in text
    assert page.locator("td.is-due time[datetime='2027-10-12']").count() == 1
    context.close()
