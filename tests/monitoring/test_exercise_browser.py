"""Issue 15 point 6 in a real headless Chromium at 390×844: the new-exercise page (upload a series, choose the zone,
participants and speed) and the exercise's page fit the phone's width, and the form works without any inline code
(the page runs under the project's CSP)."""

from __future__ import annotations

import pytest

from monitoring.exercise_models import Exercise
from tests.browser.test_shell_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE, open_page, sign_in
from tests.monitoring.conftest import make_zone

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


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the phone"


def test_a_new_exercise_on_the_phone(browser, live_server, city, users, tmp_path):
    zone = make_zone(city, users, area="200", kind="moving")
    series = tmp_path / "rise.csv"
    series.write_text("time,count\n0,200\n60,400\n120,800\n", encoding="utf-8")
    context, page, outside = open_page(browser, live_server, PHONE)
    sign_in(page, live_server, users.township_officer.username)
    page.goto(f"{live_server.url}/monitoring/exercises/new/")
    _fits(page)
    page.select_option("select[name=zone]", str(zone.pk))
    page.set_input_files("input[name=series_file]", str(series))
    page.select_option("select[name=speed]", "60")
    page.check(f"input[name=participants][value='{users.township_officer.pk}']")
    page.click("form.mon-exercise-form button[type=submit]")
    page.wait_for_selector("#mon-exercise-progress")
    exercise = Exercise.objects.get()
    assert exercise.speed == 60 and exercise.original == zone and len(exercise.series) == 3
    assert "演练" in page.inner_text("h1")
    _fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "monitoring-exercise-phone.png"), full_page=True)
    assert outside == []
    context.close()
