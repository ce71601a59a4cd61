"""Jurisdiction and department pages: scoped lists and details, 404 outside the scope, fixed query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crowdsafe.org import services as org_services
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from tests.factories import DepartmentFactory, JurisdictionFactory
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db

LIST = reverse("org:jurisdiction_list")
DEPARTMENTS = reverse("org:department_list")


def detail(jurisdiction) -> str:
    return reverse("org:jurisdiction_detail", args=[jurisdiction.code])


def department(dept) -> str:
    return reverse("org:department_detail", args=[dept.pk])


def rows(response) -> list[str]:
    """The names in the result table, in order."""
    html = response.content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")] if "<tbody>" in html else ""
    return re.findall(r'<td[^>]*>\s*<a href="[^"]+">([^<]+)</a>', body)


def test_the_township_officer_sees_the_township_subtree_only(users, login, city):
    response = login(users.township_officer).get(LIST)
    assert response.status_code == 200
    assert rows(response) == ["东大街街道", "东大街社区", "东大街社区第一网格"]


def test_a_leader_sees_the_district_subtree(users, login, city):
    names = rows(login(users.leader).get(LIST))
    assert names[0] == "文峰区"
    assert "西大街街道" in names
    assert "北关区" not in names
    assert "梅河口市" not in names
    assert "安阳市" not in names


def test_the_list_searches_by_name_or_code_and_filters_by_level(users, login, city):
    client = login(users.leader)
    assert rows(client.get(LIST, {"q": "西大街"})) == ["西大街街道"]
    assert rows(client.get(LIST, {"q": "410502001"})) == ["东大街街道", "东大街社区", "东大街社区第一网格"]
    assert rows(client.get(LIST, {"level": JurisdictionLevel.TOWNSHIP})) == ["东大街街道", "西大街街道"]
    empty = client.get(LIST, {"q": "北关"})
    assert rows(empty) == []
    assert 'class="empty-state"' in empty.content.decode()


def test_a_bad_level_is_reported_and_ignored(users, login, city):
    response = login(users.township_officer).get(LIST, {"level": "planet"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert len(rows(response)) == 3


def test_the_list_filters_by_parent_within_the_scope(users, login, city):
    client = login(users.leader)
    assert rows(client.get(LIST, {"parent": city.wenfeng.code})) == ["东大街街道", "西大街街道"]
    assert client.get(LIST, {"parent": city.beiguan.code}).status_code == 404


def test_the_jurisdiction_list_is_paginated_with_a_fixed_number_of_queries(
    users, login, city, django_assert_max_num_queries
):
    client = login(users.township_officer)
    for n in range(1, 61):
        JurisdictionFactory(
            code=f"410502001{100 + n:03d}", name=f"社区{n:02d}", level=JurisdictionLevel.COMMUNITY, parent=city.street
        )
        if n in (10, 60):
            with django_assert_max_num_queries(5):
                response = client.get(LIST)
            assert response.status_code == 200
            assert len(rows(response)) == min(n + 3, 50)
    page2 = client.get(LIST, {"page": 2})
    assert len(rows(page2)) == 13
    assert 'rel="prev"' in page2.content.decode()
    # Past the last page: the last page, not an error.
    assert client.get(LIST, {"page": 99}).status_code == 200


def test_jurisdiction_detail_is_scoped(users, city):
    assert_scoped_access(
        detail(city.street), owner=users.township_officer, partner=users.leader, outsider=users.outsider
    )
    assert_scoped_access(detail(city.grid), owner=users.grid_worker, partner=users.staff, outsider=users.outsider)


def test_the_township_officer_gets_404_outside_the_township(users, login, city):
    client = login(users.township_officer)
    for place in (city.beiguan, city.wenfeng, city.anyang, city.meihekou, city.street2):
        assert client.get(detail(place)).status_code == 404, place.name
    assert client.get("/org/jurisdictions/410503/").status_code == 404
    assert client.get("/org/jurisdictions/no-such-code/").status_code == 404


def test_the_breadcrumb_shows_only_the_ancestors_the_user_may_see(users, login, city):
    def breadcrumb(user) -> str:
        html = login(user).get(detail(city.community)).content.decode()
        return html[html.index("data-breadcrumb") : html.index("</ol>", html.index("data-breadcrumb"))]

    crumbs = breadcrumb(users.township_officer)
    assert detail(city.street) in crumbs
    assert detail(city.wenfeng) not in crumbs
    assert detail(city.anyang) not in crumbs

    crumbs = breadcrumb(users.leader)
    assert detail(city.wenfeng) in crumbs
    assert detail(city.street) in crumbs
    assert detail(city.anyang) not in crumbs


def test_the_detail_shows_children_departments_and_the_timeline(users, login, city):
    org_services.jurisdiction_rename(jurisdiction=city.wenfeng, name="文峰区", actor=users.admin, reason="")
    org_services.jurisdiction_rename(
        jurisdiction=city.street2, name="西大街街道办", actor=users.admin, reason="按民政部门批复更名"
    )
    response = login(users.leader).get(detail(city.street2))
    html = response.content.decode()
    assert "西大街街道办" in html
    assert "按民政部门批复更名" in html
    assert html.count("<li>", html.index("data-timeline")) >= 2  # created, renamed
    assert users.admin.display_name in html

    html = login(users.leader).get(detail(city.wenfeng)).content.decode()
    assert detail(city.street) in html and detail(city.street2) in html
    assert department(city.wenfeng_police) in html


def test_a_jurisdiction_without_children_or_departments_shows_empty_states(users, login, city):
    html = login(users.grid_worker).get(detail(city.grid)).content.decode()
    assert html.count('class="empty-state"') == 3  # subtree, children, departments


def test_the_township_officer_sees_departments_there_and_above_but_not_beside(users, login, city):
    client = login(users.township_officer)
    names = rows(client.get(DEPARTMENTS))
    assert city.wenfeng_police.name in names
    assert city.city_police.name in names
    assert city.beiguan_police.name not in names
    assert city.mhk_fire.name not in names
    assert client.get(department(city.beiguan_police)).status_code == 404
    assert client.get(department(city.mhk_fire)).status_code == 404


def test_the_department_directory_filters_by_kind_and_name(users, login, city):
    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    client = login(users.leader)
    assert rows(client.get(DEPARTMENTS, {"kind": DepartmentKind.FIRE_RESCUE})) == [fire.name]
    assert rows(client.get(DEPARTMENTS, {"q": "文峰分局"})) == [city.wenfeng_police.name]
    assert client.get(DEPARTMENTS, {"kind": "nonsense"}).status_code == 200


def test_the_department_directory_is_paginated_with_a_fixed_number_of_queries(
    users, login, city, django_assert_max_num_queries
):
    client = login(users.staff)
    for n in range(1, 61):
        DepartmentFactory(name=f"文峰区部门{n:02d}", kind=DepartmentKind.OTHER, jurisdiction=city.wenfeng)
        if n in (10, 60):
            with django_assert_max_num_queries(5):
                response = client.get(DEPARTMENTS)
            assert response.status_code == 200
            assert len(rows(response)) == min(n + 2, 50)


def test_department_detail_is_scoped(users, city):
    assert_scoped_access(
        department(city.wenfeng_police), owner=users.staff, partner=users.township_officer, outsider=users.outsider
    )
    assert_scoped_access(department(city.mhk_fire), owner=users.outsider, outsider=users.leader)


def test_department_detail_links_its_jurisdiction_only_when_the_user_may_open_it(users, login, city):
    assert detail(city.wenfeng) in login(users.staff).get(department(city.wenfeng_police)).content.decode()
    html = login(users.township_officer).get(department(city.wenfeng_police)).content.decode()
    assert city.wenfeng.name in html
    assert detail(city.wenfeng) not in html


def test_department_detail_shows_its_timeline(users, login, city):
    org_services.department_set_active(
        department=city.wenfeng_police, active=False, actor=users.admin, reason="机构改革合并"
    )
    html = login(users.admin).get(department(city.wenfeng_police)).content.decode()
    assert "机构改革合并" in html
    assert "data-timeline" in html


def test_org_pages_need_a_signed_in_user(client, city):
    for url in (LIST, detail(city.street), DEPARTMENTS, department(city.wenfeng_police)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
