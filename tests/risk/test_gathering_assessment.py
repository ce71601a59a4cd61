"""A risk assessment of a gathering (the events ↔ risk contract): signed off red, it raises the gathering's own
level through ``events.services.gathering_set_risk_level(source="assessment")`` — which re-evaluates the
gathering's duties (public security's on-duty queue, the territorial control, the attention list) — and the risk
rules escalate the assessment itself."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from duties.models import Task
from risk.models import SubjectRiskLevel
from tests.risk.conftest import FACTORS_RED, assess, signed_off

pytestmark = pytest.mark.django_db

events_models = pytest.importorskip("events.models")
if not hasattr(events_models, "Gathering"):  # pragma: no cover - before the events app landed
    pytest.skip("the events app has no Gathering yet", allow_module_level=True)


@pytest.fixture
def gathering(city, users, venue):
    from events.services import gathering_report

    # A modest daytime gathering: the automatic pre-level (triage) keeps it low.
    day = timezone.localdate() + dt.timedelta(days=5)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    gathering, _created = gathering_report(
        actor=users.grid_worker,
        idempotency_key=uuid.uuid4(),
        kind="celebration",
        venue=venue,
        starts_at=starts,
        estimated_attendance_min=300,
        estimated_attendance_max=500,
        source="grid_patrol",
    )
    return gathering


def test_a_red_assessment_of_a_gathering_raises_its_level_and_triggers_the_escalation(
    gathering, users, reviewer, depts
):
    draft = assess(gathering, users.township_officer)
    assert draft.expected_attendance == 500  # from the gathering
    assert draft.safe_capacity == 5248  # from its venue
    assert draft.factors["attendance"] == 0
    assert gathering.risk_level in {"blue", "yellow"}
    # Online hype (线上转线下) will bring far more than the grid worker saw: the assessor expects 9,000.
    signed = signed_off(gathering, users.township_officer, reviewer, factors=FACTORS_RED, expected_attendance=9000)
    assert signed.level == "red"

    gathering.refresh_from_db()
    assert gathering.risk_level == "red"
    assert gathering.risk_source == "assessment"
    assert gathering.risk_assessment_id == signed.pk
    assert gathering.risk_reasons  # the score and the factors scored high

    current = SubjectRiskLevel.objects.get(subject_type="gathering", subject_id=gathering.pk)
    assert (current.level, current.assessment_id) == ("red", signed.pk)
    assert current.latitude is not None  # placed on the map at its venue

    # The gathering's own rules (events app): public security's on-duty duty at orange and above.
    gathering_keys = set(
        Task.objects.filter(subject_type="gathering", subject_id=gathering.pk).values_list("rule__key", flat=True)
    )
    assert "events.on_duty_police" in gathering_keys
    # The risk rules on the assessment: township, public security, emergency management.
    escalation = {t.rule.key: t for t in Task.objects.filter(subject_type="risk_assessment", subject_id=signed.pk)}
    assert escalation["risk.escalation_territorial"].responsible_department == depts.street_office
    assert escalation["risk.escalation_public_security"].responsible_department == depts.police
    assert escalation["risk.escalation_emergency"].responsible_department == depts.emergency


def test_a_later_blue_assessment_lowers_the_gathering_again(gathering, users, reviewer):
    signed_off(gathering, users.township_officer, reviewer, factors=FACTORS_RED)
    blue = signed_off(gathering, users.township_officer, reviewer, factors={"attendance": 0, "scale": 0})
    gathering.refresh_from_db()
    assert blue.level in {"blue", "yellow"}
    assert gathering.risk_level == blue.level
    assert gathering.risk_assessment_id == blue.pk
