"""The drill rules through the engine: drill-due tasks made by the seeded rules, settled by recording a drill,
and the next one due the rule's interval after the drill (acceptance: a mall drilled on 2026-03-10)."""

from __future__ import annotations

import datetime as dt

import pytest

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from drills import selectors, services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from drills.duties import GOVERNMENT_DRILL, ON_SITE_PLAN_DRILL, VENUE_DRILL
from duties.choices import TaskStatus
from duties.models import ResponsibilityRule, Task
from tests.drills.conftest import LAST_DRILL, make_plan
from tests.factories import DepartmentFactory
from venues.choices import VenueKind
from venues.services import venue_create

pytestmark = pytest.mark.django_db


def venue_tasks(venue):
    return list(
        Task.objects.filter(subject_type="venue", subject_id=venue.pk, rule__key=VENUE_DRILL).order_by("period")
    )


def test_the_drill_rules_are_seeded_with_their_keys_sources_and_intervals():
    rules = {r.key: r for r in ResponsibilityRule.objects.filter(key__startswith="drills.")}
    assert set(rules) == {
        "drills.venue_drill",
        "drills.on_site_plan_drill",
        "drills.pre_event_drill",
        "drills.government_drill",
        "drills.after_action_item",
    }
    assert rules["drills.venue_drill"].recurrence_months == 6
    assert rules["drills.venue_drill"].party_kind == "venue_operator"
    assert "commercial" in rules["drills.venue_drill"].conditions["kind__in"]
    assert "《生产安全事故应急条例》第八条" in rules["drills.venue_drill"].source
    assert rules["drills.on_site_plan_drill"].conditions == {"kind": "on_site"}
    assert rules["drills.on_site_plan_drill"].recurrence_months == 6
    pre = rules["drills.pre_event_drill"]
    assert (pre.subject_type, pre.event, pre.conditions) == (
        "permit_application",
        "state_changed",
        {"state": "approved"},
    )
    assert (pre.party_kind, pre.deadline_from, pre.deadline_attribute) == (
        "organizer",
        "attribute",
        "eve_of_first_session",
    )
    assert pre.recurrence_months is None
    gov = rules["drills.government_drill"]
    assert gov.recurrence_months == 24 and gov.conditions == {"level__in": ["city", "district", "township"]}


def test_the_seed_is_idempotent_and_keeps_an_administrators_edit():
    from importlib import import_module

    from django.apps import apps

    rule = ResponsibilityRule.objects.get(key=VENUE_DRILL)
    rule.recurrence_months = 3
    rule.save()
    import_module("drills.migrations.0002_seed_rules").seed(apps, None)
    assert ResponsibilityRule.objects.filter(key__startswith="drills.").count() == 5
    assert ResponsibilityRule.objects.get(key=VENUE_DRILL).recurrence_months == 3


def test_a_mall_owes_its_operator_a_drill_when_it_is_registered(world):
    [task] = venue_tasks(world.mall)
    assert task.responsible_organisation == world.operator_org
    assert task.status == TaskStatus.OPEN


def test_a_square_is_not_a_crowded_business_and_owes_no_venue_drill(world):
    square = venue_create(actor=None, name="文峰广场", kind=VenueKind.SQUARE, grid=world.city.grid)
    assert venue_tasks(square) == []


def test_a_mall_drilled_on_2026_03_10_is_due_again_by_2026_09_10_and_overdue_after(world):
    """Acceptance: the last drill on 2026-03-10 → a drill due by 2026-09-10, shown overdue after that date."""
    plan = make_plan(world)
    services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=LAST_DRILL,
        scenario="中庭踩踏险情疏散",
        narrative="全员疏散演练",
        today=dt.date(2026, 3, 12),
    )
    first, second = venue_tasks(world.mall)
    assert first.status == TaskStatus.DONE
    assert second.status == TaskStatus.OPEN
    assert second.anchor_date == LAST_DRILL
    assert second.due_date == dt.date(2026, 9, 10)
    assert second.responsible_organisation == world.operator_org

    on_the_day = selectors.overdue_drills(user=world.operator, today=dt.date(2026, 9, 10))
    assert second not in on_the_day
    after = selectors.overdue_drills(user=world.operator, today=dt.date(2026, 9, 11))
    assert second in after
    # The territory sees it too (the street's officer), and the plan is listed as not drilled in time.
    assert second in selectors.overdue_drills(user=world.users.township_officer, today=dt.date(2026, 9, 11))
    overdue_plans = selectors.plan_list(user=world.operator, filters={"drill": "overdue"}, today=dt.date(2026, 9, 11))
    assert plan in overdue_plans
    in_time = selectors.plan_list(user=world.operator, filters={"drill": "in_time"}, today=dt.date(2026, 9, 10))
    assert plan in in_time


def test_an_older_drill_recorded_later_does_not_restart_the_clock(world):
    plan = make_plan(world)
    services.drill_record(actor=world.operator, plan=plan, held_on=LAST_DRILL, scenario="s", narrative="n")
    services.drill_record(actor=world.operator, plan=plan, held_on=dt.date(2026, 1, 5), scenario="s", narrative="n")
    tasks = venue_tasks(world.mall)
    assert len(tasks) == 2 and tasks[1].due_date == dt.date(2026, 9, 10)
    plan.refresh_from_db()
    assert plan.last_drilled_on == LAST_DRILL


def test_an_on_site_plan_owes_its_owner_a_drill_every_six_months(world):
    plan = make_plan(world, kind=PlanKind.ON_SITE, title="中庭现场处置方案")
    [task] = Task.objects.filter(subject_type="emergency_plan", subject_id=plan.pk, rule__key=ON_SITE_PLAN_DRILL)
    assert task.responsible_organisation == world.operator_org
    assert plan.drill_interval_months == 6
    services.drill_record(actor=world.operator, plan=plan, held_on=dt.date(2026, 5, 20), scenario="s", narrative="n")
    successor = Task.objects.get(
        subject_type="emergency_plan", subject_id=plan.pk, rule__key=ON_SITE_PLAN_DRILL, period=2
    )
    assert successor.due_date == dt.date(2026, 11, 20)


def test_withdrawing_an_on_site_plan_cancels_its_drill_duty(world):
    plan = make_plan(world, kind=PlanKind.ON_SITE)
    services.plan_withdraw(plan=plan, actor=world.operator, reason="并入总体预案")
    [task] = Task.objects.filter(subject_type="emergency_plan", subject_id=plan.pk)
    assert task.status == TaskStatus.CANCELLED


def test_governments_owe_a_drill_every_two_years_held_by_their_emergency_department_or_office(world):
    city = world.city
    count = services.government_drill_duties_sync()
    assert count >= 6  # 安阳市, 文峰区, 北关区, three streets, 梅河口市, 山城镇
    tasks = {t.subject_id: t for t in Task.objects.filter(rule__key=GOVERNMENT_DRILL)}
    assert tasks[city.wenfeng.pk].responsible_department == world.emergency
    assert tasks[city.street.pk].responsible_department == world.street_office
    assert tasks[city.street2.pk].responsible_jurisdiction == city.street2  # no office recorded: the street itself
    assert city.grid.pk not in tasks and city.community.pk not in tasks
    assert services.government_drill_duties_sync() == 0  # idempotent

    plan = services.plan_create(
        actor=world.emergency_staff,
        title="文峰区人员密集场所综合应急预案",
        kind=PlanKind.OVERALL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=world.emergency,
        scope_kind=ScopeKind.JURISDICTION,
        territory=city.wenfeng,
    )
    assert plan.drill_interval_months == 24
    services.drill_record(
        actor=world.emergency_staff, plan=plan, held_on=dt.date(2026, 6, 1), scenario="综合演练", narrative="n"
    )
    successor = Task.objects.get(rule__key=GOVERNMENT_DRILL, subject_id=city.wenfeng.pk, period=2)
    assert successor.due_date == dt.date(2028, 6, 1)


def test_a_township_office_plan_settles_the_townships_drill_even_before_the_daily_sync(world):
    plan = services.plan_create(
        actor=None,
        title="东大街街道群众自发聚集活动应急预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=world.street_office,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="festival",
        territory=world.city.street,
    )
    services.drill_record(actor=None, plan=plan, held_on=dt.date(2026, 2, 1), scenario="元宵灯会", narrative="n")
    done = Task.objects.get(rule__key=GOVERNMENT_DRILL, subject_id=world.city.street.pk, period=1)
    assert done.status == TaskStatus.DONE
    assert Task.objects.get(rule__key=GOVERNMENT_DRILL, subject_id=world.city.street.pk, period=2).due_date == dt.date(
        2028, 2, 1
    )


def test_a_township_level_department_other_than_the_office_is_not_a_government(world):
    police_post = DepartmentFactory(
        name="东大街派出所", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=world.city.street
    )
    plan = services.plan_create(
        actor=None,
        title="派出所预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=police_post,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="promotion",
        territory=world.city.street,
    )
    assert services.government_of(plan) is None
    assert world.city.street.level == JurisdictionLevel.TOWNSHIP
