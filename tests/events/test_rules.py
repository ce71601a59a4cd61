"""The seeded responsibility rules of gatherings: keys, idempotent seeding, and the departments a kind of venue
brings in step with the venue rules of duties 0002."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from duties.models import ResponsibilityRule
from events.duties import ALL_KEYS, INDUSTRY_RULES
from events.models import KeyDate, TriageSettings

pytestmark = pytest.mark.django_db
SEED = importlib.import_module("events.migrations.0002_seed_rules_and_defaults")


def test_every_key_is_seeded_once_and_seeding_again_changes_nothing():
    assert set(ResponsibilityRule.objects.filter(key__startswith="events.").values_list("key", flat=True)) == set(
        ALL_KEYS
    )
    before = (ResponsibilityRule.objects.count(), KeyDate.objects.count(), TriageSettings.objects.count())
    SEED.seed(apps, None)
    assert (ResponsibilityRule.objects.count(), KeyDate.objects.count(), TriageSettings.objects.count()) == before
    assert TriageSettings.objects.count() == 1


def test_the_industry_rules_follow_the_venue_rules():
    """Every department a venue rule gives a kind of venue is also given the gatherings at that kind of venue."""
    venue_rules = ResponsibilityRule.objects.filter(
        subject_type="venue", party_kind="department", key__startswith="venues."
    )
    expected: dict[str, set[str]] = {}
    for rule in venue_rules:
        kinds = rule.conditions.get("kind__in") or ([rule.conditions["kind"]] if "kind" in rule.conditions else [])
        for kind in kinds:
            expected.setdefault(rule.department_kind, set()).add(kind)
    seeded = {department: set(kinds) for department, kinds in INDUSTRY_RULES.values()}
    assert seeded == expected


def test_the_escalation_rules_are_immediate_and_the_seed_keeps_an_admins_edit():
    on_duty = ResponsibilityRule.objects.get(key="events.on_duty_police")
    assert (on_duty.deadline_days, on_duty.deadline_unit, on_duty.department_kind) == (0, "working", "public_security")
    assert ResponsibilityRule.objects.get(key="events.territorial_control").conditions == {"risk_level__gte": "orange"}
    on_duty.duty_description = "本市的写法"
    on_duty.save()
    SEED.seed(apps, None)
    assert ResponsibilityRule.objects.get(key="events.on_duty_police").duty_description == "本市的写法"
