"""The fixtures built once per process and copied back per test (tests/helpers/snapshots.py, issue 19 point 3)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction, Membership
from tests.helpers.snapshots import Snapshot
from tests.permits.conftest import permit_city  # noqa: F401  (a snapshot fixture that asks for others)

pytestmark = pytest.mark.django_db


def test_city_and_users_are_given_back_whole(city, users):
    assert Jurisdiction.objects.count() == 10
    assert Jurisdiction.objects.get(code="410502001").path == city.street.path
    assert Membership.objects.filter(user=users.staff, department=city.wenfeng_police).exists()
    assert get_scope(users.leader).jurisdiction_paths == (city.wenfeng.path,)
    users.staff.full_name = "改过的名字"  # a test's change to its copy reaches no other test
    users.staff.save(update_fields=["full_name"])


def test_a_test_s_changes_do_not_reach_the_next(users):
    assert users.staff.full_name != "改过的名字"
    users.staff.refresh_from_db()
    assert users.staff.full_name != "改过的名字"


def test_a_fixture_s_objects_keep_those_of_the_fixtures_it_asked_for(permit_city, city, users):  # noqa: F811
    assert permit_city.city is city and permit_city.users is users
    assert permit_city.wenfeng_fire.jurisdiction_id == city.wenfeng.pk


def test_a_build_that_changes_rows_it_did_not_insert_is_refused(city):
    with transaction.atomic(), pytest.raises(RuntimeError, match="did not insert"):
        Snapshot.take(connection, lambda: Jurisdiction.objects.filter(pk=city.anyang.pk).update(name="改名"))


def test_a_build_that_writes_a_table_without_an_id_is_refused(city):
    def build():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO django_session VALUES ('k', 'd', now())")

    with transaction.atomic(), pytest.raises(RuntimeError, match="no id"):
        Snapshot.take(connection, build)
