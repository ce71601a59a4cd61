"""Responsibility rules: the condition language (validated on save with clear errors), the seeded defaults,
the admin (edits go through rule_save and are logged), and the rules health report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from crowdsafe.audit.models import ActionLog
from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Department
from duties.choices import Basis, PartyKind
from duties.conditions import conditions_hold, describe_conditions, validate_conditions
from duties.models import ResponsibilityRule
from duties.selectors import rules_health
from duties.services import rule_save
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("conditions", "attributes", "holds"),
    [
        ({}, {}, True),
        ({"kind": "park"}, {"kind": "park"}, True),
        ({"kind": "park"}, {"kind": "square"}, False),
        ({"kind__in": ["scenic_area", "park"]}, {"kind": "park"}, True),
        ({"kind__in": ["scenic_area", "park"]}, {"kind": "school"}, False),
        ({"risk_level__gte": "orange"}, {"risk_level": "red"}, True),
        ({"risk_level__gte": "orange"}, {"risk_level": "orange"}, True),
        ({"risk_level__gte": "orange"}, {"risk_level": "yellow"}, False),
        ({"risk_level__lte": "yellow"}, {"risk_level": "blue"}, True),
        ({"risk_level__gte": "orange"}, {"risk_level": "purple"}, False),
        ({"expected_attendance__gte": 5000}, {"expected_attendance": 5000}, True),
        ({"expected_attendance__lte": 4999}, {"expected_attendance": 5000}, False),
        (
            {"state": "submitted", "expected_attendance__gte": 5000},
            {"state": "draft", "expected_attendance": 9000},
            False,
        ),
        ({"has_special_equipment": True}, {"has_special_equipment": True}, True),
        ({"has_special_equipment": True}, {}, False),  # a missing attribute never matches
        ({"kind": "park"}, {"kind": None}, False),
    ],
)
def test_conditions_hold(conditions, attributes, holds):
    validate_conditions(conditions)
    assert conditions_hold(conditions, attributes) is holds


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        (["kind", "park"], "must be a JSON object"),
        ({"Kind": "park"}, "lower-case letters"),
        ({"kind__contains": "park"}, "unknown operator “contains”"),
        ({"kind__in": "park"}, "non-empty list"),
        ({"kind__in": []}, "non-empty list"),
        ({"kind__in": [{"a": 1}]}, "strings, numbers or true/false"),
        ({"kind__gte": "park"}, "compares numbers, or levels of an ordered attribute"),
        ({"risk_level__gte": "purple"}, "not a level of risk_level; use one of blue, yellow, orange, red"),
        ({"kind": ["park"]}, "must be a string, a number or true/false"),
    ],
)
def test_invalid_conditions_are_refused_with_a_clear_message(conditions, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_conditions(conditions)
    assert any(message in m for m in excinfo.value.messages), excinfo.value.messages


def test_all_problems_are_listed_at_once():
    with pytest.raises(ValidationError) as excinfo:
        validate_conditions({"Kind": 1, "x__foo": 2, "risk_level__gte": "pink"})
    assert len(excinfo.value.messages) == 3


def test_describe_conditions_reads_like_the_rule():
    assert describe_conditions({"kind__in": ["park", "square"], "risk_level__gte": "orange"}, "venue") == (
        "kind in Park, Square; risk level ≥ Orange (high)"
    )
    assert describe_conditions({}) == "always"


def make_rule(**overrides) -> ResponsibilityRule:
    values = {
        "name": "测试规则",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind": "park"},
        "duty_name": "测试职责",
        "party_kind": PartyKind.DEPARTMENT,
        "department_kind": DepartmentKind.HOUSING,
        "basis": Basis.INDUSTRY,
        "deadline_days": 30,
        "deadline_unit": "calendar",
    }
    values.update(overrides)
    return ResponsibilityRule(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"conditions": {"kind__like": "p"}}, "conditions"),
        ({"department_kind": ""}, "department_kind"),
        ({"party_kind": PartyKind.VENUE_OPERATOR}, "department_kind"),
        ({"deadline_from": "attribute"}, "deadline_attribute"),
        ({"deadline_from": "attribute", "deadline_attribute": "Next Inspection"}, "deadline_attribute"),
        ({"deadline_attribute": "opened_on"}, "deadline_attribute"),
        ({"recurrence_months": 0}, "recurrence_months"),
        ({"deadline_days": 4000}, "deadline_days"),
    ],
)
def test_rule_save_refuses_an_invalid_rule(overrides, field):
    from crowdsafe.errors import DomainError

    with pytest.raises(DomainError) as excinfo:
        rule_save(rule=make_rule(**overrides), actor=None)
    assert excinfo.value.field == field
    assert not ResponsibilityRule.objects.filter(name="测试规则").exists()


def test_rule_save_saves_and_logs():
    rule = rule_save(rule=make_rule(), actor=None)
    assert ActionLog.objects.filter(subject_id=rule.pk, verb="created").exists()


def test_the_defaults_are_seeded_from_the_notices():
    rules = {r.name: r for r in ResponsibilityRule.objects.all()}
    fire = rules["公众聚集场所消防安全检查"]
    assert (fire.department_kind, fire.basis, fire.deadline_days, fire.deadline_unit) == (
        "fire_rescue",
        "approver",
        10,
        "working",
    )
    assert set(fire.conditions["kind__in"]) >= {"commercial", "stadium", "theatre", "exhibition", "entertainment"}
    school = rules["校园人员聚集活动安全管理和疏散应急演练"]
    assert (school.department_kind, school.recurrence_months) == ("education", 6)
    equipment = rules["人员聚集场所特种设备安全监管"]
    assert (equipment.department_kind, equipment.recurrence_months, equipment.deadline_attribute) == (
        "market_regulation",
        12,
        "special_equipment_next_inspection",
    )
    assert rules["公园人员聚集活动安全管理"].department_kind == "housing"
    assert rules["客运站人员聚集场所安全监管"].department_kind == "transport"
    assert rules["养老、福利、救助机构人员聚集场所安全监管"].department_kind == "civil_affairs"
    assert rules["人员聚集场所经营管理单位安全自查"].basis == "venue_operator"
    assert rules["辖区人员聚集场所摸排纳管"].party_kind == "territorial"
    permit = rules["大型群众性活动安全许可审查（5000人以上，设区的市公安机关）"]
    assert (permit.subject_type, permit.event, permit.conditions, permit.deadline_days) == (
        "permit_application",
        "state_changed",
        {"state": "accepted", "licensing_level": "city"},  # as the permits app's migration 0002 sets it
        7,
    )
    for rule in rules.values():
        rule.full_clean()  # every seeded rule passes its own validation


def test_the_admin_validates_conditions_and_logs_edits(city):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    rule = ResponsibilityRule.objects.get(name="公园人员聚集活动安全管理")
    url = f"/admin/duties/responsibilityrule/{rule.pk}/change/"
    assert client.get(url).status_code == 200
    form = {
        "name": rule.name,
        "is_active": "on",
        "source": rule.source,
        "subject_type": "venue",
        "event": "saved",
        "conditions": '{"kind__like": "park"}',
        "duty_name": rule.duty_name,
        "duty_description": rule.duty_description,
        "party_kind": "department",
        "department_kind": "housing",
        "department_level": "",
        "basis": "industry",
        "deadline_days": "15",
        "deadline_unit": "calendar",
        "deadline_from": "event",
        "deadline_attribute": "",
        "recurrence_months": "12",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "unknown operator" in response.content.decode()
    form["conditions"] = '{"kind__in": ["park", "square"]}'
    response = client.post(url, form)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.conditions, rule.deadline_days) == ({"kind__in": ["park", "square"]}, 15)
    entry = ActionLog.objects.filter(subject_id=rule.pk, verb="updated").get()
    assert set(entry.data["changed"]) == {"conditions", "deadline_days"}
    assert entry.actor == admin_user


def test_rules_health_lists_every_district_and_township_without_a_department_of_the_kind(linzhou):
    gaps = rules_health()
    by_rule: dict[str, set[str]] = {}
    for gap in gaps:
        by_rule.setdefault(gap.rule.name, set()).add(gap.jurisdiction.code)
    # Culture & tourism exists at 安阳市 (and 林州市): nothing under 安阳市 lacks it; 梅河口市's township does.
    assert by_rule["旅游景区人员聚集活动安全管理"] == {"220581100"}
    # Health only at 林州市: every other district and township is a gap, 林州市's townships are not.
    health = by_rule["医疗机构人员聚集场所安全监管"]
    assert {"410502", "410502001", "410502002", "410503", "410503001", "220581100"} <= health
    assert not {"410581", "410581101", "410581100"} & health
    # Fire rescue: 梅河口市消防救援大队 covers its township.
    assert "220581100" not in by_rule["公众聚集场所消防安全检查"]
    # Public security: 林州市 has no bureau of its own, but the city's bureau above it is the nearest one, so it
    # is no gap; 梅河口市 has none at all.
    county_permits = by_rule["大型群众性活动安全许可审查（1000至4999人，县级公安机关）"]
    assert county_permits == {"220581100"}


def test_adding_the_department_closes_the_gap_and_deactivating_it_opens_it(linzhou):
    def gap_codes():
        return {g.jurisdiction.code for g in rules_health() if g.rule.name == "客运站人员聚集场所安全监管"}

    assert "410581101" in gap_codes()
    transport = DepartmentFactory(name="林州市交通运输局", kind="transport", jurisdiction=linzhou.linzhou)
    assert not {"410581", "410581101"} & gap_codes()
    Department.objects.filter(pk=transport.pk).update(is_active=False)
    assert "410581101" in gap_codes()


def test_rules_health_can_be_limited_to_a_territory(linzhou):
    gaps = rules_health(within=[linzhou.linzhou.path])
    assert gaps
    assert all(g.jurisdiction.path.startswith(linzhou.linzhou.path) for g in gaps)


def test_rules_health_takes_three_queries_whatever_the_size(linzhou, django_assert_num_queries):
    with django_assert_num_queries(3):
        rules_health()
