from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from duties.models import Task
from risk.models import AssessmentCampaign, CampaignTarget, Hazard, RiskAssessment, SubjectRiskLevel

pytestmark = pytest.mark.django_db


def test_demo_risk_data_is_made_once_through_the_services(django_capture_on_commit_callbacks):
    call_command("seed_demo", "--no-progress", stdout=io.StringIO())
    call_command("seed_demo_venues", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=False):  # no PDF rendering of the order here
        call_command("seed_demo_risk", stdout=io.StringIO())
    assert AssessmentCampaign.objects.count() == 1
    assert RiskAssessment.objects.filter(state="signed_off").count() == 3
    assert SubjectRiskLevel.objects.count() == 3
    assert set(Hazard.objects.values_list("state", flat=True)) == {"closed", "rectifying", "open"}
    # The signed-off assessments settled their venues' campaign items.
    assert CampaignTarget.objects.filter(status="done").count() == 3
    square = SubjectRiskLevel.objects.get(subject_label="文峰塔广场")
    assert square.level in {"orange", "red"}
    assert Task.objects.filter(subject_type="risk_assessment", rule__key="risk.escalation_territorial").exists()
    counts = (RiskAssessment.objects.count(), Hazard.objects.count(), Task.objects.count())

    with django_capture_on_commit_callbacks(execute=False):
        call_command("seed_demo_risk", stdout=io.StringIO())
    assert (RiskAssessment.objects.count(), Hazard.objects.count(), Task.objects.count()) == counts
