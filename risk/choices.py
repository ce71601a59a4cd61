"""Choices of the risk app: levels, what is assessed, the assessment and hazard life cycles, campaigns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskLevel(models.TextChoices):
    """Four levels, coloured (DESIGN.md section 6). The values are stable: responsibility rules compare them
    on the ``risk_level`` scale of ``duties.conditions`` (blue < yellow < orange < red)."""

    # Translators: 低风险
    BLUE = "blue", _("Low risk")
    # Translators: 一般风险
    YELLOW = "yellow", _("General risk")
    # Translators: 较大风险
    ORANGE = "orange", _("Significant risk")
    # Translators: 重大风险
    RED = "red", _("Major risk")


LEVEL_ORDER = {RiskLevel.BLUE: 0, RiskLevel.YELLOW: 1, RiskLevel.ORANGE: 2, RiskLevel.RED: 3}
# Orange and red are escalated (较大及以上风险).
ESCALATED_LEVELS = (RiskLevel.ORANGE, RiskLevel.RED)


def level_rank(level: str | None) -> int:
    """Position of a level on the scale; -1 for none."""
    try:
        return LEVEL_ORDER[RiskLevel(level)]
    except ValueError:
        return -1


class AssessedSubject(models.TextChoices):
    """What a risk assessment (or a hazard) is about. Same names as ``duties.choices.SubjectKind``."""

    VENUE = "venue", _("Venue")
    GATHERING = "gathering", _("Spontaneous gathering")
    PERMIT_APPLICATION = "permit_application", _("Large-event permit application")


class AssessorKind(models.TextChoices):
    """Who made the assessment: the organizer or venue operator itself (自评), or a government body."""

    # Translators: 主办方/场所自评
    SELF = "self", _("Own assessment of the organizer or operator")
    # Translators: 部门/属地评估
    OFFICIAL = "official", _("Assessment by a department or township")


class AssessmentState(models.TextChoices):
    """draft → submitted → signed off; a reviewer may return a submitted assessment (it is then edited and
    submitted again); the assessor may withdraw one that is not signed off."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting sign-off")
    RETURNED = "returned", _("Returned for revision")
    SIGNED_OFF = "signed_off", _("Signed off")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_ASSESSMENT_STATES = (AssessmentState.DRAFT, AssessmentState.RETURNED)


class HazardLevel(models.TextChoices):
    # Translators: 一般隐患
    ORDINARY = "ordinary", _("Ordinary hazard")
    # Translators: 重大隐患
    MAJOR = "major", _("Major hazard")


class HazardSource(models.TextChoices):
    """How the hazard was found (隐患来源)."""

    INSPECTION = "inspection", _("Inspection")
    PATROL = "patrol", _("Patrol")
    ASSESSMENT = "assessment", _("Risk assessment")
    SELF_CHECK = "self_check", _("Self-inspection of the unit")
    REPORT = "report", _("Report from the public")


class HazardState(models.TextChoices):
    """open → (major: rectifying, once the plan is in) → awaiting verification → closed; an ordinary hazard is
    closed with a photo of the fix. A verification that finds it not fixed sends it back to rectifying. An
    ordinary hazard found by a department and rectified by someone else awaits that department's confirmation
    (a refusal sends it back to open)."""

    OPEN = "open", _("Open")
    RECTIFYING = "rectifying", _("Being rectified")
    AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting the finding department's confirmation")
    CLOSED = "closed", pgettext_lazy("hazard", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_HAZARD_STATES = (
    HazardState.OPEN,
    HazardState.RECTIFYING,
    HazardState.AWAITING_VERIFICATION,
    HazardState.AWAITING_CONFIRMATION,
)


class PhotoStage(models.TextChoices):
    FOUND = "found", _("As found")
    FIXED = "fixed", _("After the fix")
    VERIFICATION = "verification", _("At verification")


class VerificationOutcome(models.TextChoices):
    # Translators: 复查验收合格
    FIXED = "fixed", _("Fixed: passed")
    # Translators: 复查验收不合格
    NOT_FIXED = "not_fixed", _("Not fixed")


class ExtensionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("extension", "Pending")
    APPROVED = "approved", pgettext_lazy("extension", "Approved")
    REFUSED = "refused", pgettext_lazy("extension", "Refused")


class CampaignPurpose(models.TextChoices):
    # Translators: 更新风险底数
    BASELINE = "baseline", _("Baseline refresh of crowded places")
    # Translators: 节假日前风险评估
    HOLIDAY = "holiday", _("Before a holiday")
    # Translators: 重大活动前风险评估
    MAJOR_EVENT = "major_event", _("Before a major event")
    OTHER = "other", _("Other")


class CampaignAssignment(models.TextChoices):
    """Who assesses each venue of a campaign."""

    TERRITORIAL = "territorial", _("The township or street of each venue")
    DEPARTMENT = "department", _("A department")


class CampaignState(models.TextChoices):
    OPEN = "open", pgettext_lazy("campaign", "Open")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")


class TargetStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("campaign item", "Pending")
    DONE = "done", _("Assessed")
    CANCELLED = "cancelled", _("Cancelled")
