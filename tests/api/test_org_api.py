from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from crowdsafe.org.choices import JurisdictionLevel, Role
from crowdsafe.org.services import grant_to_department, jurisdiction_create
from tests.factories import PASSWORD, member
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_me_returns_the_user_with_memberships(users):
    body = client_for(users.township_officer).get("/api/v1/me/").json()
    assert body["username"] == "u_township_officer"
    [membership] = body["memberships"]
    assert membership["role"] == "township_officer"
    assert membership["jurisdiction"]["code"] == "410502001"


def test_the_api_refuses_anonymous_callers(city):
    assert APIClient().get("/api/v1/jurisdictions/").status_code in {401, 403}


def test_a_token_from_username_and_password_authenticates(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 200
    client = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/me/").json()["username"] == "u_leader"
    assert Token.objects.filter(user=users.leader).exists()


def test_a_wrong_password_gets_a_400_not_a_token(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": "u_leader", "password": "wrong"})
    assert response.status_code == 400


def test_jurisdiction_list_is_scoped_to_the_territory(users):
    body = client_for(users.township_officer).get("/api/v1/jurisdictions/").json()
    assert {row["code"] for row in body["results"]} == {"410502001", "410502001001", "410502001001G01"}
    assert body["count"] == 3


def test_jurisdiction_list_filters_by_level_and_parent(users):
    client = client_for(users.leader)
    body = client.get("/api/v1/jurisdictions/", {"level": "township"}).json()
    assert {row["code"] for row in body["results"]} == {"410502001", "410502002"}
    body = client.get("/api/v1/jurisdictions/", {"parent": "410502001"}).json()
    assert [row["code"] for row in body["results"]] == ["410502001001"]


def test_bad_filters_get_a_400_with_the_field(users):
    response = client_for(users.leader).get("/api/v1/jurisdictions/", {"level": "planet"})
    assert response.status_code == 400
    assert "level" in response.json()


def test_a_parent_outside_the_territory_is_not_found(users):
    response = client_for(users.leader).get("/api/v1/jurisdictions/", {"parent": "410503"})
    assert response.status_code == 404


def test_jurisdiction_detail_owner_partner_outsider(city, users):
    partner = member(role=Role.STAFF, department=city.mhk_fire).user
    grant_to_department(obj=city.street, codename="view_jurisdiction", department=city.mhk_fire, actor=None)
    assert_scoped_access(
        "/api/v1/jurisdictions/410502001/", owner=users.township_officer, partner=partner, outsider=users.outsider
    )


def test_the_tree_nests_the_subtree_to_the_asked_depth(users):
    client = client_for(users.leader)
    tree = client.get("/api/v1/jurisdictions/410502/tree/", {"depth": 1}).json()
    assert tree["code"] == "410502"
    assert {child["code"] for child in tree["children"]} == {"410502001", "410502002"}
    assert all(child["children"] == [] for child in tree["children"])
    deep = client.get("/api/v1/jurisdictions/410502/tree/", {"depth": 3}).json()
    street = next(c for c in deep["children"] if c["code"] == "410502001")
    assert street["children"][0]["children"][0]["code"] == "410502001001G01"
    assert client.get("/api/v1/jurisdictions/410502/tree/", {"depth": 9}).status_code == 400
    assert client.get("/api/v1/jurisdictions/410503/tree/").status_code == 404


def test_department_list_is_scoped_and_filterable(users):
    client = client_for(users.township_officer)
    names = {row["name"] for row in client.get("/api/v1/departments/").json()["results"]}
    assert names == {"安阳市公安局文峰分局", "安阳市公安局"}
    body = client.get("/api/v1/departments/", {"jurisdiction": "410502"}).json()
    assert [row["name"] for row in body["results"]] == ["安阳市公安局文峰分局"]


def test_department_detail_is_404_for_an_outsider(city, users):
    assert_scoped_access(
        f"/api/v1/departments/{city.wenfeng_police.pk}/", owner=users.township_officer, outsider=users.outsider
    )


@pytest.mark.parametrize("size", [5, 60])
def test_list_query_count_does_not_grow_with_the_page(city, users, size, django_assert_max_num_queries):
    for i in range(size):
        jurisdiction_create(
            code=f"410502001{i + 100:03d}",
            name=f"社区{i}",
            level=JurisdictionLevel.COMMUNITY,
            parent=city.street,
            actor=None,
        )
    client = client_for(users.township_officer)
    # session/auth + scope + count + page: the same whatever the page size
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/jurisdictions/", {"page_size": 100})
    assert response.json()["count"] == size + 3
