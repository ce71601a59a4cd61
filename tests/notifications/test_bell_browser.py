"""Acceptance in a real headless Chromium: the bell's count changes without a reload after a reminder is sent.

Screenshots of the notification centre, the settings page and the delivery log go to tests/artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify, scan
from tests.browser.test_shell_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    open_page,
    sign_in,
    wait_until,
)
from tests.notifications.conftest import make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def bell_count(page) -> str:
    return page.eval_on_selector("#notification-bell .bell-count", "el => el.hidden ? '' : el.textContent.trim()")


def test_the_bell_counts_a_new_reminder_without_a_reload(browser, live_server, city, people, settings):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    settings.NOTIFICATIONS_REMINDER_TIME = "00:00"
    today = timezone.localdate()
    make_task(
        due=today + dt.timedelta(days=1), jurisdiction=city.street, department=city.wenfeng_police, person=people.staff
    )
    context, page, outside = open_page(browser, live_server, DESKTOP)
    sign_in(page, live_server, people.staff.username)
    page.wait_for_selector("#notification-bell .bell-count", state="attached")
    wait_until(page, "document.querySelector('#notification-bell .bell-count').dataset.unread === '0'")
    assert bell_count(page) == ""
    page.evaluate("window.__notReloaded = true")

    # The minute scan, as a worker runs it: the reminder of tomorrow's deadline is sent to the reviewer.
    scan(inline=True)
    assert Notification.objects.filter(recipient=people.staff).count() == 1

    wait_until(
        page, "document.querySelector('#notification-bell .bell-count').textContent.trim() === '1'", timeout=15_000
    )
    assert page.evaluate("window.__notReloaded") is True  # the same page: no reload happened
    assert bell_count(page) == "1"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notifications-bell-desktop.png"))

    # Open the centre, read the reminder: the count goes back to nothing.
    page.click("#notification-bell")
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert page.locator("[data-notification]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "notifications-centre-desktop.png"), full_page=True)
    page.click("[data-notification] button")
    wait_until(page, "document.querySelector('#notification-bell .bell-count').hidden === true")
    assert outside == []
    context.close()


def test_the_pages_on_a_phone(browser, live_server, city, people):
    notify(
        recipients=[city.wenfeng_police],
        title="红色预警：文峰塔广场人员聚集已超过核定容量",
        urgent=True,
        body="现场人数约1.2万人，已超过核定容量。请立即启动分流限流措施。",
    )
    notify(recipients=[people.head], title="本周人员密集场所安全检查安排", body="周三、周四开展联合检查。")
    context, page, outside = open_page(browser, live_server, PHONE)
    sign_in(page, live_server, people.head.username)
    wait_until(page, "document.querySelector('#notification-bell .bell-count').textContent.trim() === '2'")
    assert page.is_visible("#notification-bell")  # in the header bar on a phone too, outside the menu
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{live_server.url}/notifications/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.screenshot(path=str(ARTIFACTS / "notifications-centre-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/notifications/preferences/")
    page.screenshot(path=str(ARTIFACTS / "notifications-preferences-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/notifications/deliveries/")
    assert page.locator("[data-delivery]").count() > 0
    page.screenshot(path=str(ARTIFACTS / "notifications-deliveries-phone.png"), full_page=True)
    assert outside == []
    context.close()
