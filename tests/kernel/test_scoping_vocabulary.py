"""One scoping vocabulary (issue 13 point 3): the ``Scope`` methods every app's access module speaks, one entry
point for lists (``Model.objects.visible_to(user)``), and one predicate shape (``can_<verb>(scope, obj)``)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.db.models import Q

from crowdsafe.org.access import (
    COORDINATOR_ROLES,
    DEPARTMENT_ROLES,
    EMPTY_SCOPE,
    NOTHING,
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


# --- one entry point, one predicate shape (the tree is read, not imported, where a grep says it best) -----------

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_APPS = ("venues", "events", "permits", "risk", "drills", "duties", "notices", "notifications", "alerts")
# Every module of selectors the entry-point grep reads: the domain apps' and the organisation directory's.
SELECTOR_MODULES = (*(f"{app}/selectors.py" for app in DOMAIN_APPS), "crowdsafe/org/selectors.py")
ACCESS_MODULES = (
    "events.access",
    "risk.access",
    "drills.access",
    "duties.access",
    "permits.access",
    "notices.access",
    "notifications.access",
    "venues.services.access",
    "alerts.access",
)
# Vocabulary that lives on ``Scope`` and nowhere else.
MOVED = (
    "_covers",
    "territory_paths",
    "department_paths",
    "role_paths",
    "coordinator_paths",
    "oversight_paths",
    "organizer_org_ids",
    "operated_organisation_ids",
    "editable_paths",
    "department_memberships",
    "department_covering",
    "in_department",
    "member_of",
)
# Selector functions that read the scope for something other than a list of scoped rows, each with its reason.
NOT_LIST_ENTRY_POINTS = {
    "owner_options": "form choices: the organisations the user belongs to",
    "queue_departments": "form choices: the user's own departments",
    "reassign_targets": "form choices: the departments a head may hand a task to",
    "responsibility_overview": "oversight totals per department, not rows",
    "health_paths": "the subtrees the rules' health page counts, not rows",
    "log_departments": "form choices: the departments whose log the user reads",
    "inspection_get": "one object, found by the application's rule or the inspecting department",
    "comments_for": "one application's comment threads, by the user's part in it",
    "departments_headed": "the user's own memberships as head",
    "department_for_reached": "one department, decided by alerts.access.can_read_reached",
    "acknowledgment_by_department": "oversight totals per department, not rows",
    "gaps_for": "the recipient gaps of the user's territory, not rows",
    "read_scope_ids": "the ids one request's list, count and map share, read once and handed to gathering_list",
    "count_plan": "how the capped count reads the list's rows (an index order, a lower bound), not rows",
    "hazard_count_plan": "how the hazard list's capped count reads its rows (an index order, a lower bound)",
    "attention_count_plan": "how the attention list's capped count reads its rows (a lower bound by place)",
}
# The entry points of lists the grep must find starting from visible_to (besides the ``*_visible`` functions).
LIST_SELECTORS = {
    "jurisdiction_list",
    "department_list",
    "organisation_list",
    "alerts_of",
    "my_inspections",
}


def _python_files():
    for app in (*DOMAIN_APPS, "crowdsafe"):
        yield from (p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def _functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def test_no_app_keeps_its_own_copy_of_the_scope_vocabulary():
    kernel = ROOT / "crowdsafe" / "org" / "access.py"
    found = [
        f"{path.relative_to(ROOT)}: def {name}"
        for path in _python_files()
        if path != kernel
        for name in MOVED
        if re.search(rf"^\s*def {name}\(", path.read_text(encoding="utf-8"), re.M)
    ]
    assert found == []


def test_every_list_selector_starts_from_visible_to():
    offenders, entry_points, seen = [], 0, set()
    for module in SELECTOR_MODULES:
        path = ROOT / module
        source = path.read_text(encoding="utf-8")
        for function in _functions(path):
            seen.add(function.name)
            body = ast.get_source_segment(source, function) or ""
            where = f"{module}: {function.name}"
            if re.search(r"\bvisible_q\(|_scope_q\(", body):
                offenders.append(f"{where} builds its own scope")
            if "get_scope(" in body and function.name not in NOT_LIST_ENTRY_POINTS:
                offenders.append(f"{where} reads the scope itself")
            if function.name.endswith("_visible") or function.name in LIST_SELECTORS:
                entry_points += 1
                if ".visible_to(" not in body:
                    offenders.append(f"{where} does not start from visible_to")
    assert offenders == []
    assert entry_points >= 16  # the grep found the entry points it checks
    assert set(NOT_LIST_ENTRY_POINTS) | LIST_SELECTORS <= seen  # no stale name shields a selector


def test_permission_questions_are_predicates_of_the_access_modules_not_selectors(users):
    from duties.access import can_see_overview, can_see_rules_health
    from notifications.access import can_see_delivery_log

    leader, staff = get_scope(users.leader), get_scope(users.staff)
    assert can_see_overview(leader) and can_see_rules_health(leader) and can_see_delivery_log(leader)
    assert not can_see_overview(staff) and not can_see_rules_health(staff) and not can_see_delivery_log(staff)
    for module in SELECTOR_MODULES:
        source = (ROOT / module).read_text(encoding="utf-8")
        assert not re.search(r"^def can_", source, re.M), f"{module} keeps a can_ predicate"


def test_every_can_predicate_takes_the_scope_and_the_object():
    checked = 0
    for module_name in ACCESS_MODULES:
        module = importlib.import_module(module_name)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("can_") or function.__module__ != module_name:
                continue
            parameters = list(inspect.signature(function).parameters.values())
            assert [p.name for p in parameters[:2]] == ["scope", "obj"], f"{module_name}.{name}"
            assert all(p.default is not inspect.Parameter.empty for p in parameters[2:]), f"{module_name}.{name}"
            checked += 1
    assert checked >= 20


def test_every_scoped_model_names_a_rule_that_exists():
    from django.apps import apps
    from django.utils.module_loading import import_string

    from crowdsafe.common.scoping import ScopedQuerySet

    scoped = {
        model.__name__: model.objects._queryset_class.visibility_rule
        for model in apps.get_models()
        if issubclass(getattr(model.objects, "_queryset_class", object), ScopedQuerySet)
    }
    assert {"Gathering", "Venue", "PermitApplication", "Task", "Hazard", "EmergencyPlan", "Notice"} <= set(scoped)
    assert {"Jurisdiction", "Department", "Organisation", "Alert", "SiteInspection"} <= set(scoped)
    for rule in scoped.values():
        assert callable(import_string(rule))


# --- visible_to --------------------------------------------------------------------------------------------------


def test_visible_to_applies_the_models_rule_lets_superusers_see_all_and_anonymous_visitors_nothing(city, users):
    from django.contrib.auth.models import AnonymousUser

    from venues.models import Venue
    from venues.services import venue_create

    venue = venue_create(actor=None, name="文峰塔广场", kind="square", grid=city.grid, address="文峰大道1号")
    superuser = UserFactory(is_superuser=True)
    assert list(Venue.objects.visible_to(users.township_officer)) == [venue]  # the owner of the territory
    assert list(Venue.objects.visible_to(superuser)) == [venue]
    assert not Venue.objects.visible_to(users.outsider).exists()
    assert not Venue.objects.visible_to(AnonymousUser()).exists()


def test_visible_to_reads_the_scope_once_per_user(city, users, django_assert_num_queries):
    from duties.models import Task
    from events.models import Gathering

    user = UserFactory._meta.model.objects.get(pk=users.leader.pk)
    with django_assert_num_queries(1):  # the memberships, once
        Gathering.objects.visible_to(user)
        Task.objects.visible_to(user)


def test_a_queryset_without_a_rule_refuses_to_guess(users):
    from crowdsafe.common.scoping import ScopedQuerySet
    from venues.models import Venue

    with pytest.raises(NotImplementedError):
        ScopedQuerySet(model=Venue).visible_to(users.leader)


def test_the_organisation_directory_is_scoped_by_visible_to(city, users):
    from crowdsafe.org.models import Department, Jurisdiction, Organisation

    officer = users.township_officer
    territories = set(Jurisdiction.objects.visible_to(officer))
    assert {city.street, city.grid} <= territories and city.street2 not in territories
    assert city.wenfeng_police in set(Department.objects.visible_to(officer))  # the district's bureau, above
    assert city.organisation in set(Organisation.objects.visible_to(users.organizer))  # their own
    outsider = set(Jurisdiction.objects.visible_to(users.outsider))  # a township of another city
    assert outsider and not outsider & territories
    nobody = UserFactory()  # no membership at all
    for model in (Jurisdiction, Department, Organisation):
        assert not model.objects.visible_to(nobody).exists()


def test_my_inspections_are_the_own_department_option_of_the_inspection_rule(city, users):
    from permits.access import inspection_visible_q

    scope = get_scope(users.staff)
    assert inspection_visible_q(scope, own_department=True) == Q(department_id__in=sorted(scope.department_ids))
    assert inspection_visible_q(get_scope(users.outsider), own_department=True) == NOTHING
