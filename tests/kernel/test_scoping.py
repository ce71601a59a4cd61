"""Territorial scoping (属地管理): a user sees the subtree of their territory and nothing else."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from crowdsafe.org.access import ancestor_paths, get_scope, minimal_prefixes
from crowdsafe.org.choices import Role
from crowdsafe.org.selectors import department_list, jurisdiction_list, jurisdiction_subtree
from crowdsafe.org.services import grant_to_department, revoke_from_department
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db


def codes(qs):
    return {j.code for j in qs}


def test_a_township_officer_of_a_wenfeng_township_sees_that_townships_subtree_only(city, users):
    visible = codes(jurisdiction_list(user=users.township_officer))

    assert visible == {"410502001", "410502001001", "410502001001G01"}
    assert "410503" not in visible and "410503001" not in visible  # nothing of 北关区
    assert not any(code.startswith("220581") for code in visible)  # nothing of 梅河口市
    assert "410502" not in visible  # not even its own district: that is not its territory


def test_the_subtree_is_one_query(city, users, django_assert_num_queries):
    get_scope(users.township_officer)  # the scope is read once per request, before any list
    with django_assert_num_queries(1):
        list(jurisdiction_subtree(user=users.township_officer, root=city.street))


def test_the_subtree_query_is_a_prefix_match_that_can_use_the_path_index(city, users):
    sql, params = jurisdiction_list(user=users.township_officer).query.sql_with_params()
    with connection.cursor() as cursor:
        # The test table is tiny, so forbid sequential scans to see whether the index *can* serve the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Django's varchar_pattern_ops index for the unique path column ("..._like") turns the prefix into a range.
    # An index scan or, when the statistics say more rows match, a bitmap index scan: either way that index.
    assert re.search(r"Index Scan (using|on) org_jurisdiction_path_\w*_like", plan), plan
    assert "~>=~" in plan, plan


def test_a_leader_of_a_district_sees_the_whole_district_but_not_the_next_one(city, users):
    visible = codes(jurisdiction_list(user=users.leader))
    assert {"410502", "410502001", "410502002", "410502001001G01"} <= visible
    assert not visible & {"410503", "410503001", "410500", "220581", "220581100"}


def test_department_staff_see_their_departments_jurisdiction_subtree(city, users):
    visible = codes(jurisdiction_list(user=users.staff))
    assert "410502002" in visible and "410503" not in visible


def test_a_user_without_membership_sees_nothing(city):
    assert not jurisdiction_list(user=UserFactory()).exists()


def test_a_superuser_sees_everything(city):
    root = UserFactory(is_superuser=True)
    assert {"410500", "220581"} <= codes(jurisdiction_list(user=root))


def test_a_grant_to_a_department_opens_one_territory_and_revoking_closes_it(city, users):
    mhk_staff = member(role=Role.STAFF, department=city.mhk_fire).user
    assert "410502001" not in codes(jurisdiction_list(user=mhk_staff))

    grant_to_department(obj=city.street, codename="view_jurisdiction", department=city.mhk_fire, actor=users.admin)
    mhk_staff = type(mhk_staff).objects.get(pk=mhk_staff.pk)  # a new request
    visible = codes(jurisdiction_list(user=mhk_staff))
    assert "410502001" in visible
    assert "410502002" not in visible  # the grant is for that object only, not its neighbours

    revoke_from_department(obj=city.street, codename="view_jurisdiction", department=city.mhk_fire, actor=None)
    mhk_staff = type(mhk_staff).objects.get(pk=mhk_staff.pk)
    assert "410502001" not in codes(jurisdiction_list(user=mhk_staff))


def test_a_township_sees_the_departments_of_its_district_and_city_above_it_but_not_a_neighbour(city, users):
    names = {d.name for d in department_list(user=users.township_officer)}
    assert {"安阳市公安局文峰分局", "安阳市公安局"} <= names
    assert "安阳市公安局北关分局" not in names
    assert "梅河口市消防救援大队" not in names


def test_minimal_prefixes_drops_nested_paths():
    assert minimal_prefixes(["410500/410502/", "410500/", "220581/"]) == ("220581/", "410500/")
    assert ancestor_paths("410500/410502/410502001/") == ["410500/", "410500/410502/"]
