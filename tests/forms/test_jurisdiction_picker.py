"""The jurisdiction picker's data (issue 20 point 3): /pickers/jurisdictions/ answers, by name, only the territories
the user may see, at most 20; every territory filter's input is marked for the picker."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crowdsafe.common.filters import TerritoryFilter
from crowdsafe.common.pickers import LIMIT
from crowdsafe.org.choices import JurisdictionLevel
from events.filters import GatheringFilterSet
from tests.factories import JurisdictionFactory
from tests.forms.conftest import signed_in

pytestmark = pytest.mark.django_db


def search(user, **params) -> list[dict]:
    response = signed_in(user, "zh-hans").get(reverse("jurisdiction_picker"), params)
    assert response.status_code == 200
    return response.json()["results"]


def test_a_name_finds_the_territories_in_scope(city, users):
    found = search(users.leader, q="大街")
    assert [row["code"] for row in found] == ["410502001", "410502002", "410502001001", "410502001001G01"]
    assert found[0] == {"code": "410502001", "name": "东大街街道", "level": "乡镇/街道", "parent": "文峰区"}
    assert [row["name"] for row in search(users.leader, q="第一网格")] == ["东大街社区第一网格"]
    assert search(users.leader, q="4105020010") == search(users.leader, q="东大街社区")


def test_territories_out_of_scope_are_not_found(city, users):
    assert search(users.leader, q="山城") == []
    assert search(users.leader, code="220581100") == []
    assert search(users.outsider, q="大街") == []
    assert [row["name"] for row in search(users.outsider, q="山城")] == ["山城镇"]


def test_a_code_gives_its_name_and_nothing_asked_gives_nothing(city, users):
    assert [row["name"] for row in search(users.leader, code="410502001001g01")] == ["东大街社区第一网格"]
    assert search(users.leader) == []
    assert search(users.leader, q="   ") == []


def test_at_most_twenty(city, users):
    for number in range(LIMIT + 5):
        JurisdictionFactory(
            code=f"410502001{number + 100:03d}",
            name=f"测试社区{number}",
            level=JurisdictionLevel.COMMUNITY,
            parent=city.street,
        )
    assert len(search(users.leader, q="测试社区")) == LIMIT


def test_signed_out_people_are_sent_to_sign_in(city, client):
    response = client.get(reverse("jurisdiction_picker"), {"q": "大街"})
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_every_territory_filter_is_marked_for_the_picker():
    assert "data-jurisdiction-picker" in TerritoryFilter().field.widget.attrs
    widget = GatheringFilterSet().form.fields["jurisdiction"].widget
    assert "data-jurisdiction-picker" in widget.attrs


def test_the_picker_script_is_on_every_page(city, users):
    page = signed_in(users.leader, "zh-hans").get(reverse("events:gathering_list")).content.decode()
    assert "js/jurisdiction-picker.js" in page
    assert 'data-url="/pickers/jurisdictions/"' in page
