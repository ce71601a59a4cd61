"""Risk records as subjects of the responsibility engine (``duties.subjects``):

- "risk_assessment": a submitted assessment puts its review on the reviewing department (or the township); a
  signed-off one at orange or red (``risk_level__gte``) puts the escalation duties on the territorial township,
  public security, the supervising department and the responsible unit;
- "campaign_target": each venue of a campaign, assessed by its township (属地) or by the campaign's department
  (``assignee``), due by the campaign's deadline;
- "hazard": the responsible unit rectifies by the deadline (and plans a major one); the supervising department
  (by kind of venue) or the township supervises, and verifies a major one.

Attribute names the seeded rules use (keep them): ``state``, ``risk_level``, ``subject_type``,
``assessor_kind``, ``venue_kind`` ("none" when there is no venue), ``has_organisation``, ``level_raised``;
``assignment``, ``deadline``; ``level``, ``is_open``, ``has_responsible_unit``, ``rectification_deadline``.
"""

from __future__ import annotations

from typing import Any

from crowdsafe.org.access import ancestor_paths
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction
from duties.subjects import register_subject
from risk.choices import CampaignAssignment, TargetStatus, level_rank


def _venue_kind(venue) -> str:
    return venue.kind if venue is not None else "none"


def township_of(jurisdiction: Jurisdiction) -> Jurisdiction:
    """The township/street a place lies in (itself when it is one, or lies above one)."""
    if jurisdiction.level == JurisdictionLevel.TOWNSHIP:
        return jurisdiction
    township = Jurisdiction.objects.filter(
        path__in=ancestor_paths(jurisdiction.path), level=JurisdictionLevel.TOWNSHIP
    ).first()
    return township or jurisdiction


# --- assessments ---------------------------------------------------------------------------------------------


def assessment_attributes(assessment) -> dict[str, Any]:
    return {
        "state": assessment.state,
        "risk_level": assessment.level,
        "subject_type": assessment.subject_type,
        "assessor_kind": assessment.assessor_kind,
        "venue_kind": _venue_kind(assessment.venue),
        "has_organisation": assessment.organisation_id is not None,
        "level_raised": level_rank(assessment.level) > level_rank(assessment.previous_level),
    }


def township_holder(jurisdiction: Jurisdiction):
    """The township's government (street office) when it has an active one, else the township itself."""
    from crowdsafe.org.choices import DepartmentKind
    from crowdsafe.org.models import Department

    township = township_of(jurisdiction)
    office = (
        Department.objects.filter(jurisdiction=township, kind=DepartmentKind.TOWNSHIP_GOVERNMENT, is_active=True)
        .order_by("pk")
        .first()
    )
    return office or township


def assessment_assignee(assessment):
    """Who signs off: the reviewing department, else the township of the subject (its street office)."""
    if assessment.review_department_id:
        return assessment.review_department
    return township_holder(assessment.jurisdiction)


def assessment_label(assessment) -> str:
    return f"{assessment.subject_label}（{assessment.assessed_on:%Y-%m-%d}）"


# --- campaign targets ---------------------------------------------------------------------------------------


def target_attributes(target) -> dict[str, Any]:
    campaign = target.campaign
    return {
        "assignment": campaign.assignment,
        "purpose": campaign.purpose,
        "deadline": campaign.deadline,
        "venue_kind": _venue_kind(target.venue),
        "is_active": target.status != TargetStatus.CANCELLED,
    }


def target_assignee(target):
    campaign = target.campaign
    if campaign.assignment == CampaignAssignment.DEPARTMENT:
        return campaign.assigned_department
    return target.township


# --- hazards ------------------------------------------------------------------------------------------------------


def hazard_attributes(hazard) -> dict[str, Any]:
    return {
        "level": hazard.level,
        "state": hazard.state,
        "is_open": hazard.is_open,
        "source": hazard.source,
        "subject_type": hazard.subject_type or "none",
        "venue_kind": _venue_kind(hazard.venue),
        "has_responsible_unit": hazard.organisation_id is not None,
        "rectification_deadline": hazard.rectification_deadline,
    }


def hazard_assignee(hazard):
    return hazard.supervising_department or hazard.supervising_township


def hazard_label(hazard) -> str:
    where = hazard.venue.name if hazard.venue_id else hazard.location
    return f"{hazard.title}（{where}）"


def connect() -> None:
    from risk.models import CampaignTarget, Hazard, RiskAssessment

    register_subject(
        RiskAssessment,
        subject_type="risk_assessment",
        jurisdiction=lambda a: a.jurisdiction,
        organisation=lambda a: a.organisation,
        attributes=assessment_attributes,
        label=assessment_label,
        assignee=assessment_assignee,
    )
    register_subject(
        CampaignTarget,
        subject_type="campaign_target",
        jurisdiction=lambda t: t.venue.grid,
        organisation=lambda t: t.venue.operator,
        attributes=target_attributes,
        label=lambda t: f"{t.campaign.name}：{t.venue.name}",
        assignee=target_assignee,
    )
    register_subject(
        Hazard,
        subject_type="hazard",
        jurisdiction=lambda h: h.jurisdiction,
        organisation=lambda h: h.organisation,
        attributes=hazard_attributes,
        label=hazard_label,
        assignee=hazard_assignee,
    )
