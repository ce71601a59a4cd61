"""The documents' pages in a real headless Chromium (Debian's /usr/bin/chromium): the document page updates by
itself (htmx polling) when the worker has rendered the PDF; the public verification page on a phone; the list.

Screenshots go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from notices.choices import NoticeKind
from notices.services import notice_render
from tests.notices.conftest import issue, issue_rendered

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


def new_page(browser, live_server, user=None, *, phone=False):
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
        extra_http_headers={"Accept-Language": "zh-Hans"},
    )
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    return context, context.new_page()


def test_the_document_page_shows_the_pdf_as_soon_as_it_is_rendered(browser, live_server, city, users, venue):
    notice = issue(NoticeKind.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue, actor=users.staff)
    context, page = new_page(browser, live_server, users.staff)
    try:
        page.goto(f"{live_server.url}{notice.get_absolute_url()}")
        page.wait_for_selector('[data-pdf-ready="no"] [data-pending]')
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "notice-pending.png"), full_page=True)
        notice_render(notice_id=notice.pk)  # what the worker does
        page.wait_for_selector('[data-pdf-ready="yes"] [data-download]', timeout=15000)
        notice.refresh_from_db()
        assert page.locator("[data-sha256]").inner_text() == notice.sha256
        page.screenshot(path=str(ARTIFACTS / "notice-ready.png"), full_page=True)
        with page.expect_download() as download:
            page.locator('a[href$="?download=1"]').click()
        assert Path(download.value.path()).read_bytes() == notice.pdf.open("rb").read()
    finally:
        context.close()


def test_the_verification_page_on_a_phone(browser, live_server, city, users, venue):
    notice = issue_rendered(NoticeKind.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)
    context, page = new_page(browser, live_server, phone=True)
    try:
        page.goto(f"{live_server.url}{notice.verify_url}")
        assert page.locator('[data-verdict="genuine"]').is_visible()
        assert page.locator("[data-number]").inner_text() == notice.number
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "nothing overflows the phone's width (the hash wraps)"
        page.screenshot(path=str(ARTIFACTS / "notice-verify-phone.png"), full_page=True)
        page.fill('input[name="code"]', "ABCD-EFGH-JKMN")
        page.locator('form.notices-verify-form button[type="submit"]').click()
        page.wait_for_selector('[data-verdict="unknown"]')
        page.screenshot(path=str(ARTIFACTS / "notice-verify-unknown-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_list_page(browser, live_server, city, users, venue):
    for kind in (NoticeKind.ACCEPTANCE, NoticeKind.PERMIT_APPROVAL):
        issue(kind, issuer=city.wenfeng_police, subject=venue)
    issue(NoticeKind.RECTIFICATION_ORDER, issuer=city.mhk_fire, subject=venue)
    context, page = new_page(browser, live_server, users.leader)
    try:
        page.goto(f"{live_server.url}/notices/")
        assert page.locator("[data-notice-table] tbody tr").count() == 3
        page.screenshot(path=str(ARTIFACTS / "notice-list.png"), full_page=True)
    finally:
        context.close()


def test_the_preview_of_a_kind_shows_the_draft(browser, live_server, city, users):
    context, page = new_page(browser, live_server, users.staff)
    try:
        page.goto(f"{live_server.url}/notices/preview/permit_approval/")
        frame = page.frame_locator("iframe.notices-preview")
        assert "草稿" in frame.locator(".watermark").inner_text()
        assert "（草稿　未编号）" in frame.locator(".number").inner_text()
        page.screenshot(path=str(ARTIFACTS / "notice-kind-preview.png"), full_page=True)
    finally:
        context.close()
