"""Accessibility (issue 20 point 9): axe-core (vendored from npm, test-only: tests/vendor/axe-core, `npm run
vendor:axe`) run in headless Chromium on the home page of every role and on every form: no serious or critical
violation of WCAG 2.1 A/AA. A failure lists each rule, its impact and the first offending elements."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
ROLES = ["staff", "head", "grid_worker", "township_officer", "leader", "admin", "organizer"]
# Each form, with the roles that may open it (the first one that may is used).
FORMS = {
    "/gatherings/new/": ["grid_worker", "township_officer"],
    "/venues/new/": ["township_officer", "admin"],
    "/permits/new/": ["organizer"],
    "/risk/hazards/new/": ["grid_worker", "staff", "township_officer"],
    "/risk/assessments/new/?subject_type=venue&subject_id={venue}": ["staff", "township_officer", "admin"],
    "/risk/campaigns/new/": ["leader", "admin", "township_officer"],
    "/drills/plans/new/": ["staff", "township_officer", "admin"],
    "/accounts/password/": ["staff"],
}
SEVERE = {"serious", "critical"}
RUN = """async () => {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return {passes: result.passes.length,
          violations: result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))};
}"""


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def severe_violations(browser, live_server, user, path: str, *, viewport=None) -> tuple[int, list[dict]]:
    options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "bypass_csp": True}
    if viewport:
        options["viewport"] = viewport
    context = browser.new_context(**options)
    try:
        if user is not None:
            client = Client()
            client.force_login(user)
            session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
        page = context.new_page()
        response = page.goto(live_server.url + path)
        status = response.status if response else 0
        if status != 200:
            return status, []
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(RUN)
        assert result["passes"] > 10, path  # axe ran and checked the page
        return status, [v for v in result["violations"] if v["impact"] in SEVERE]
    finally:
        context.close()


def report(found: dict[str, list[dict]]) -> str:
    return "\n".join(
        f"{where}: {v['id']} ({v['impact']}) {v['help']} — {', '.join(v['nodes'])}"
        for where, violations in found.items()
        for v in violations
    )


def test_axe_finds_an_unlabelled_input(browser):
    """The check itself: a page with an input without a label is a critical violation."""
    page = browser.new_page()
    try:
        page.set_content('<!doctype html><html lang="zh-CN"><title>t</title><main><input type="text"></main></html>')
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN)["violations"]
    finally:
        page.close()
    assert any(v["id"] == "label" and v["impact"] == "critical" for v in violations)


def test_every_role_s_home_page_has_no_serious_violation(browser, live_server, city, users):
    found = {}
    for role in ROLES:
        status, violations = severe_violations(browser, live_server, getattr(users, role), "/")
        assert status == 200, role
        if violations:
            found[f"/ as {role}"] = violations
    status, violations = severe_violations(browser, live_server, None, "/accounts/login/")
    if violations:
        found["/accounts/login/"] = violations
    assert not found, report(found)


def test_every_form_has_no_serious_violation(browser, live_server, city, users):
    from tests.events.conftest import make_square

    venue = make_square(city.grid)
    found, opened = {}, []
    for path, roles in FORMS.items():
        for role in roles:
            status, violations = severe_violations(
                browser, live_server, getattr(users, role), path.format(venue=venue.pk)
            )
            if status == 200:
                opened.append(path)
                if violations:
                    found[f"{path} as {role}"] = violations
                break
    assert opened == list(FORMS), set(FORMS) - set(opened)
    assert not found, report(found)
