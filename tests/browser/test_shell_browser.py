"""The page shell in a real headless Chromium: a grid worker on a phone, a leader at a desk.

Screenshots go to tests/artifacts/ (git-ignored) for a human to look at.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
from django.utils import timezone

from crowdsafe.org.choices import DepartmentKind
from crowdsafe.workdays.models import CalendarDay, CalendarYear
from tests.factories import PASSWORD, DepartmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
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
def scene(users, city):
    """Names and a few more departments, so the pages look like a working district."""
    for user, name in ((users.grid_worker, "王小梅"), (users.leader, "陈建国")):
        user.full_name = name
        user.save(update_fields=["full_name"])
    for name, kind in (
        ("文峰区消防救援大队", DepartmentKind.FIRE_RESCUE),
        ("文峰区应急管理局", DepartmentKind.EMERGENCY),
        ("文峰区市场监督管理局", DepartmentKind.MARKET_REGULATION),
        ("文峰区文化广电和旅游局", DepartmentKind.CULTURE_TOURISM),
    ):
        DepartmentFactory(name=name, kind=kind, jurisdiction=city.wenfeng)
    # New Year's Day is a statutory holiday every year (国务院《全国年节及纪念日放假办法》).
    today = timezone.localdate()
    new_year = datetime.date(today.year + 1, 1, 1)
    CalendarDay.objects.update_or_create(date=new_year, defaults={"kind": "holiday", "name": "元旦", "source": "admin"})
    CalendarYear.objects.get_or_create(year=today.year, defaults={"source": "admin"})
    return users


def wait_until(page, expression: str, *, timeout: float = 10_000) -> None:
    """Wait until ``expression`` is true in the page. Playwright's ``wait_for_function`` builds its predicate
    with ``eval``, which the Content-Security-Policy (no 'unsafe-eval') refuses; ``page.evaluate`` of an
    expression is not subject to it. ``timeout`` in milliseconds, as Playwright's."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def open_page(browser, live_server, options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    page = context.new_page()
    # Nothing may be fetched from outside the test server (no CDN): fail loudly if something tries.
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    return context, page, outside


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


KERNEL_PANELS = {"holiday_schedule_needed", "roles", "organisation", "territory", "holidays", "recent_actions"}


def visible_panels(page) -> list[str]:
    """The kernel's panels on the page, in order (other apps' panels are theirs to test)."""
    shown = page.eval_on_selector_all(
        "[data-panel]", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.panel)"
    )
    return [key for key in shown if key in KERNEL_PANELS]


def assert_no_sideways_scroll(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_a_grid_worker_on_a_phone(browser, live_server, scene):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, outside = open_page(browser, live_server, PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "login-phone.png"), full_page=True, scale="css")

    sign_in(page, live_server, "u_grid_worker")
    assert visible_panels(page) == ["territory", "holidays", "roles", "recent_actions"]
    assert page.is_visible("text=王小梅") is False  # the name is inside the closed menu on a phone
    assert page.is_hidden("nav.nav-desktop")
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "home-grid-worker-phone.png"), full_page=True, scale="css")

    menu = page.locator("details.nav-mobile > summary")
    box = menu.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    menu.tap()
    panel = page.locator("details.nav-mobile .menu-panel")
    assert panel.is_visible()
    assert page.locator(".menu-panel").get_by_text("王小梅").is_visible()
    for link in panel.locator("a.nav-link, button").all():
        link_box = link.bounding_box()
        assert link_box["height"] >= 44, link.inner_text()
    assert panel.locator("a[data-nav=jurisdictions]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "home-grid-worker-phone-menu.png"), scale="css")

    panel.locator("a[data-nav=jurisdictions]").tap()
    page.wait_for_url(f"{live_server.url}/org/jurisdictions/")
    assert page.locator("table.table").is_visible()
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "jurisdictions-grid-worker-phone.png"), full_page=True, scale="css")

    page.locator("table.table a").first.tap()
    page.wait_for_url(f"{live_server.url}/org/jurisdictions/410502001001G01/")
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "jurisdiction-detail-grid-worker-phone.png"), full_page=True, scale="css")

    # Outside the grid: not found, inside the layout.
    response = page.goto(f"{live_server.url}/org/jurisdictions/410503/")
    assert response.status == 404
    assert page.locator(".error-code").inner_text() == "404"
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "not-found-phone.png"), full_page=True, scale="css")

    page.locator("details.nav-mobile > summary").tap()
    page.locator(".menu-panel a[href='/accounts/password/']").tap()
    page.wait_for_url(f"{live_server.url}/accounts/password/")
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "password-change-phone.png"), full_page=True, scale="css")
    assert outside == []
    context.close()


def test_a_leader_at_a_desk(browser, live_server, scene):
    ARTIFACTS.mkdir(exist_ok=True)
    context, page, outside = open_page(browser, live_server, DESKTOP)
    sign_in(page, live_server, "u_leader")
    assert visible_panels(page) == ["territory", "holidays", "roles", "recent_actions"]
    assert page.is_visible("nav.nav-desktop")
    assert page.is_hidden("details.nav-mobile")
    assert page.locator(".header-account").get_by_text("陈建国").is_visible()
    departments = page.locator("[data-panel=territory] [data-section=departments]")
    assert departments.get_by_text("文峰区消防救援大队").is_visible()
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(ARTIFACTS / "home-leader-desktop.png"), full_page=True, scale="css")

    page.click("nav.nav-desktop a[data-nav=jurisdictions]")
    page.wait_for_url(f"{live_server.url}/org/jurisdictions/")
    # The filter narrows the list through htmx without a full page load, and the address follows.
    page.fill("input[name=q]", "东大街")
    page.wait_for_url(f"{live_server.url}/org/jurisdictions/?q=%E4%B8%9C%E5%A4%A7%E8%A1%97&level=&parent=")
    wait_until(page, "document.querySelectorAll('#results tbody tr').length === 3")
    page.screenshot(path=str(ARTIFACTS / "jurisdictions-leader-desktop.png"), full_page=True, scale="css")

    page.goto(f"{live_server.url}/org/jurisdictions/410502/")
    assert page.locator("[data-section=departments]").get_by_text("文峰区应急管理局").is_visible()
    page.screenshot(path=str(ARTIFACTS / "jurisdiction-detail-leader-desktop.png"), full_page=True, scale="css")

    page.goto(f"{live_server.url}/org/departments/")
    page.screenshot(path=str(ARTIFACTS / "departments-leader-desktop.png"), full_page=True, scale="css")

    # The language switch is a POST form (with the CSRF token) that comes back to the same page.
    page.click(".header-lang button[value=en]")
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/org/departments/"
    assert page.get_attribute("html", "lang") == "en"
    page.click(".header-lang button[value=zh-hans]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "zh-hans"

    # Sign out is a POST form; afterwards the sign-in page says so.
    page.click(".header-account button[type=submit]")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.locator(".message-success").is_visible()
    assert outside == []
    context.close()
