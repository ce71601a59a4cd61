"""Risk assessments, the current risk level of each subject, assessment campaigns and hazards (风险评估、隐患整改).

Assessments and hazards are about a venue, a gathering or a permit application: a generic subject
(``subject_type`` + ``subject_id``, the names of ``duties.choices.SubjectKind``), read through its own app
(``risk.subjects``). Each keeps a copy of where the subject lies (``jurisdiction`` and the denormalised
``jurisdiction_path`` for the indexed prefix match of territorial scoping), its operator or organizer
(``organisation``) and the venue where it is (``venue``, for the map and the venue's history), so that lists are
scoped and drawn without reading the other apps.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.files import StoredFile, UploadTo, UploadValidator
from crowdsafe.common.scoping import ScopedQuerySet
from risk.choices import (
    EDITABLE_ASSESSMENT_STATES,
    OPEN_HAZARD_STATES,
    AssessedSubject,
    AssessmentState,
    AssessorKind,
    CampaignAssignment,
    CampaignPurpose,
    CampaignState,
    ExtensionState,
    HazardLevel,
    HazardSource,
    HazardState,
    PhotoStage,
    RiskLevel,
    TargetStatus,
    VerificationOutcome,
)

RATING = [MinValueValidator(1), MaxValueValidator(5)]
PATH_INDEX_OPS = ["varchar_pattern_ops"]


class RiskBand(models.Model):
    """One band of the risk matrix (风险矩阵分级): a score of likelihood × severity from ``min_score`` to
    ``max_score`` gives ``level``. Data with seeded defaults (20–25 重大 red, 9–16 较大 orange, 4–8 一般 yellow,
    1–3 低 blue); the city administrator may move the boundaries. An assessment keeps the level it was given,
    so a later change of the bands does not rewrite signed-off assessments."""

    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices, unique=True)
    min_score = models.PositiveSmallIntegerField(
        _("from score"), validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    max_score = models.PositiveSmallIntegerField(
        _("to score"), validators=[MinValueValidator(1), MaxValueValidator(25)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk band")
        verbose_name_plural = _("risk bands")
        ordering = ["min_score"]
        constraints = [
            models.CheckConstraint(condition=Q(min_score__lte=models.F("max_score")), name="risk_band_min_le_max"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.min_score}–{self.max_score}"


class SubjectFields(models.Model):
    """Where a subject lies and who runs it, copied when the record is made (see the module docstring)."""

    subject_type = models.CharField(_("subject type"), max_length=32, choices=AssessedSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject"), max_length=255)
    venue = models.ForeignKey(
        "venues.Venue", verbose_name=_("venue"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("grid or community"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("operator or organizer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True


class RiskAssessmentQuerySet(ScopedQuerySet["RiskAssessment"]):
    visibility_rule = "risk.access.assessment_visible_q"


class RiskAssessment(SubjectFields):
    """A risk assessment (风险评估) of a venue, a gathering or a permit application: the factors scored, the
    likelihood and severity on 1–5 before and after the controls in place, the score and level read from the
    bands, the assessor and the date, and the reviewer's sign-off (签批).

    For a permit application the organizer makes its own assessment (``assessor_kind`` self, 主办方自评) and the
    licensing department reviews it (``review_department``): signing it off or returning it with reasons.
    ``level`` and ``score`` are those after controls (the residual risk); the ones before are kept beside them.
    """

    assessor_kind = models.CharField(_("made by"), max_length=10, choices=AssessorKind.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessor"), on_delete=models.PROTECT, related_name="+"
    )
    assessor_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("assessor's department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("reviewing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The department that signs the assessment off (for a permit: the licensing department)."),
    )
    campaign_target = models.ForeignKey(
        "risk.CampaignTarget",
        verbose_name=_("campaign item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessments",
    )
    scenario = models.CharField(
        _("what is assessed"),
        max_length=255,
        blank=True,
        help_text=_("E.g. the Spring Festival temple fair, or the daily operation of the venue."),
    )
    assessed_for = models.DateTimeField(
        _("time assessed"), null=True, blank=True, help_text=_("When the crowd is expected (its day and hour).")
    )
    assessed_on = models.DateField(_("assessment date"), default=timezone.localdate)
    expected_attendance = models.PositiveIntegerField(_("expected attendance"), null=True, blank=True)
    safe_capacity = models.PositiveIntegerField(_("safe capacity"), null=True, blank=True)
    factors = models.JSONField(_("factor scores"), default=dict, blank=True)
    controls = models.JSONField(_("controls in place"), default=list, blank=True)
    controls_other = models.TextField(_("other controls"), blank=True)
    findings = models.TextField(_("findings"), blank=True)

    suggested_likelihood = models.PositiveSmallIntegerField(_("suggested likelihood"), validators=RATING)
    suggested_severity = models.PositiveSmallIntegerField(_("suggested severity"), validators=RATING)
    suggested_residual_likelihood = models.PositiveSmallIntegerField(
        _("suggested likelihood after controls"), validators=RATING
    )
    suggested_residual_severity = models.PositiveSmallIntegerField(
        _("suggested severity after controls"), validators=RATING
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=RATING)
    severity = models.PositiveSmallIntegerField(_("severity"), validators=RATING)
    inherent_score = models.PositiveSmallIntegerField(_("score before controls"))
    inherent_level = models.CharField(_("level before controls"), max_length=8, choices=RiskLevel.choices)
    residual_likelihood = models.PositiveSmallIntegerField(_("likelihood after controls"), validators=RATING)
    residual_severity = models.PositiveSmallIntegerField(_("severity after controls"), validators=RATING)
    score = models.PositiveSmallIntegerField(_("score"))
    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    judgement = models.TextField(
        _("assessor's judgement"),
        blank=True,
        help_text=_("Required when the ratings differ from the suggested ones: say why."),
    )

    state = models.CharField(_("status"), max_length=16, choices=AssessmentState.choices, default=AssessmentState.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    # The subject's current level before this assessment was signed off (for the escalation rules).
    previous_level = models.CharField(_("previous level"), max_length=8, choices=RiskLevel.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=PATH_INDEX_OPS, name="risk_assess_path_idx"),
            models.Index(fields=["subject_type", "subject_id", "state"], name="risk_assess_subject_idx"),
            models.Index(fields=["state", "-assessed_on"], name="risk_assess_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5, severity__gte=1, severity__lte=5)
                & Q(residual_likelihood__gte=1, residual_likelihood__lte=5)
                & Q(residual_severity__gte=1, residual_severity__lte=5),
                name="risk_assess_ratings_1_5",
            ),
            models.CheckConstraint(
                condition=~Q(state=AssessmentState.SIGNED_OFF) | Q(signed_off_at__isnull=False, reviewer__isnull=False),
                name="risk_assess_signed_off_has_reviewer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} · {self.assessed_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:assessment_detail", args=[self.pk])

    # Guards, checked by the services under the row lock.
    def can_edit(self) -> bool:
        return self.state in EDITABLE_ASSESSMENT_STATES

    def can_submit(self) -> bool:
        return self.state in EDITABLE_ASSESSMENT_STATES

    def can_sign_off(self) -> bool:
        return self.state == AssessmentState.SUBMITTED

    def can_return(self) -> bool:
        return self.state == AssessmentState.SUBMITTED

    def can_withdraw(self) -> bool:
        return self.state in (*EDITABLE_ASSESSMENT_STATES, AssessmentState.SUBMITTED)

    @property
    def ratings_differ(self) -> bool:
        return (self.likelihood, self.severity, self.residual_likelihood, self.residual_severity) != (
            self.suggested_likelihood,
            self.suggested_severity,
            self.suggested_residual_likelihood,
            self.suggested_residual_severity,
        )


class SubjectRiskLevelQuerySet(ScopedQuerySet["SubjectRiskLevel"]):
    visibility_rule = "risk.access.register_visible_q"


class SubjectRiskLevel(SubjectFields):
    """The current risk level of a subject (风险底数): the level of its latest signed-off assessment (latest by
    assessment date, then by sign-off). One row per subject, kept by ``assessment_sign_off``; the register, the map
    and the export read it. For gatherings the events app keeps its own ``risk_level`` too, set from here."""

    level = models.CharField(_("level"), max_length=8, choices=RiskLevel.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    assessment = models.ForeignKey(
        RiskAssessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("assessment date"))
    since = models.DateTimeField(_("level since"))
    # Where the subject is, as of the sign-off (for the map): a gathering's own position, else its venue's.
    latitude = models.DecimalField(_("latitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SubjectRiskLevelQuerySet.as_manager()

    class Meta:
        verbose_name = _("current risk level")
        verbose_name_plural = _("current risk levels")
        ordering = ["subject_type", "subject_label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="risk_level_one_per_subject"),
        ]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=PATH_INDEX_OPS, name="risk_level_path_idx"),
            models.Index(fields=["level"], name="risk_level_level_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.get_level_display()}"


class RiskLevelChange(models.Model):
    """One entry in a subject's level history (风险等级变化): each signed-off assessment that became current,
    from which level to which."""

    subject_type = models.CharField(_("subject type"), max_length=32, choices=AssessedSubject.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject"), max_length=255)
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    from_level = models.CharField(_("from"), max_length=8, choices=RiskLevel.choices, blank=True)
    to_level = models.CharField(_("to"), max_length=8, choices=RiskLevel.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    assessment = models.ForeignKey(
        RiskAssessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="level_changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("risk level change")
        verbose_name_plural = _("risk level changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "-changed_at"], name="risk_change_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.from_level or '—'} → {self.to_level}"

    @property
    def raised(self) -> bool:
        from risk.choices import level_rank

        return level_rank(self.to_level) > level_rank(self.from_level)


class AssessmentCampaignQuerySet(ScopedQuerySet["AssessmentCampaign"]):
    visibility_rule = "risk.access.campaign_visible_q"


class AssessmentCampaign(models.Model):
    """An assessment campaign (风险评估专项行动): a township or department has every venue of some kinds in a
    territory assessed by a deadline — "every mall and scenic area in 文峰区 before the Spring Festival", or the
    baseline refresh of all crowded places (更新风险底数, 安委办〔2023〕1号 三（七）). Launching it makes one
    ``CampaignTarget`` per venue and, through the responsibility engine, one task per target."""

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=CampaignPurpose.choices)
    description = models.TextField(_("description"), blank=True)
    territory = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    territory_path = models.CharField(_("territory path"), max_length=255, editable=False)
    venue_kinds = models.JSONField(
        _("kinds of venue"), default=list, blank=True, help_text=_("Empty: every crowded place.")
    )
    deadline = models.DateField(_("deadline"))
    assignment = models.CharField(_("assessed by"), max_length=16, choices=CampaignAssignment.choices)
    assigned_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("assessing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    launched_by_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("launched by (department)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    launched_by_jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("launched by (territory)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("launched by"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("status"), max_length=8, choices=CampaignState.choices, default=CampaignState.OPEN)
    launched_at = models.DateTimeField(_("launched at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    target_count = models.PositiveIntegerField(_("venues"), default=0)
    # Targets whose tasks are still to be made (a large campaign assigns them in the background).
    unassigned_count = models.PositiveIntegerField(_("venues still to assign"), default=0)

    objects = AssessmentCampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment campaign")
        verbose_name_plural = _("assessment campaigns")
        ordering = ["-launched_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="risk_campaign_unique_name"),
            models.CheckConstraint(
                condition=~Q(assignment=CampaignAssignment.DEPARTMENT) | Q(assigned_department__isnull=False),
                name="risk_campaign_department_assignment_has_department",
            ),
        ]
        indexes = [models.Index(fields=["territory_path"], opclasses=PATH_INDEX_OPS, name="risk_campaign_path_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:campaign_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == CampaignState.OPEN

    @property
    def launcher_label(self) -> str:
        launcher = self.launched_by_department or self.launched_by_jurisdiction
        return str(launcher) if launcher is not None else ""


class CampaignTarget(models.Model):
    """One venue of a campaign (评估专项行动对象): a subject of the responsibility engine ("campaign_target"), whose
    task goes to the venue's township (属地) or to the campaign's department; done when an assessment of the venue
    is signed off."""

    campaign = models.ForeignKey(
        AssessmentCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="targets"
    )
    venue = models.ForeignKey("venues.Venue", verbose_name=_("venue"), on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("township or street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=TargetStatus.choices, default=TargetStatus.PENDING)
    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tasks_made = models.BooleanField(_("task made"), default=False)
    completed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        ordering = ["campaign_id", "jurisdiction_path", "id"]
        constraints = [
            # Launching a campaign twice (a double click, a re-launch to pick up new venues) adds no duplicate.
            models.UniqueConstraint(fields=["campaign", "venue"], name="risk_target_unique_venue"),
        ]
        indexes = [
            models.Index(fields=["venue", "status"], name="risk_target_venue_idx"),
            models.Index(fields=["campaign", "tasks_made"], name="risk_target_assign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.name} · {self.venue.name}"


class HazardQuerySet(ScopedQuerySet["Hazard"]):
    visibility_rule = "risk.access.hazard_visible_q"


class Hazard(SubjectFields):
    """A hazard (隐患) found on an inspection, a patrol or an assessment: what and where, with photos; ordinary
    (一般隐患: fixed at once or by a short deadline, closed with a photo of the fix — confirmed by the department
    that found it when someone else fixed it) or major (重大隐患: a
    rectification plan is required, and it is closed only after a verification inspection records it fixed, 复查
    验收). The responsible unit (the venue operator or the organizer, 谁的场地谁负责) rectifies it by the deadline;
    the supervising department is found by the responsibility rules (subject "hazard"). Extensions are asked for
    with reasons and decided.

    A hazard need not be about a registered subject: ``subject_type`` may be empty (a hazard on a street found on a
    patrol); then ``subject_id`` is 0 and the place is the grid and the location."""

    subject_type = models.CharField(_("subject type"), max_length=32, choices=AssessedSubject.choices, blank=True)
    subject_id = models.PositiveBigIntegerField(_("subject id"), default=0)
    subject_label = models.CharField(_("subject"), max_length=255, blank=True)
    title = models.CharField(_("hazard"), max_length=200)
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=10, choices=HazardLevel.choices)
    source = models.CharField(_("found on"), max_length=16, choices=HazardSource.choices)
    found_on = models.DateField(_("found on (date)"), default=timezone.localdate)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("found by"), on_delete=models.PROTECT, related_name="+"
    )
    # The department the finder reported for (their department covering the place), if any: it confirms the
    # closure of an ordinary hazard that someone else rectified (the inspecting authority re-inspects what it
    # found, 复查: 消防监督检查规定 for the fire brigade).
    found_by_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("finding department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("found in assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    location = models.CharField(_("location"), max_length=255)
    latitude = models.DecimalField(_("latitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude (WGS-84)"), max_digits=9, decimal_places=6, null=True, blank=True)
    responsible_unit_name = models.CharField(
        _("responsible unit"), max_length=128, blank=True, help_text=_("When the unit is not registered.")
    )
    supervising_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("supervising department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervising_township = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("supervising township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification_deadline = models.DateField(_("rectification deadline"))
    state = models.CharField(_("status"), max_length=24, choices=HazardState.choices, default=HazardState.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_note = models.TextField(_("how it was fixed"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        indexes = [
            models.Index(fields=["jurisdiction_path"], opclasses=PATH_INDEX_OPS, name="risk_hazard_path_idx"),
            models.Index(fields=["state", "rectification_deadline"], name="risk_hazard_state_idx"),
            # Open hazards only (a quarter of a register that keeps every closed one): the counts and the list of a
            # territory (prefix of the path), and the list of the whole city in deadline order (issue 19 point 1).
            models.Index(
                fields=["jurisdiction_path", "rectification_deadline"],
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(state__in=sorted(s.value for s in OPEN_HAZARD_STATES)),
                # The counts read the level and state too: from the index alone (253 → 75 ms at 1M hazards, under load).
                include=["level", "state"],
                name="risk_hazard_open_path_idx",
            ),
            models.Index(
                fields=["rectification_deadline", "-id"],
                condition=Q(state__in=sorted(s.value for s in OPEN_HAZARD_STATES)),
                name="risk_hazard_open_due_idx",
            ),
            models.Index(fields=["venue", "state"], name="risk_hazard_venue_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="risk_hazard_subject_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=HazardState.CLOSED) | Q(closed_at__isnull=False), name="risk_hazard_closed_at"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="risk_hazard_lat_lng_together",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("risk:hazard_detail", args=[self.pk])

    @property
    def is_major(self) -> bool:
        return self.level == HazardLevel.MAJOR

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_HAZARD_STATES

    def overdue_on(self, today: dt.date) -> bool:
        return self.is_open and self.rectification_deadline < today

    @property
    def responsible_label(self) -> str:
        if self.organisation_id:
            return str(self.organisation)
        return self.responsible_unit_name

    @property
    def supervisor_label(self) -> str:
        supervisor = self.supervising_department or self.supervising_township
        return str(supervisor) if supervisor is not None else ""

    # Guards (checked by the services under the row lock).
    def can_submit_plan(self) -> bool:
        return self.is_major and self.state in (HazardState.OPEN, HazardState.RECTIFYING)

    def can_report_fixed(self) -> bool:
        return self.is_major and self.state == HazardState.RECTIFYING

    def can_verify(self) -> bool:
        return self.is_major and self.state == HazardState.AWAITING_VERIFICATION

    def can_close_with_photo(self) -> bool:
        return not self.is_major and self.state == HazardState.OPEN

    def can_confirm_closure(self) -> bool:
        return not self.is_major and self.state == HazardState.AWAITING_CONFIRMATION

    def can_request_extension(self) -> bool:
        return self.is_open

    def can_cancel(self) -> bool:
        return self.is_open


class HazardPhoto(StoredFile):
    """A photo of a hazard: as found, after the fix, or at the verification. Checked as an upload of kind
    "photo" (``crowdsafe.common.files``); served only through the scoped photo view."""

    upload_prefix = "risk/hazards"

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=16, choices=PhotoStage.choices)
    verification = models.ForeignKey(
        "risk.HazardVerification",
        verbose_name=_("verification"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="photos",
    )
    file = models.ImageField(_("photo"), upload_to=UploadTo(), max_length=255, validators=[UploadValidator("photo")])
    content_type = None

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard_id", "uploaded_at", "id"]


class RectificationPlan(models.Model):
    """The rectification plan of a major hazard (重大隐患整改方案): goal and tasks, measures, funds, the people
    responsible, the deadline, and the safety measures in the meantime (安全防范措施和应急预案)."""

    hazard = models.OneToOneField(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="plan")
    goal = models.TextField(_("goal and tasks"))
    measures = models.TextField(_("measures"))
    funds_yuan = models.DecimalField(
        _("funds (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    people = models.TextField(_("people responsible"))
    deadline = models.DateField(_("to be finished by"))
    interim_measures = models.TextField(_("safety measures in the meantime"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")

    def __str__(self) -> str:
        return str(self.hazard)


class HazardVerification(models.Model):
    """A verification inspection of a rectified major hazard (复查验收): who inspected, when, and whether it is
    fixed. Fixed closes the hazard; not fixed sends it back to rectification."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="verifications")
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=VerificationOutcome.choices)
    findings = models.TextField(_("findings"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification inspection")
        verbose_name_plural = _("verification inspections")
        ordering = ["hazard_id", "inspected_on", "id"]

    def __str__(self) -> str:
        return f"{self.hazard} · {self.inspected_on:%Y-%m-%d}"


class HazardExtension(models.Model):
    """A request to extend a hazard's rectification deadline (延期整改申请), with the reasons, and its decision."""

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reasons"))
    previous_deadline = models.DateField(_("deadline before"))
    requested_deadline = models.DateField(_("requested deadline"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("status"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["hazard_id", "requested_at", "id"]
        constraints = [
            # One pending request at a time: two requests at once (a double click) make one.
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(state=ExtensionState.PENDING), name="risk_extension_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard} → {self.requested_deadline:%Y-%m-%d}"

    def can_decide(self) -> bool:
        return self.state == ExtensionState.PENDING


class HazardCount(models.Model):
    """The hazard list's counters (``risk.counts``): how many hazards are open (still to be rectified, 未整改完成),
    by the township of their place (``area``: the path cut to its first three levels, city/district/township).
    Written only by the database's triggers on ``risk_hazard``, in the transaction of the change, as signed deltas
    (one row per key and statement; never updated, so two writers never wait on each other); the beat folds them
    (``hazardcounts_compact``). Kinds: ``t`` open by level and state (day: ``NO_DAY``), ``o`` open by
    rectification deadline (level and state empty; the days before the last fold are folded into ``NO_DAY``:
    overdue for good)."""

    area = models.CharField(max_length=255)
    kind = models.CharField(max_length=1)
    level = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=24, blank=True)
    day = models.DateField()
    n = models.BigIntegerField()

    class Meta:
        # The counts read two ranges of it, each an index-only scan: the totals (kind t, NO_DAY, the territory's
        # areas by prefix) and the overdue (kind o, the days before today — the folded one and the days since the
        # last fold — filtered by area inside the index).
        indexes = [
            models.Index(
                fields=["kind", "day", "area"],
                opclasses=["varchar_ops", "date_ops", "varchar_pattern_ops"],
                include=["level", "state", "n"],
                name="risk_hazardcount_read_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.kind} {self.level} {self.state} {self.day}: {self.n}"
