"""One application from draft to approval through the joint inspection, in a real headless Chromium: the
organizer fills the portal form and submits, the licensing department accepts, reviews and starts the joint
inspection, each department records its inspection, and the head signs the approval.

Screenshots of the portal form and the reviewer workspace go to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from permits.choices import ApplicationState, PlanSection
from permits.models import PermitApplication, SiteInspection
from tests.factories import PASSWORD
from tests.permits.conftest import PDF, PNG

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
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def browser(browser_env):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Session:
    """One person's browser context, signed in."""

    def __init__(self, browser, live_server, user, options=DESKTOP):
        self.base = live_server.url
        self.context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.page.on("request", lambda r: None if r.url.startswith(self.base) else self.outside.append(r.url))
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=username]", user.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form[action='/accounts/login/'] button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")

    def go(self, path: str):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def close(self):
        assert self.outside == [], f"requests left the test server: {self.outside}"
        self.context.close()


def test_an_application_from_draft_to_approval_through_the_joint_inspection(browser, live_server, permit_city, stadium):
    ARTIFACTS.mkdir(exist_ok=True)
    users = permit_city.users
    day = timezone.localdate() + dt.timedelta(days=40)

    # --- the organizer: a draft, then every part of the portal form --------------------------------------------
    organizer = Session(browser, live_server, users.organizer)
    page = organizer.go("/permits/new/")
    page.fill("input[name=event_name]", "洹河之夜音乐会")
    page.select_option("select[name=event_kind]", "performance")
    page.fill("#id_venue", "体育中心")  # the venue picker (issue 18 point 4): search, then pick
    page.click(f"[role=option][data-code='{stadium.venue.pk}']")
    page.fill("textarea[name=description]", "露天音乐会，一场。")
    page.fill("input[name=safety_person_id_number]", "41050219800101001X")
    page.click("form.permits-form button[type=submit]")
    page.wait_for_url("**/edit/")
    application = PermitApplication.objects.get(event_name="洹河之夜音乐会")

    page.fill("form[action$='/edit/sessions/'] input[name=starts_at]", f"{day}T19:00")
    page.fill("form[action$='/edit/sessions/'] input[name=ends_at]", f"{day}T22:00")
    page.fill("form[action$='/edit/sessions/'] input[name=expected_attendance]", "3000")
    page.click("[data-save=session]")
    page.wait_for_selector("[data-session]")

    page.fill(f"input[name=zone_{stadium.east.pk}]", "1500")
    page.fill(f"input[name=zone_{stadium.west.pk}]", "1500")
    page.click("[data-save=tickets]")
    page.wait_for_load_state()

    page.fill("form[action$='/edit/undertakers/'] input[name=name]", "安阳文化演艺有限公司")
    page.fill("form[action$='/edit/undertakers/'] input[name=credit_code]", "91410502MA0000001F")
    page.click("[data-save=undertaker]")
    page.wait_for_selector("[data-undertaker]")

    for kind in ("undertaker_licence", "safety_person_id", "event_plan", "venue_consent", "emergency_plan"):
        page.select_option("form[action$='/edit/materials/'] select[name=kind]", kind)
        page.set_input_files(
            "form[action$='/edit/materials/'] input[name=file]",
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        page.click("[data-save=material]")
        page.wait_for_selector(f"[data-material={kind}]")

    page.check("input[name=plan_mode][value=written]")
    for section in PlanSection:
        page.fill(f"textarea[name=text_{section.value}]", f"{section.label}：已落实。")
    page.click("[data-save=plan]")
    page.wait_for_selector("[data-complete]")
    page.screenshot(path=str(ARTIFACTS / "permits-portal-form.png"), full_page=True, scale="css")
    phone = Session(browser, live_server, users.organizer, PHONE)
    phone.go(f"/permits/{application.pk}/edit/").screenshot(
        path=str(ARTIFACTS / "permits-portal-form-phone.png"), full_page=False, scale="css"
    )
    phone.close()

    page.click("[data-submit]")
    page.wait_for_selector("[data-state=submitted]")
    organizer.close()

    # --- the licensing department: accept, review, start the joint inspection ------------------------------
    staff = Session(browser, live_server, users.staff)
    page = staff.go(f"/permits/{application.pk}/review/")
    page.wait_for_selector("[data-section=checks]")
    page.screenshot(path=str(ARTIFACTS / "permits-workspace.png"), full_page=True, scale="css")
    page.click("[data-action=accept]")
    page.wait_for_selector("[data-state=accepted]")
    page.click("[data-action=start-review]")
    page.wait_for_selector("[data-state=under_review]")
    page.click("[data-action=start-inspection]")
    page.wait_for_selector("[data-state=inspection]")
    staff.go("/permits/review/").screenshot(
        path=str(ARTIFACTS / "permits-review-queue.png"), full_page=True, scale="css"
    )

    # --- each department records its part of the inspection -------------------------------------------------
    people = {
        permit_city.city.wenfeng_police.pk: (staff, None),
        permit_city.wenfeng_fire.pk: (None, permit_city.fire_staff),
        permit_city.wenfeng_housing.pk: (None, permit_city.housing_staff),
        permit_city.wenfeng_culture.pk: (None, permit_city.culture_staff),
    }
    inspections = list(SiteInspection.objects.filter(application=application))
    assert {i.department_id for i in inspections} == set(people)
    for inspection in inspections:
        session, user = people[inspection.department_id]
        own = session or Session(browser, live_server, user)
        page = own.go(f"/permits/inspections/{inspection.pk}/")
        page.check("input[name=passed][value='1']")
        page.fill("textarea[name=findings]", "现场检查符合要求，疏散通道畅通。")
        page.set_input_files("input[name=photos]", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}])
        page.click("[data-record-inspection]")
        page.wait_for_selector("[data-recorded]")
        if session is None:
            own.close()
    staff.close()

    # --- the head signs the approval -------------------------------------------------------------------------
    head = Session(browser, live_server, users.head)
    page = head.go(f"/permits/{application.pk}/review/")
    page.check("input[name=outcome][value=approve]")
    page.fill("input[name=approved_capacity]", "3000")
    page.fill("textarea[name=conditions]", "各入口设置安检门\n内场设置隔离护栏")
    page.screenshot(path=str(ARTIFACTS / "permits-workspace-decision.png"), full_page=True, scale="css")
    page.click("[data-action=decide]")
    page.wait_for_selector("[data-state=approved]")
    head.close()

    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.approved_capacity == 3000
    assert list(application.conditions.values_list("text", flat=True)) == ["各入口设置安检门", "内场设置隔离护栏"]
    assert all(i.result == "passed" and i.photos.count() == 1 for i in application.inspections.all())
