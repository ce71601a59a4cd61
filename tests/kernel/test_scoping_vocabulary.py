"""One scoping vocabulary (issue 13 point 3): the ``Scope`` methods every app's access module speaks, one entry
point for lists (``Model.objects.visible_to(user)``), and one predicate shape (``can_<verb>(scope, obj)``)."""

from __future__ import annotations

import pytest

from crowdsafe.org.access import (
    COORDINATOR_ROLES,
    DEPARTMENT_ROLES,
    EMPTY_SCOPE,
    SYSTEM_SCOPE,
    actor_scope,
    get_scope,
)
from crowdsafe.org.choices import DepartmentKind, Role
from tests.factories import DepartmentFactory, UserFactory, member

pytestmark = pytest.mark.django_db


# --- the Scope vocabulary ------------------------------------------------------------------------------------------


def test_paths_for_gives_the_subtrees_of_the_roles_asked_for(city, users):
    officer = get_scope(users.township_officer)
    assert officer.paths_for(Role.TOWNSHIP_OFFICER) == (city.street.path,)
    assert officer.paths_for({Role.LEADER, Role.ADMIN}) == ()
    assert get_scope(users.staff).paths_for() == (city.wenfeng.path,)  # a department's jurisdiction is territory


def test_paths_for_gives_an_organisation_no_territory(city, users):
    assert get_scope(users.organizer).paths_for() == ()


def test_paths_for_a_department_kind_counts_only_departments_of_that_kind(city, users):
    staff = member(
        users.staff,
        role=Role.STAFF,
        department=DepartmentFactory(kind=DepartmentKind.EMERGENCY, jurisdiction=city.beiguan),
    ).user
    scope = get_scope(staff)
    assert scope.paths_for(department_kind=DepartmentKind.EMERGENCY) == (city.beiguan.path,)
    assert scope.paths_for(department_kind=DepartmentKind.PUBLIC_SECURITY) == (city.wenfeng.path,)
    assert get_scope(users.leader).paths_for(DEPARTMENT_ROLES, department_kind=DepartmentKind.EMERGENCY) == ()


def test_paths_for_a_department_kind_still_counts_the_jurisdictions_of_the_roles_asked_for(city, users):
    # "Township officers, leaders, admins and emergency-management departments" (who coordinate plans): one call.
    roles = COORDINATOR_ROLES | DEPARTMENT_ROLES
    assert get_scope(users.leader).paths_for(roles, department_kind=DepartmentKind.EMERGENCY) == (city.wenfeng.path,)
    assert get_scope(users.staff).paths_for(roles, department_kind=DepartmentKind.EMERGENCY) == ()


def test_paths_for_leaves_out_deactivated_departments(city, users):
    city.wenfeng_police.is_active = False
    city.wenfeng_police.save(update_fields=["is_active"])
    assert get_scope(UserFactory._meta.model.objects.get(pk=users.staff.pk)).paths_for() == ()


def test_paths_for_keeps_only_the_outermost_of_nested_subtrees(city):
    user = member(role=Role.LEADER, jurisdiction=city.wenfeng).user
    member(user, role=Role.GRID_WORKER, jurisdiction=city.grid)
    assert get_scope(user).paths_for() == (city.wenfeng.path,)


def test_covers_a_place_in_the_territory_of_the_roles_asked_for(city, users):
    officer = get_scope(users.township_officer)
    assert officer.covers(city.grid.path)
    assert officer.covers(city.grid.path, Role.TOWNSHIP_OFFICER)
    assert not officer.covers(city.grid.path, Role.LEADER)
    assert not officer.covers(city.street2.path)


def test_covers_nothing_without_a_place_but_a_superuser_covers_everything(city, users):
    assert not get_scope(users.leader).covers("")
    assert not get_scope(users.leader).covers(None)
    assert SYSTEM_SCOPE.covers("") and SYSTEM_SCOPE.covers(city.meihekou.path)


def test_departments_for_and_department_covering_pick_the_nearest_department(city, users):
    user = member(users.head, role=Role.STAFF, department=city.city_police).user
    scope = get_scope(user)
    assert {d.pk for d in scope.departments_for()} == {city.wenfeng_police.pk, city.city_police.pk}
    assert [d.pk for d in scope.departments_for(Role.HEAD)] == [city.wenfeng_police.pk]
    assert scope.department_covering(city.grid.path).pk == city.wenfeng_police.pk
    assert scope.department_covering(city.beiguan.path).pk == city.city_police.pk
    assert scope.department_covering(city.beiguan.path, Role.HEAD) is None
    assert scope.department_covering(city.meihekou.path) is None


def test_organisation_and_jurisdiction_ids_for_a_role(city, users):
    organizer = get_scope(users.organizer)
    assert organizer.organisation_ids_for() == {city.organisation.pk}
    assert organizer.organisation_ids_for(Role.ORGANIZER) == {city.organisation.pk}
    assert organizer.organisation_ids_for(Role.VENUE_OPERATOR) == frozenset()
    officer = get_scope(users.township_officer)
    assert officer.jurisdiction_ids_for(Role.TOWNSHIP_OFFICER) == {city.street.pk}
    assert officer.jurisdiction_ids_for(Role.LEADER) == frozenset()


def test_the_platform_acting_has_the_system_scope_and_an_anonymous_visitor_the_empty_one(users):
    from django.contrib.auth.models import AnonymousUser

    assert actor_scope(None) is SYSTEM_SCOPE
    assert actor_scope(AnonymousUser()) is EMPTY_SCOPE
    assert actor_scope(users.leader) is get_scope(users.leader)
