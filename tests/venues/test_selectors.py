"""Who sees which venues (DESIGN.md section 4), and the list filters."""

from __future__ import annotations

import pytest
from django.db import connection

from crowdsafe.org.choices import DepartmentKind, Role
from crowdsafe.org.services import grant_to_department
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory, member
from tests.venues.conftest import add_square_zone_and_exits, make_venue
from venues import services
from venues.choices import VenueKind
from venues.selectors import operator_choices, venue_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(city, operator):
    """A venue in each corner of the tree: 东大街 grid (operated), a 西大街 community, 北关区, 梅河口市."""
    xidajie = JurisdictionFactory(code="410502002001", name="西大街社区", level="community", parent=city.street2)
    hongqi = JurisdictionFactory(code="410503001001", name="红旗路社区", level="community", parent=city.beiguan_street)
    shancheng = JurisdictionFactory(code="220581100001", name="山城社区", level="community", parent=city.mhk_town)
    return {
        "dongdajie": make_venue(city.grid, name="东大街广场", operator=operator.organisation),
        "xidajie": make_venue(xidajie, name="西大街商场", kind=VenueKind.COMMERCIAL, address="西大街88号"),
        "beiguan": make_venue(hongqi, name="红旗路网吧", kind=VenueKind.ENTERTAINMENT, operator=operator.other),
        "meihekou": make_venue(shancheng, name="山城公园", kind=VenueKind.PARK),
    }


def names(user, **filters):
    return {v.name for v in venue_list(user=user, filters=filters)}


def test_government_users_see_the_venues_of_their_territory(places, users):
    assert names(users.township_officer) == {"东大街广场"}
    assert names(users.grid_worker) == {"东大街广场"}
    assert names(users.leader) == {"东大街广场", "西大街商场"}
    assert names(users.admin) == {"东大街广场", "西大街商场", "红旗路网吧"}
    assert names(users.outsider) == {"山城公园"}


def test_department_staff_see_their_departments_subtree(places, users, city):
    assert names(users.staff) == {"东大街广场", "西大街商场"}
    city_police = member(role=Role.STAFF, department=city.city_police).user
    assert names(city_police) == {"东大街广场", "西大街商场", "红旗路网吧"}


def test_a_venue_operator_sees_the_venues_of_their_organisation(places, operator):
    assert names(operator.user) == {"东大街广场"}


def test_users_without_a_role_see_nothing_and_superusers_everything(places):
    assert names(UserFactory()) == set()
    assert len(names(UserFactory(username="root", is_superuser=True))) == 4


def test_a_grant_to_a_department_opens_one_venue_to_it(places, city):
    fire = DepartmentFactory(name="梅河口市消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.meihekou)
    partner = member(role=Role.STAFF, department=fire).user
    assert names(partner) == {"山城公园"}
    grant_to_department(obj=places["beiguan"], codename="view_venue", department=fire, actor=None)
    assert names(partner) == {"山城公园", "红旗路网吧"}


def test_filters(places, users, operator):
    admin = users.admin
    assert names(admin, kind=VenueKind.COMMERCIAL) == {"西大街商场"}
    assert names(admin, jurisdiction="410502") == {"东大街广场", "西大街商场"}
    assert names(admin, jurisdiction="410502001001G01") == {"东大街广场"}
    assert names(admin, jurisdiction="999999") == set()
    assert names(admin, search="88号") == {"西大街商场"}
    assert names(admin, search="网吧") == {"红旗路网吧"}
    assert names(admin, operator=operator.other.pk) == {"红旗路网吧"}
    add_square_zone_and_exits(places["dongdajie"])
    services.venue_update(venue=places["dongdajie"], actor=None, data={"declared_capacity": 9000})
    assert names(admin, capacity_warning=True) == {"东大街广场"}
    services.venue_deactivate(venue=places["xidajie"], actor=None, reason="关闭")
    assert "西大街商场" not in names(admin)
    assert "西大街商场" in names(admin, include_inactive=True)


def test_a_territory_filter_outside_the_scope_finds_nothing(places, users):
    assert names(users.township_officer, jurisdiction="220581") == set()


def test_operator_choices_list_the_operators_of_visible_venues(places, users, operator):
    assert list(operator_choices(user=users.leader)) == [operator.organisation]


def test_territorial_scoping_of_venues_is_an_indexed_prefix_match(places, users):
    sql, params = venue_list(user=users.township_officer).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "venues_venue_path_like" in plan, plan
    assert "~>=~" in plan, plan
