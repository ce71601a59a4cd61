"""Rules whose party the subject names itself ("assigned"), and tasks_settle: a subject's own workflow closes the
tasks of its finished steps by rule key, once, with the next occurrence of a periodic duty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.org.models import Jurisdiction
from duties import subjects
from duties.choices import PartyKind, TaskStatus
from duties.explain import explain
from duties.models import ResponsibilityRule, Task
from duties.services import tasks_evaluate, tasks_settle
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 27)


@pytest.fixture
def items(city):
    """Stand-in subjects: grids of the test city as 'after-action items', each naming its owner in ``owners``."""
    owners: dict[int, object] = {}
    # Only this file's rules apply to the stand-in (the drills app seeds its own after-action rule).
    ResponsibilityRule.objects.filter(subject_type="after_action_item").update(is_active=False)
    previous_name = subjects.registration_for_name("after_action_item")
    previous_model = subjects._BY_MODEL.get(Jurisdiction)
    subjects.register_subject(
        Jurisdiction,
        subject_type="after_action_item",
        jurisdiction=lambda grid: grid,
        organisation=lambda grid: None,
        attributes=lambda grid: {"due": DAY + dt.timedelta(days=10)},
        label=lambda grid: f"整改事项 {grid.code}",
        assignee=lambda grid: owners.get(grid.pk),
    )
    yield owners
    subjects.unregister_subject("after_action_item")
    if previous_name is not None:
        subjects.restore_subject(previous_name)
    if previous_model is not None:
        subjects._BY_MODEL[Jurisdiction] = previous_model


@pytest.fixture
def item_rule(db):
    return ResponsibilityRule.objects.create(
        name="测试：指定责任方事项",
        key="tests.assigned_item",
        subject_type="after_action_item",
        event="created",
        duty_name="演练发现问题整改",
        party_kind=PartyKind.ASSIGNED,
        basis="organizer",
        deadline_days=0,
        deadline_from="attribute",
        deadline_attribute="due",
    )


@pytest.fixture
def drill_rule(db):
    return ResponsibilityRule.objects.create(
        name="测试：周期性演练",
        key="tests.periodic_drill",
        subject_type="after_action_item",
        event="created",
        duty_name="组织应急疏散演练",
        party_kind=PartyKind.ASSIGNED,
        basis="venue_operator",
        deadline_days=30,
        recurrence_months=6,
    )


def test_an_assigned_rule_puts_the_task_on_the_holder_the_subject_names(city, items, item_rule):
    fire = DepartmentFactory(name="文峰区消防救援大队", kind="fire_rescue", jurisdiction=city.wenfeng)
    items[city.grid.pk] = fire

    (task,) = tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    assert task.responsible_department == fire
    assert task.party_kind == PartyKind.ASSIGNED
    assert task.due_date == dt.date(2026, 12, 7)


def test_an_assigned_rule_with_nobody_named_makes_an_unassigned_task_that_says_why(city, items, item_rule):
    (task,) = tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    assert task.is_unassigned
    with translation.override("en"):
        assert "nobody named as responsible on 整改事项 410502001001G01" in explain(task.explanation_data)


def test_an_assigned_rule_accepts_an_organisation_or_a_township(city, items, item_rule):
    items[city.grid.pk] = city.organisation
    (task,) = tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)
    assert task.responsible_organisation == city.organisation

    items[city.street2.pk] = city.street2
    (task,) = tasks_evaluate(subject=city.street2, event="created", actor=None, moment=DAY)
    assert task.responsible_jurisdiction == city.street2


def test_settle_completes_the_tasks_of_the_keys_and_logs_it(city, items, item_rule, drill_rule, users):
    items[city.grid.pk] = city.organisation
    tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    closed = tasks_settle(subject=city.grid, keys=["tests.assigned_item"], actor=users.staff, note="已整改")

    assert [t.rule_id for t in closed] == [item_rule.pk]
    task = Task.objects.get(rule=item_rule)
    assert task.status == TaskStatus.DONE
    assert task.completion_note == "已整改"
    assert task.completed_by == users.staff
    assert ActionLog.objects.filter(subject_id=task.pk, verb="completed", reason="已整改").exists()
    # The other key's task is untouched.
    assert Task.objects.get(rule=drill_rule).status == TaskStatus.OPEN


def test_settling_twice_closes_once(city, items, item_rule):
    items[city.grid.pk] = city.organisation
    tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    assert len(tasks_settle(subject=city.grid, keys=["tests.assigned_item"], actor=None)) == 1
    assert tasks_settle(subject=city.grid, keys=["tests.assigned_item"], actor=None) == []


def test_settling_a_periodic_duty_opens_the_next_one_counted_from_the_day_it_was_done(city, items, drill_rule):
    items[city.grid.pk] = city.organisation
    tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    tasks_settle(
        subject=city.grid,
        keys=["tests.periodic_drill"],
        actor=None,
        note="演练已开展",
        completed_on=dt.date(2026, 3, 10),
    )

    successor = Task.objects.get(rule=drill_rule, period=2)
    assert successor.status == TaskStatus.OPEN
    assert successor.due_date == dt.date(2026, 9, 10)
    assert successor.responsible_organisation == city.organisation


def test_settling_as_cancelled_withdraws_with_the_reason_and_opens_no_successor(city, items, drill_rule):
    items[city.grid.pk] = city.organisation
    tasks_evaluate(subject=city.grid, event="created", actor=None, moment=DAY)

    (task,) = tasks_settle(
        subject=city.grid, keys=["tests.periodic_drill"], actor=None, outcome="cancelled", note="场所已停业"
    )

    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    assert task.cancel_reason == "场所已停业"
    assert not Task.objects.filter(rule=drill_rule, period=2).exists()


def test_the_seeded_rules_carry_their_keys(db):
    assert ResponsibilityRule.objects.get(key="events.territorial_control").subject_type == "gathering"
    assert ResponsibilityRule.objects.get(key="permits.review_city").department_level == "city"
    assert ResponsibilityRule.objects.filter(key__startswith="venues.").count() == 14  # + the two appraisal rules
