"""Issue 21 on a phone (390 px) in a real headless Chromium: the organizer's approved event with its resources,
the stage not yet accepted (the "ready" button is disabled and the page says why), and the reviewer's workspace
of the organizer's next application with the previous event's failed review; no horizontal overflow, no internal
codes. Screenshots at 390 and 1280 px go to tests/artifacts/ for a human to look at."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from permits import services
from permits.models import EventSession, PermitApplication
from tests.permits.conftest import build_application, through_inspection
from tests.permits.test_browser import ARTIFACTS, DESKTOP, PHONE, Session, browser  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = re.compile(r"\b(security_staff|volunteers|xray_machines|stage|screen|failed|department|organizer|approved)\b")


WIDE = """(() => { const w = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > w + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '[' + (e.getAttribute('data-section') || '') + ']'
    + Math.round(e.getBoundingClientRect().right)); })()"""


def _no_overflow(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px wider than the phone: {page.evaluate(WIDE)}"


def test_the_event_panels_on_a_phone(browser, live_server, permit_city, stadium):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    users = permit_city.users
    past = build_application(
        organizer=users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue, attendance=2800
    )
    past = through_inspection(past, permit_city)
    services.application_decide(application=past, actor=users.head, outcome="approve", approved_capacity=2800)
    start = timezone.now() - dt.timedelta(days=30)
    EventSession.objects.filter(application=past).update(starts_at=start, ends_at=start + dt.timedelta(hours=3))
    PermitApplication.objects.filter(pk=past.pk).update(
        first_session_start=start, last_session_end=start + dt.timedelta(hours=3)
    )
    past.refresh_from_db()
    services.application_mark_held(application=past, actor=users.organizer)
    services.review_record(
        application=past, actor=users.staff, outcome="failed", did_not_work="东门疏散引导力量不足", incidents="散场拥堵"
    )
    following = build_application(
        organizer=users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        name="洹河之夜音乐会（第二季）",
        days_ahead=50,
    )
    services.resource_set(application=following, actor=users.organizer, resource="security_staff", count=40)
    services.temporary_structure_add(
        application=following, actor=users.organizer, kind="stage", name="主舞台", zone=stadium.infield
    )
    following = through_inspection(following, permit_city)
    services.application_decide(application=following, actor=users.head, outcome="approve", approved_capacity=2500)

    organizer = Session(browser, live_server, users.organizer, PHONE)
    page = organizer.go(f"/permits/{following.pk}/")
    page.wait_for_selector("[data-section=structures]")
    assert page.locator("[data-mark-ready]").is_disabled()
    assert "尚未验收" in page.inner_text("[data-section=structures]")
    assert "缺 20" in page.inner_text("[data-section=resources]")
    assert "东门疏散引导力量不足" in page.inner_text("[data-section=previous-review]")
    _no_overflow(page)
    text = page.inner_text("main")
    assert not CODES.search(text), CODES.search(text)
    page.screenshot(path=str(ARTIFACTS / "permits-event-panels-390.png"), full_page=True)
    organizer.close()

    reviewer = Session(browser, live_server, users.staff, DESKTOP | {"viewport": {"width": 1280, "height": 900}})
    page = reviewer.go(f"/permits/{following.pk}/review/")
    page.wait_for_selector("[data-section=previous-review]")
    assert "未通过" in page.inner_text("[data-section=previous-review]")
    page.screenshot(path=str(ARTIFACTS / "permits-event-panels-1280.png"), full_page=True)
    reviewer.close()
