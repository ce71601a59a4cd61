"""The alerts pages on a phone (390 px) in a real headless Chromium, in Chinese: the acknowledgment page opened
from the SMS link (no sign-in) before and after the tap, "what reached me" and the alert's page. Each fits the
width and shows no stored value (a state, a party, a channel) where a Chinese label belongs. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from alerts.models import Alert, AlertTarget
from notifications.models import Delivery
from notifications.services import deliveries_send
from tests.alerts.conftest import report
from tests.browser.test_shell_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Stored values of the alerts and notifications tables that must never reach a page as such.
INTERNAL = re.compile(
    r"\b(orange|red|township|police_on_duty|venue_operator|organizer|territory_leader|emergency|escalation|"
    r"in_app|sms|email|wecom|dingtalk|pending|claimed|delivered|logged|failed|skipped|app|link|alert|"
    r"reminder_\w+|escalation_\w+|notice|None)\b"
)


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def check(page, name: str) -> str:
    """The page fits 390 px, shows no stored value, and is kept as a screenshot; returns its visible text."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the phone"
    text = page.inner_text("main")
    leaked = sorted(set(INTERNAL.findall(text)))
    assert not leaked, f"{name} shows stored values {leaked}: {text}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"alerts-{name}-phone.png"), full_page=True)
    return text


def test_the_acknowledgment_page_and_what_reached_me_on_a_phone(browser, live_server, city, users, alerted, chinese):
    gathering = report(users.grid_worker, venue=alerted.square, estimated_attendance_max=3000)
    alert = Alert.objects.get(subject_id=gathering.pk, level="red")
    # The deliveries a worker sends after the commit (the file and console backends: "logged").
    deliveries_send(delivery_ids=list(Delivery.objects.values_list("pk", flat=True)), token=None)
    duty = AlertTarget.objects.get(alert=alert, user=alerted.on_duty)

    context, page, outside = open_page(browser, live_server, PHONE)
    page.goto(f"{live_server.url}/alerts/a/{duty.token}/")  # from the SMS, not signed in
    page.wait_for_selector("[data-ack-button]")
    text = check(page, "ack")
    assert alert.title in text
    page.click("[data-ack-button]")
    page.wait_for_selector("[data-acknowledged]")
    check(page, "ack-done")
    duty.refresh_from_db()
    assert duty.acknowledged_via == "link"

    sign_in(page, live_server, alerted.on_duty.username)
    page.goto(f"{live_server.url}/alerts/reached/")
    page.wait_for_selector("[data-reached]")
    text = check(page, "reached")
    assert alert.title in text and "短信" in text

    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    check(page, "detail")
    assert outside == []
    context.close()
