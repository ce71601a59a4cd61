"""The home page: one panel per thing that needs the user's attention, chosen by role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from crowdsafe.org import services as org_services
from crowdsafe.web import home
from crowdsafe.web.home import ALL_ROLES, register_panel, registered_panels, unregister_panel
from crowdsafe.workdays.models import CalendarDay, CalendarYear
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KERNEL_PANELS = {"holiday_schedule_needed", "roles", "organisation", "territory", "holidays", "recent_actions"}
OCTOBER = datetime.date(2030, 10, 20)
NOVEMBER = datetime.date(2030, 11, 1)


def panels_of(response) -> list[str]:
    return re.findall(r'data-panel="([\w-]+)"', response.content.decode())


def panel_html(response, key: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-panel="{key}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture(autouse=True)
def kernel_panels_only(monkeypatch):
    """These tests are about the kernel's panels; other apps' panels are tested with those apps (and all of
    them together in test_home_all_panels.py)."""
    monkeypatch.setattr(home, "_PANELS", {k: p for k, p in home._PANELS.items() if k in KERNEL_PANELS})


@pytest.fixture
def calendar_2030():
    """2030 and 2031 without schedules unless a test adds them; the library may have seeded other years."""
    CalendarDay.objects.filter(date__year__in=[2030, 2031]).delete()
    CalendarYear.objects.filter(year__in=[2030, 2031]).delete()
    CalendarYear.objects.create(year=2030, source="admin")


EXPECTED = {
    "staff": ["roles", "territory", "holidays", "recent_actions"],
    "head": ["roles", "territory", "holidays", "recent_actions"],
    "grid_worker": ["roles", "territory", "holidays", "recent_actions"],
    "township_officer": ["roles", "territory", "holidays", "recent_actions"],
    "leader": ["roles", "territory", "holidays", "recent_actions"],
    "admin": ["roles", "territory", "holidays", "recent_actions"],
    "organizer": ["roles", "organisation", "holidays", "recent_actions"],
    "outsider": ["roles", "territory", "holidays", "recent_actions"],
}


def test_the_home_page_needs_a_signed_in_user(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_role_gets_its_panels(role, users, login, today, calendar_2030):
    today(OCTOBER)
    response = login(getattr(users, role)).get(reverse("home"))
    assert response.status_code == 200
    assert sorted(panels_of(response)) == sorted(EXPECTED[role])


def test_panels_come_in_their_registered_order(users, login, today, calendar_2030):
    today(NOVEMBER)
    response = login(users.admin).get(reverse("home"))
    assert panels_of(response) == ["holiday_schedule_needed", "territory", "holidays", "roles", "recent_actions"]


def test_a_user_without_membership_is_told_to_contact_the_administrator(login):
    response = login(UserFactory(username="nobody")).get(reverse("home"))
    assert response.status_code == 200
    assert panels_of(response) == ["no-membership"]
    assert "nobody" in panel_html(response, "no-membership")
    # No navigation to pages that would all be empty.
    assert 'data-nav="jurisdictions"' not in response.content.decode()


def test_a_superuser_without_membership_is_treated_as_an_administrator(login, today, calendar_2030):
    today(NOVEMBER)
    superuser = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = login(superuser).get(reverse("home"))
    assert "holiday_schedule_needed" in panels_of(response)
    assert "territory" in panels_of(response)


def test_the_roles_panel_lists_memberships_with_links(users, login, city):
    response = login(users.staff).get(reverse("home"))
    html = panel_html(response, "roles")
    assert city.wenfeng_police.name in html
    assert reverse("org:department_detail", args=[city.wenfeng_police.pk]) in html

    html = panel_html(login(users.grid_worker).get(reverse("home")), "roles")
    assert reverse("org:jurisdiction_detail", args=[city.grid.code]) in html


def test_the_territory_panel_counts_jurisdictions_by_level(users, login, city):
    html = panel_html(login(users.township_officer).get(reverse("home")), "territory")
    counts = dict(re.findall(r'data-level="(\w+)">\s*<span class="stat-value">(\d+)</span>', html))
    assert counts == {"township": "1", "community": "1", "grid": "1"}
    assert reverse("org:jurisdiction_detail", args=[city.street.code]) in html
    assert f"{reverse('org:jurisdiction_list')}?level=grid" in html
    assert 'data-section="departments"' not in html

    html = panel_html(login(users.leader).get(reverse("home")), "territory")
    counts = dict(re.findall(r'data-level="(\w+)">\s*<span class="stat-value">(\d+)</span>', html))
    assert counts == {"district": "1", "township": "2", "community": "1", "grid": "1"}


def test_a_leader_sees_the_departments_of_their_territory_by_kind(users, login, city):
    html = panel_html(login(users.leader).get(reverse("home")), "territory")
    assert 'data-section="departments"' in html
    assert reverse("org:department_detail", args=[city.wenfeng_police.pk]) in html
    assert f"{reverse('org:department_list')}?kind=public_security" in html
    # The city's bureau is above the leader's district, and 北关区's beside it: neither is "in the territory".
    assert reverse("org:department_detail", args=[city.city_police.pk]) not in html
    assert reverse("org:department_detail", args=[city.beiguan_police.pk]) not in html


def test_the_home_page_runs_a_fixed_number_of_queries(users, login, django_assert_max_num_queries, today):
    today(NOVEMBER)
    client = login(users.leader)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("home")).status_code == 200


def test_the_holiday_panel_shows_the_next_60_days_grouped(users, login, today, calendar_2030):
    today(datetime.date(2030, 9, 20))
    for day in range(1, 8):
        CalendarDay.objects.create(date=datetime.date(2030, 10, day), kind="holiday", name="国庆节", source="admin")
    CalendarDay.objects.create(date=datetime.date(2030, 9, 29), kind="adjusted_working", name="国庆节", source="admin")
    CalendarDay.objects.create(date=datetime.date(2030, 12, 31), kind="holiday", name="far away", source="admin")
    html = panel_html(login(users.grid_worker).get(reverse("home")), "holidays")
    assert re.findall(r'data-date="([\d-]+)"', html) == ["2030-09-29", "2030-10-01"]
    assert "2030-10-07" in html  # the end of the holiday block
    assert "badge-holiday" in html
    assert "badge-adjusted" in html
    assert "far away" not in html
    assert 'class="notice"' not in html  # 2030 is covered


def test_the_holiday_panel_has_an_empty_state(users, login, today, calendar_2030):
    today(datetime.date(2030, 6, 1))  # 2030 is entered, with no holiday before 31 July
    html = panel_html(login(users.admin).get(reverse("home")), "holidays")
    assert 'class="empty-state"' in html
    assert 'class="notice"' not in html


def test_the_holiday_panel_says_when_a_year_is_not_covered_and_lists_its_provisional_holidays(
    users, login, today, calendar_2030
):
    today(datetime.date(2030, 12, 1))
    # The notice is for administrators (and those whose deadlines it moves: tests/web/test_holiday_banner.py).
    html = panel_html(login(users.admin).get(reverse("home")), "holidays")
    assert 'class="notice"' in html
    assert "2031" in html
    # 2031 is not entered: its New Year's Day and Spring Festival (除夕 22 January, 初一 to 初三) are counted as
    # days off provisionally, and the panel shows them so (issue 20 point 4).
    assert re.findall(r'data-date="([\d-]+)"', html) == ["2031-01-01", "2031-01-22"]
    assert html.count("data-provisional") == 2
    assert "元旦" in html and "春节" in html and "2031-01-25" in html


def test_the_provisional_days_of_2027_are_on_everyones_home_page_marked_provisional(users, client, today):
    """December 2026, 2027's schedule not entered: 2027-01-01 is a day off, provisionally (the panel used to list
    only entered days, so it looked like an ordinary working day)."""
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    today(datetime.date(2026, 12, 7))
    client.force_login(users.grid_worker)
    html = panel_html(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans"), "holidays")
    # 元旦, and 除夕 (2027-02-05) at the end of the 60 days
    assert re.findall(r'data-date="([\d-]+)"', html) == ["2027-01-01", "2027-02-05"]
    assert "元旦" in html and "春节" in html and "法定节假日（暂定）" in html and html.count("data-provisional") == 2
    assert 'class="notice"' not in html  # the "not entered" notice: administrators and the affected only


def test_the_holiday_schedule_panel_appears_from_november_until_next_year_is_entered(
    users, login, today, calendar_2030
):
    client = login(users.admin)
    today(datetime.date(2030, 10, 31))
    assert "holiday_schedule_needed" not in panels_of(client.get(reverse("home")))
    today(NOVEMBER)
    response = client.get(reverse("home"))
    assert "holiday_schedule_needed" in panels_of(response)
    assert "2031" in panel_html(response, "holiday_schedule_needed")
    today(datetime.date(2030, 12, 31))
    assert "holiday_schedule_needed" in panels_of(client.get(reverse("home")))

    CalendarYear.objects.create(year=2031, source="admin")
    assert "holiday_schedule_needed" not in panels_of(client.get(reverse("home")))


def test_the_holiday_schedule_panel_is_for_administrators_only(users, login, today, calendar_2030):
    today(NOVEMBER)
    for role in ("staff", "head", "grid_worker", "township_officer", "leader", "organizer"):
        assert "holiday_schedule_needed" not in panels_of(login(getattr(users, role)).get(reverse("home"))), role


def test_the_holiday_schedule_panel_links_to_the_calendar_admin_for_site_staff(users, login, today, calendar_2030):
    today(NOVEMBER)
    html = panel_html(login(users.admin).get(reverse("home")), "holiday_schedule_needed")
    assert "/admin/" not in html  # not site staff: the admin site would refuse them

    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    html = panel_html(login(users.admin).get(reverse("home")), "holiday_schedule_needed")
    if admin.site.is_registered(CalendarDay):
        assert reverse("admin:workdays_calendarday_changelist") in html
    else:
        assert "/admin/" not in html


def test_organizers_see_their_organisation(users, login, city):
    html = panel_html(login(users.organizer).get(reverse("home")), "organisation")
    assert city.organisation.name in html
    assert city.organisation.credit_code in html
    assert city.organisation.safety_officer_name in html


def test_recent_actions_are_the_users_own(users, login, city):
    with_reason = "统一名称"
    org_services.jurisdiction_rename(jurisdiction=city.street2, name="西大街道", actor=users.admin, reason=with_reason)
    html = panel_html(login(users.admin).get(reverse("home")), "recent_actions")
    assert "西大街道" in html
    assert reverse("my_actions") in html  # the reasons and the rest of the log are on its own page
    assert with_reason in login(users.admin).get(reverse("my_actions")).content.decode()
    html = panel_html(login(users.leader).get(reverse("home")), "recent_actions")
    assert 'class="empty-state"' in html


def test_another_app_can_register_a_panel(users, login):
    register_panel(
        "test_queue",
        roles={"grid_worker"},
        template="web/panels/roles.html",
        context_func=lambda home: {"memberships": home.scope.memberships},
        order=15,
    )
    try:
        assert "test_queue" in panels_of(login(users.grid_worker).get(reverse("home")))
        assert "test_queue" not in panels_of(login(users.staff).get(reverse("home")))
    finally:
        unregister_panel("test_queue")
    assert "test_queue" not in [p.key for p in registered_panels()]


def test_a_panel_must_be_shown_to_someone():
    with pytest.raises(ValueError):
        register_panel("nobody", roles=[], template="x.html", context_func=lambda home: {}, order=1)
    assert ALL_ROLES


def test_the_shell_shows_name_roles_and_navigation(users, login):
    html = login(users.leader).get(reverse("home")).content.decode()
    assert users.leader.display_name in html
    assert 'aria-current="page"' in html
    assert 'data-nav="jurisdictions"' in html
    assert 'data-nav="api"' in html
    assert 'data-nav="admin"' not in html  # not site staff

    users.leader.is_staff = True
    users.leader.save(update_fields=["is_staff"])
    assert 'data-nav="admin"' in login(users.leader).get(reverse("home")).content.decode()

    # Organizers are not government staff: no API docs link.
    assert 'data-nav="api"' not in login(users.organizer).get(reverse("home")).content.decode()


def test_htmx_is_served_locally_and_sends_the_csrf_token(users, login):
    html = login(users.staff).get(reverse("home")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", html).split("<body", 1)[0]
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"(\w+)\"\}'", html)
    assert token and len(token.group(1)) >= 32


def test_the_language_switch_posts_to_set_language(users, login):
    client = login(users.staff)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()
