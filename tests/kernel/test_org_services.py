from __future__ import annotations

import pytest

from crowdsafe.errors import DomainError
from crowdsafe.org.choices import JurisdictionLevel, Role
from crowdsafe.org.models import Jurisdiction, Membership
from crowdsafe.org.services import (
    department_create,
    jurisdiction_create,
    membership_add,
    membership_remove,
    organisation_create,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
L = JurisdictionLevel


def test_a_new_jurisdiction_gets_its_materialised_path(city):
    j = jurisdiction_create(code="410502001002", name="新社区", level=L.COMMUNITY, parent=city.street, actor=None)
    assert j.path == "410500/410502/410502001/410502001002/"
    assert j.depth == 3


@pytest.mark.parametrize(
    ("code", "level", "field"),
    [
        ("410602001", L.TOWNSHIP, "code"),  # belongs to another district
        ("410502003", L.DISTRICT, "level"),  # a district under a district
        ("4105020", L.TOWNSHIP, "code"),  # not an official code shape
        ("410502001", L.TOWNSHIP, "code"),  # exists already
    ],
)
def test_it_refuses_an_inconsistent_jurisdiction_and_creates_nothing(city, code, level, field):
    before = Jurisdiction.objects.count()
    with pytest.raises(DomainError) as err:
        jurisdiction_create(code=code, name="错误", level=level, parent=city.wenfeng, actor=None)
    assert err.value.field == field
    assert Jurisdiction.objects.count() == before


def test_only_a_city_may_be_a_root(db):
    with pytest.raises(DomainError):
        jurisdiction_create(code="410502", name="文峰区", level=L.DISTRICT, parent=None, actor=None)


def test_a_county_level_city_root_takes_townships_directly(db):
    mhk = jurisdiction_create(code="220581", name="梅河口市", level=L.CITY, parent=None, actor=None)
    town = jurisdiction_create(code="220581101", name="红梅镇", level=L.TOWNSHIP, parent=mhk, actor=None)
    assert town.path == "220581/220581101/"


def test_a_department_gets_its_own_permission_group(city):
    dept = department_create(name="文峰区消防救援大队", kind="fire_rescue", jurisdiction=city.wenfeng, actor=None)
    assert dept.group.name.startswith("department:410502:")
    with pytest.raises(DomainError):
        department_create(name="文峰区消防救援大队", kind="fire_rescue", jurisdiction=city.wenfeng, actor=None)


def test_an_organisation_needs_a_valid_unified_social_credit_code(city):
    with pytest.raises(DomainError) as err:
        organisation_create(
            name="某公司",
            kind="organizer",
            credit_code="12345",
            jurisdiction=city.wenfeng,
            safety_officer_name="李四",
            safety_officer_phone="13900000000",
            actor=None,
        )
    assert err.value.field == "credit_code"


def test_a_role_must_sit_on_the_anchor_it_needs(city):
    user = UserFactory()
    with pytest.raises(DomainError):
        membership_add(user=user, role=Role.STAFF, jurisdiction=city.wenfeng, actor=None)
    with pytest.raises(DomainError):
        membership_add(user=user, role=Role.GRID_WORKER, jurisdiction=city.wenfeng, actor=None)  # not a grid
    assert not Membership.objects.filter(user=user).exists()


def test_staff_join_and_leave_their_departments_group(city):
    user = UserFactory()
    membership = membership_add(user=user, role=Role.STAFF, department=city.wenfeng_police, actor=None)
    assert user.groups.filter(pk=city.wenfeng_police.group_id).exists()
    again = membership_add(user=user, role=Role.STAFF, department=city.wenfeng_police, actor=None)
    assert again.pk == membership.pk  # idempotent
    membership_remove(membership=membership, actor=None, reason="调离")
    assert not user.groups.filter(pk=city.wenfeng_police.group_id).exists()
