"""In a real headless Chromium: the organizer, signed in on their page, sees the bell count the acceptance of
their application and then its approval (alerts.informing.permit_news), without a reload; the notification list
holds both, with their links. The reviewer and the head act through the services, as their pages do."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from permits import services
from tests.browser.test_shell_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE, open_page, sign_in, wait_until
from tests.permits.conftest import build_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def wait_for_count(page, count: int) -> None:
    wait_until(
        page,
        f"document.querySelector('#notification-bell .bell-count').textContent.trim() === '{count}'",
        timeout=20_000,
    )


def test_the_organizers_bell_shows_the_acceptance_then_the_approval(
    browser, live_server, permit_city, stadium, settings
):
    settings.NOTIFICATIONS_BELL_POLL_SECONDS = 1
    users = permit_city.users
    application = build_application(
        organizer=users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )
    services.application_submit(application=application, actor=users.organizer)
    context, page, outside = open_page(browser, live_server, PHONE)
    sign_in(page, live_server, users.organizer.username)
    page.wait_for_selector("#notification-bell .bell-count", state="attached")
    wait_until(page, "document.querySelector('#notification-bell .bell-count').dataset.unread === '0'")
    page.evaluate("window.__notReloaded = true")

    services.application_accept(application=application, actor=users.staff)
    wait_for_count(page, 1)
    accepted = Notification.objects.get(recipient=users.organizer)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "permits-organizer-bell-accepted-phone.png"))

    services.application_start_review(application=application, actor=users.staff)
    for inspection in services.application_start_inspection(application=application, actor=users.staff):
        inspector = {
            permit_city.city.wenfeng_police.pk: users.staff,
            permit_city.wenfeng_fire.pk: permit_city.fire_staff,
            permit_city.wenfeng_housing.pk: permit_city.housing_staff,
            permit_city.wenfeng_culture.pk: permit_city.culture_staff,
        }[inspection.department_id]
        services.inspection_record(inspection=inspection, actor=inspector, passed=True, findings="符合要求。")
    application.refresh_from_db()
    services.application_decide(
        application=application,
        actor=users.head,
        outcome="approve",
        approved_capacity=3000,
        tickets_by_zone={p.pk: p.tickets for p in application.zone_plans.all()},
    )
    # Accepted, the inspection dates, approved: three notices, and the page was never reloaded.
    total = Notification.objects.filter(recipient=users.organizer).count()
    assert total == 3
    wait_for_count(page, total)
    assert page.evaluate("window.__notReloaded") is True
    approved = Notification.objects.filter(recipient=users.organizer).order_by("-created_at", "-id").first()

    page.click("#notification-bell")
    page.wait_for_url(f"{live_server.url}/notifications/")
    listed = page.inner_text("main")
    assert accepted.message.title in listed
    assert approved.message.title in listed
    assert approved.message.url  # the approval links to the decision document
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    page.screenshot(path=str(ARTIFACTS / "permits-organizer-notifications-phone.png"), full_page=True)
    assert outside == []
    context.close()
