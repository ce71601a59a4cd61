"""The drill calendar, a plan and a drill record in a real headless Chromium, at phone and desktop sizes: the month
grid fits the screen (no sideways scrolling of the page), the agenda lists the month's drills, and the pages
render with their sections. Screenshots go to tests/artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from drills import services
from tests.browser.test_shell_browser import wait_until
from tests.drills.conftest import make_plan, photo_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def drilled(world):
    plan = make_plan(world)
    held = services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=timezone.localdate(),
        scenario="中庭踩踏险情",
        narrative="按预案疏散",
        evacuation_minutes="9",
        photos=[photo_upload()],
        items=[
            services.ItemSpec(
                description="修订预案：增加远端控制点位",
                owner=world.operator_org,
                due_date=timezone.localdate() + dt.timedelta(days=20),
                requires_plan_revision=True,
            )
        ],
    )
    planned = services.drill_schedule(
        plan=plan,
        actor=world.operator,
        scheduled_for=timezone.now() + dt.timedelta(hours=2),
        scenario="夜间大客流",
        departments=[world.fire],
    )
    return world, plan, held, planned


def open_page(browser, live_server, user, path, size):
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **size)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    return context, page


@pytest.mark.parametrize("size_name", ["phone", "desktop"])
def test_the_calendar_plan_and_drill_pages_fit_the_screen(browser, live_server, drilled, size_name):
    world, plan, held, planned = drilled
    size = PHONE if size_name == "phone" else DESKTOP
    pages = {
        "calendar": f"/drills/?month={planned.on_date:%Y-%m}",
        "plan": f"/drills/plans/{plan.pk}/",
        "drill": f"/drills/{held.pk}/",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in pages.items():
        context, page = open_page(browser, live_server, world.operator, path, size)
        try:
            # The page itself never scrolls sideways (wide tables scroll inside their own box).
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
            if name == "calendar":
                assert page.locator(f'[data-drill="{planned.pk}"]').count() == 1
                assert page.locator("[data-agenda] li").count() >= 1
            if name == "plan":
                assert page.locator('[data-section="measures"] tbody tr').count() == 1
            if name == "drill":
                photo = page.locator(".drill-photos img")
                photo.scroll_into_view_if_needed()  # loaded lazily, when it comes into view
                wait_until(page, "document.querySelector('.drill-photos img').naturalWidth > 0")
                assert page.locator('[data-section="items"] [data-item]').count() == 1
            page.screenshot(path=str(ARTIFACTS / f"drills-{name}-{size_name}.png"), full_page=True, scale="css")
        finally:
            context.close()
