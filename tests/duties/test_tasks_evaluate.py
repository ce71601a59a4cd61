"""tasks_evaluate: the seeded rules put each venue's duties on the right parties, explain themselves, and
never make a duplicate — not on a second run, not from two connections at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.org.choices import DepartmentKind
from duties.choices import Basis, PartyKind, TaskStatus
from duties.explain import explain
from duties.models import ResponsibilityRule, Task
from duties.services import tasks_evaluate
from tests.duties.conftest import EVENT_DAY
from tests.factories import DepartmentFactory, JurisdictionFactory

pytestmark = pytest.mark.django_db


def by_basis(tasks):
    return {task.basis: task for task in tasks}


def test_a_scenic_area_in_a_linzhou_township_gets_industry_territorial_and_operator_tasks(linzhou, venues):
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)

    tasks = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)

    assert len(tasks) == 3
    tasks = by_basis(tasks)
    # Industry: 林州市's culture & tourism bureau, found by walking up grid → village → township → county; the
    # city's bureau above it is not chosen.
    assert tasks[Basis.INDUSTRY].responsible_department == linzhou.culture
    assert tasks[Basis.INDUSTRY].duty_name == "旅游景区人员聚集活动安全管理"
    # Territorial: the township's government.
    assert tasks[Basis.TERRITORIAL].responsible_department == linzhou.township_gov
    # Venue operator: the operator organisation.
    assert tasks[Basis.VENUE_OPERATOR].responsible_organisation == linzhou.operator
    for task in tasks.values():
        assert task.subject_type == "venue"
        assert task.subject_id == venue.pk
        assert task.subject_label == "太行大峡谷景区"
        assert task.jurisdiction_path == venue.path
        assert task.status == TaskStatus.OPEN
        assert task.explanation  # stored at creation


def test_each_task_explains_itself_in_one_sentence(linzhou, venues):
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)
    tasks = by_basis(tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY))

    with translation.override("en"):
        industry = explain(tasks[Basis.INDUSTRY].explanation_data)
        operator = explain(tasks[Basis.VENUE_OPERATOR].explanation_data)
    # 30 calendar days after Friday 2026-11-27 is Sunday 2026-12-27, a rest day: the period runs to Monday.
    assert industry == (
        "Assigned to 林州市文化广电和旅游局 by rule “旅游景区人员聚集活动安全管理” (The industry regulator supervises "
        "safety), due 2026-12-28 (30 days after 2026-11-27, carried past the rest day 2026-12-27), then every 12 "
        "months after each completion."
    )
    assert tasks[Basis.INDUSTRY].due_date == dt.date(2026, 12, 28)
    assert operator.startswith(
        "Assigned to 林州太行大峡谷旅游有限公司 by rule “人员聚集场所经营管理单位安全自查” (Whoever owns the venue "
        "is responsible), due 2026-12-28"
    )
    # The stored sentence is the one rendered in the site language when the task was made.
    assert tasks[Basis.INDUSTRY].explanation == industry


def test_the_stored_explanation_is_in_the_site_language_whoever_triggered_it(linzhou, venues, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)
    with translation.override("en"):  # e.g. a request from a user who reads English
        task = by_basis(tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY))[Basis.INDUSTRY]
    with translation.override("zh-hans"):
        assert task.explanation == explain(task.explanation_data)


def test_the_fire_inspection_counts_ten_working_days_and_says_whoever_approves_supervises(linzhou, venues):
    ktv = venues.make("星光KTV", kind="entertainment", under=linzhou.village, operator=linzhou.operator)
    tasks = tasks_evaluate(subject=ktv, event="created", actor=None, moment=EVENT_DAY)

    fire = next(t for t in tasks if t.responsible_department == linzhou.fire)
    # Working days after Fri 2026-11-27: 11-30 … 12-04 (5), 12-07 … 12-11 (10).
    assert fire.due_date == dt.date(2026, 12, 11)
    with translation.override("en"):
        assert explain(fire.explanation_data) == (
            "Assigned to 林州市消防救援大队 by rule “公众聚集场所消防安全检查” (Whoever approves supervises), due "
            "2026-12-11 (10 working days after 2026-11-27)."
        )


def test_a_ktv_gets_fire_rescue_and_culture_tourism_duties(linzhou, venues):
    ktv = venues.make("星光KTV", kind="entertainment", under=linzhou.village, operator=linzhou.operator)

    tasks = tasks_evaluate(subject=ktv, event="created", actor=None, moment=EVENT_DAY)

    kinds = {t.responsible_department.kind for t in tasks if t.responsible_department}
    assert {DepartmentKind.FIRE_RESCUE, DepartmentKind.CULTURE_TOURISM} <= kinds
    assert {t.duty_name for t in tasks if t.responsible_department == linzhou.culture} == {
        "网吧、KTV等娱乐场所人员聚集活动安全管理"
    }
    assert {t.basis for t in tasks} == {Basis.APPROVER, Basis.INDUSTRY, Basis.TERRITORIAL, Basis.VENUE_OPERATOR}


def test_a_hospital_gets_a_health_duty(linzhou, venues):
    hospital = venues.make("林州市人民医院", kind="hospital", under=linzhou.village, operator=linzhou.operator)

    tasks = tasks_evaluate(subject=hospital, event="created", actor=None, moment=EVENT_DAY)

    health = [t for t in tasks if t.responsible_department == linzhou.health]
    assert len(health) == 1
    assert health[0].basis == Basis.INDUSTRY
    assert health[0].duty_name == "医疗机构人员聚集场所安全监管"


def test_evaluating_twice_makes_no_duplicates(linzhou, venues):
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)

    first = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)
    second = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)
    third = tasks_evaluate(subject=venue, event="updated", actor=None)

    assert len(first) == 3
    assert second == [] and third == []
    assert Task.objects.filter(subject_type="venue", subject_id=venue.pk).count() == 3
    assert ActionLog.objects.filter(verb="created", subject_id__in=[t.pk for t in first]).count() == 3


def test_a_change_that_makes_a_rule_match_adds_its_task(linzhou, venues):
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)
    tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)

    venues.set(venue, has_special_equipment=True, special_equipment_next_inspection=dt.date(2027, 3, 15))
    market = DepartmentFactory(
        name="林州市市场监督管理局", kind=DepartmentKind.MARKET_REGULATION, jurisdiction=linzhou.linzhou
    )
    added = tasks_evaluate(subject=venue, event="updated", actor=None, moment=EVENT_DAY)

    assert [t.responsible_department for t in added] == [market]
    # Counted from the subject's date attribute: 0 days after the next statutory inspection (a Monday).
    assert added[0].due_date == dt.date(2027, 3, 15)
    with translation.override("en"):
        assert "on 2027-03-15 itself, the subject's next inspection of special equipment" in explain(
            added[0].explanation_data
        )


def test_a_change_that_makes_a_descriptive_rule_stop_matching_cancels_its_outstanding_task(linzhou, venues):
    venue = venues.make("星光KTV", kind="entertainment", under=linzhou.village, operator=linzhou.operator)
    tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)

    venues.set(venue, kind="square")
    tasks_evaluate(subject=venue, event="updated", actor=None, moment=EVENT_DAY)

    statuses = {t.rule.name: t.status for t in Task.objects.filter(subject_id=venue.pk).select_related("rule")}
    assert statuses["公众聚集场所消防安全检查"] == TaskStatus.CANCELLED
    assert statuses["网吧、KTV等娱乐场所人员聚集活动安全管理"] == TaskStatus.CANCELLED
    assert statuses["人员聚集场所经营管理单位安全自查"] == TaskStatus.OPEN
    cancelled = Task.objects.filter(subject_id=venue.pk, status=TaskStatus.CANCELLED).first()
    assert "no longer matches" in cancelled.cancel_reason


def test_a_rule_with_no_department_anywhere_up_the_tree_makes_an_unassigned_task_that_says_why(linzhou, venues):
    # No transport department at 林州市 or at 安阳市.
    station = venues.make("林州汽车站", kind="station", under=linzhou.village, operator=linzhou.operator)

    tasks = tasks_evaluate(subject=station, event="created", actor=None, moment=EVENT_DAY)

    unassigned = [t for t in tasks if t.is_unassigned]
    assert len(unassigned) == 1
    task = unassigned[0]
    assert task.party_kind == PartyKind.DEPARTMENT
    assert task.duty_name == "客运站人员聚集场所安全监管"
    with translation.override("en"):
        assert explain(task.explanation_data).startswith(
            "Not assigned: rule “客运站人员聚集场所安全监管” (The industry regulator supervises safety) found "
            "no active Transport department at or above 林州汽车站; due"
        )


def test_an_operator_rule_without_an_operator_is_unassigned_not_skipped(linzhou, venues):
    square = venues.make("红旗渠广场", kind="square", under=linzhou.village, operator=None)

    tasks = tasks_evaluate(subject=square, event="created", actor=None, moment=EVENT_DAY)

    operator_task = next(t for t in tasks if t.basis == Basis.VENUE_OPERATOR)
    assert operator_task.is_unassigned
    with translation.override("en"):
        assert "found no operator recorded for 红旗渠广场" in explain(operator_task.explanation_data)


def test_territorial_duty_falls_on_the_township_itself_when_it_has_no_government_department(linzhou, venues):
    village2 = JurisdictionFactory(code="410581100201", name="盘阳村", level="community", parent=linzhou.town2)
    venue = venues.make("盘阳村广场", kind="square", under=village2, operator=None)

    tasks = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)

    territorial = next(t for t in tasks if t.basis == Basis.TERRITORIAL)
    assert territorial.responsible_department is None
    assert territorial.responsible_jurisdiction == linzhou.town2


def test_inactive_rules_make_no_tasks(linzhou, venues):
    ResponsibilityRule.objects.filter(name="旅游景区人员聚集活动安全管理").update(is_active=False)
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)

    tasks = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)

    assert {t.basis for t in tasks} == {Basis.TERRITORIAL, Basis.VENUE_OPERATOR}


def test_a_permit_rule_starts_looking_at_the_level_it_names(linzhou, venues, city):
    """Order 505 Art. 12: 5,000 or more → the city's public security bureau, though 林州市 has one too."""
    from crowdsafe.org.models import Organisation
    from duties import subjects

    county_police = DepartmentFactory(
        name="林州市公安局", kind=DepartmentKind.PUBLIC_SECURITY, jurisdiction=linzhou.linzhou
    )
    level = {}
    previous = subjects.registration_for_name("permit_application")
    subjects.register_subject(
        Organisation,
        subject_type="permit_application",
        jurisdiction=lambda org: linzhou.town,
        organisation=lambda org: org,
        # The permits app computes the licensing level from the attendance (Art. 12, boundary configurable).
        attributes=lambda org: {"state": "accepted", "licensing_level": level[org.pk]},
        label=lambda org: f"{org.name}的活动",
    )
    try:
        level[linzhou.operator.pk] = "city"  # 8,000 expected
        big = tasks_evaluate(subject=linzhou.operator, event="state_changed", actor=None, moment=EVENT_DAY)
        assert [t.responsible_department for t in big] == [city.city_police]
        # Order 505 Art. 14: 7 days, working days (行政许可法 Art. 82; permits/rules.py).
        assert big[0].due_date == dt.date(2026, 12, 8)
        with translation.override("en"):
            assert explain(big[0].explanation_data) == (
                "Assigned to 安阳市公安局 by rule “大型群众性活动安全许可审查（5000人以上，设区的市公安机关）” "
                "(Whoever approves supervises), due 2026-12-08 (7 working days after 2026-11-27)."
            )
        Task.objects.all().delete()
        level[linzhou.operator.pk] = "county"  # 3,000 expected
        small = tasks_evaluate(subject=linzhou.operator, event="state_changed", actor=None, moment=EVENT_DAY)
        assert [t.responsible_department for t in small] == [county_police]
        # The event that does not match the rule's trigger makes nothing.
        assert tasks_evaluate(subject=linzhou.operator, event="created", actor=None) == []
    finally:
        subjects.unregister_subject("permit_application")
        if previous is not None:
            subjects.restore_subject(previous)


def test_an_unregistered_subject_is_refused(linzhou):
    from duties.subjects import UnknownSubjectError

    with pytest.raises(UnknownSubjectError):
        tasks_evaluate(subject=linzhou.culture, event="created", actor=None)


@pytest.mark.django_db(transaction=True)
def test_two_connections_evaluating_one_subject_at_once_make_one_set_of_tasks(linzhou, venues):
    """Connection A creates the tasks and holds its transaction open; connection B, evaluating the same subject,
    finds nothing committed, inserts, and must wait on the dedupe constraint. When A commits, B reads A's rows
    instead of failing or duplicating."""
    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)
    a_inserted, a_may_commit = threading.Event(), threading.Event()
    results, errors = {}, []

    def run_a():
        from django.db import transaction

        try:
            with transaction.atomic():
                results["a"] = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)
                a_inserted.set()
                a_may_commit.wait(timeout=20)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            a_inserted.set()
        finally:
            connections.close_all()

    def run_b():
        try:
            a_inserted.wait(timeout=20)
            results["b"] = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    thread_a, thread_b = threading.Thread(target=run_a), threading.Thread(target=run_b)
    thread_a.start()
    thread_b.start()
    # Let A commit only once B is blocked on A's uncommitted rows (a lock wait), so the race really happens.
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("connection B never waited on A's rows")
    a_may_commit.set()
    thread_a.join(timeout=30)
    thread_b.join(timeout=30)

    assert errors == []
    assert len(results["a"]) == 3
    assert results["b"] == []
    assert Task.objects.filter(subject_type="venue", subject_id=venue.pk).count() == 3
