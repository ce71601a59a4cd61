"""The engine with the real venue model, wired by the venues app (venues/duties.py, from ``AppConfig.ready``):
the venue registered as the subject type "venue" and a hook in ``VENUE_CHANGED_HOOKS`` that evaluates the rules
inside the venue service's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from crowdsafe.org.choices import DepartmentKind
from duties import subjects
from duties.choices import Basis, TaskStatus
from duties.explain import explain
from duties.models import Task
from duties.services import tasks_evaluate
from tests.factories import DepartmentFactory
from venues.duties import evaluate_venue_duties
from venues.models import Venue
from venues.services import venues as venue_services
from venues.services.parts import special_equipment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def wired(db):
    """The real wiring, made by ``VenuesConfig.ready`` (venues/duties.py): assert it is in place."""
    assert subjects.registration_for_name("venue").model is Venue
    assert evaluate_venue_duties in venue_services.VENUE_CHANGED_HOOKS
    yield


def tasks_of(venue) -> dict[str, Task]:
    return {t.basis: t for t in Task.objects.filter(subject_type="venue", subject_id=venue.pk)}


def test_registering_a_scenic_area_puts_its_three_duties_on_the_right_parties(wired, linzhou):
    venue = venue_services.venue_create(
        actor=None, name="太行大峡谷景区", kind="scenic_area", grid=linzhou.village, operator=linzhou.operator
    )
    tasks = tasks_of(venue)
    assert set(tasks) == {Basis.INDUSTRY, Basis.TERRITORIAL, Basis.VENUE_OPERATOR}
    assert tasks[Basis.INDUSTRY].responsible_department == linzhou.culture
    assert tasks[Basis.TERRITORIAL].responsible_department == linzhou.township_gov
    assert tasks[Basis.VENUE_OPERATOR].responsible_organisation == linzhou.operator
    assert all(
        t.subject_label == "太行大峡谷景区" and t.jurisdiction_path == venue.jurisdiction_path for t in tasks.values()
    )
    with translation.override("en"):
        assert explain(tasks[Basis.INDUSTRY].explanation_data).startswith(
            "Assigned to 林州市文化广电和旅游局 by rule “旅游景区人员聚集活动安全管理” (The industry regulator "
            "supervises safety), due"
        )


def test_a_real_ktv_and_a_real_hospital(wired, linzhou):
    ktv = venue_services.venue_create(
        actor=None, name="星光KTV", kind="entertainment", grid=linzhou.village, operator=linzhou.operator
    )
    hospital = venue_services.venue_create(
        actor=None, name="林州市人民医院", kind="hospital", grid=linzhou.village, operator=linzhou.operator
    )
    ktv_departments = {t.responsible_department.kind for t in tasks_of(ktv).values() if t.responsible_department}
    assert {DepartmentKind.FIRE_RESCUE, DepartmentKind.CULTURE_TOURISM} <= ktv_departments
    hospital_departments = {
        t.responsible_department for t in Task.objects.filter(subject_id=hospital.pk) if t.responsible_department
    }
    assert linzhou.health in hospital_departments


def test_an_update_is_idempotent_and_a_new_kind_brings_its_duties(wired, linzhou):
    venue = venue_services.venue_create(
        actor=None, name="红旗渠广场", kind="square", grid=linzhou.village, operator=linzhou.operator
    )
    assert Task.objects.filter(subject_id=venue.pk).count() == 2  # operator and territorial
    venue_services.venue_update(venue=venue, actor=None, data={"address": "林州市红旗渠大道"})
    assert Task.objects.filter(subject_id=venue.pk).count() == 2
    venue_services.venue_update(venue=venue, actor=None, data={"kind": "park"})
    housing = Task.objects.filter(subject_id=venue.pk, rule__department_kind="housing")
    assert housing.count() == 1 and housing.get().is_unassigned  # no housing bureau in the fixture


def test_special_equipment_brings_the_market_regulation_duty_due_on_the_inspection_date(wired, linzhou):
    market = DepartmentFactory(
        name="林州市市场监督管理局", kind=DepartmentKind.MARKET_REGULATION, jurisdiction=linzhou.linzhou
    )
    venue = venue_services.venue_create(
        actor=None, name="林州万达广场", kind="commercial", grid=linzhou.village, operator=linzhou.operator
    )
    special_equipment_create(
        venue=venue,
        actor=None,
        kind="escalator",
        name="1号自动扶梯",
        registration_no="31104105812026000001",
        next_inspection_due=dt.date(2027, 3, 15),
    )
    # The equipment service re-evaluates the venue's rules in its own transaction.
    duty = Task.objects.get(subject_type="venue", subject_id=venue.pk, responsible_department=market)
    assert duty.due_date == dt.date(2027, 3, 15)
    assert tasks_evaluate(subject=Venue.objects.get(pk=venue.pk), event="updated", actor=None) == []


def test_deactivating_a_venue_cancels_its_outstanding_duties(wired, linzhou):
    venue = venue_services.venue_create(
        actor=None, name="太行大峡谷景区", kind="scenic_area", grid=linzhou.village, operator=linzhou.operator
    )
    venue_services.venue_deactivate(venue=venue, actor=None, reason="景区关闭")
    statuses = set(Task.objects.filter(subject_id=venue.pk).values_list("status", flat=True))
    assert statuses == {TaskStatus.CANCELLED}
