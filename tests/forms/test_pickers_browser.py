"""In headless Chromium at a phone viewport (issue 20 point 3): a territory filter is picked by typing a name and
choosing it from the list, with the mouse or the keyboard; the form sends the division code, and the chosen
filter shows the name again."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.browser.test_shell_browser import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_of(browser, live_server):
    contexts = []

    def open_as(user, **options):
        client = Client()
        client.force_login(user)
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE, **options)
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.errors = errors  # type: ignore[attr-defined]
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_typing_a_name_and_clicking_it_filters_by_its_code(page_of, live_server, city, users):
    page = page_of(users.leader)
    page.goto(f"{live_server.url}/gatherings/")
    box = page.locator("#id_jurisdiction")
    assert box.get_attribute("role") == "combobox"
    box.fill("东大街")
    option = page.locator("[role=option][data-code='410502001']")
    option.wait_for()
    assert page.locator("[role=option]", has_text="山城镇").count() == 0
    option.click()
    assert box.input_value() == "东大街街道"
    assert page.locator("input[type=hidden][name=jurisdiction]").input_value() == "410502001"
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert "jurisdiction=410502001" in page.url
    wait_until(page, "document.querySelector('#id_jurisdiction').value === '东大街街道'")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_keyboard_alone_picks_one(page_of, live_server, city, users):
    page = page_of(users.leader)
    page.goto(f"{live_server.url}/venues/")
    box = page.locator("#id_jurisdiction")
    box.focus()
    page.keyboard.type("西大街")
    page.locator("[role=option][data-code='410502002']").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    page.keyboard.press("Enter")
    assert box.input_value() == "西大街街道"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("input[type=hidden][name=jurisdiction]").input_value() == "410502002"
    assert page.errors == []  # type: ignore[attr-defined]
