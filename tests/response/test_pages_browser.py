"""The incident page in a real headless Chromium, in Chinese, on a phone (390×844) and a desktop: the commander
sees the common picture and their buttons, logs an entry from the page, and the page fits the width and shows no
stored value where a Chinese label belongs. The public report page on a phone fills the location from the
phone's geolocation (a static script; the CSP forbids inline code) and lands on the ticket's status."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from response import services
from response.models import LogEntry, PublicReport
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INTERNAL = re.compile(
    r"\b(open|closed|pending|done|cancelled|requested|dispatched|on_scene|released|accepted|returned|monitoring|"
    r"manual|public_report|police|fire|medical|urban|volunteers|red|orange|grid|township|county|None)\b"
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
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: {overflow}px wider than the page"
    text = page.inner_text("main")
    leaked = sorted(set(INTERNAL.findall(text)))
    assert not leaked, f"{name} shows stored values {leaked}: {text}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"response-{name}.png"), full_page=True)
    return text


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_incident_page_on_a_phone_and_a_desktop(browser, live_server, response_city, chinese, device):
    rc = response_city
    incident = services.incident_open_from_monitoring(alert=rc.monitoring_alert, actor=rc.officer)
    services.plan_activate(incident=incident, plan=rc.plan, actor=rc.officer, reason="红色预警")
    services.force_request(incident=incident, actor=rc.officer, kind="police", requested_count=20)
    context, page, _outside = open_page(browser, live_server, PHONE if device == "phone" else DESKTOP)
    sign_in(page, live_server, rc.officer.username)
    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    page.wait_for_selector("[data-commander-actions]")
    text = check(page, f"incident-{device}")
    assert incident.title in text and "启动预案" in text and "0/20" in text
    page.fill("[data-log-form] textarea[name=text]", "东门已实施远端控制")
    page.click("[data-log-form] button[type=submit]")
    page.wait_for_selector("[data-log-entry]")
    assert LogEntry.objects.filter(incident=incident, text="东门已实施远端控制").exists()
    page.goto(f"{live_server.url}/incidents/{incident.pk}/do/level/")
    check(page, f"level-{device}")
    context.close()


def test_the_public_report_page_uses_the_phones_location(browser, live_server, response_city, chinese):
    context, page, _outside = open_page(browser, live_server, PHONE)
    context.grant_permissions(["geolocation"], origin=live_server.url)
    context.set_geolocation({"latitude": 36.0987, "longitude": 114.3512})
    page.goto(f"{live_server.url}/incidents/public/report/")
    page.wait_for_selector("[data-locate]:not([hidden])")
    check(page, "public-report")
    page.fill("input[name=place_text]", "文峰塔广场南侧")
    page.click("[data-locate]")
    wait_until(page, "document.querySelector('input[name=latitude]').value !== ''")
    page.click("[data-public-report] button[type=submit]")
    page.wait_for_selector("[data-report-state]")
    text = check(page, "public-status")
    report = PublicReport.objects.get()
    assert report.ticket_number in text and float(report.latitude) == pytest.approx(36.0987)
    context.close()
