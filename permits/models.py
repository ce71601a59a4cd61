"""Large-scale mass event permit applications (大型群众性活动安全许可申请) under State Council Order 505, and what
hangs off them: sessions, undertakers, the ticketing plan by zone, the Art. 13 materials, the Art. 6 security
plan, reviewers' comment threads, the joint site inspection, approval conditions, change requests and the
approving department's supervision.

Every write goes through ``permits.services``; the checks of the regulation are pure functions in
``permits.rules``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase

from crowdsafe.common.files import StoredFile
from crowdsafe.common.identifiers import validate_credit_code, validate_resident_id
from crowdsafe.common.scoping import ScopedQuerySet
from crowdsafe.workdays.choices import DeadlineUnit
from permits.choices import (
    EDITABLE_STATES,
    REVIEW_STATE_VALUES,
    WITHDRAWABLE_STATES,
    AcceptanceVia,
    ApplicationState,
    ChangeKind,
    ChangeStatus,
    CommentSection,
    ConditionStatus,
    EventKind,
    InspectionResult,
    LicensingLevel,
    MaterialKind,
    PlanMode,
    PlanSection,
    ResourceKind,
    ReviewOutcome,
    ReviewSide,
    StructureKind,
    SupervisionKind,
)
from permits.rules import promise_error

S = ApplicationState


class PermitApplicationQuerySet(ScopedQuerySet["PermitApplication"]):
    visibility_rule = "permits.access.application_visible_q"


class PermitApplication(models.Model):
    """An application for the safety permit of a large-scale mass event (大型群众性活动安全许可申请).

    Filed by an organisation (the applicant and lead undertaker, 承办者) for an event of one of the kinds of
    Art. 2, held in sessions at a venue; reviewed by the public security authority of Art. 12
    (``licensing_department``), which accepts it (受理), inspects the site with the other departments and decides
    within 7 days of acceptance (Art. 14).

    Denormalised for the lists, the reviewer queue and scoping, and kept by the services: ``jurisdiction`` and
    ``jurisdiction_path`` (the venue's grid, 属地), ``expected_attendance`` (the largest session),
    ``first_session_start``/``last_session_end``, ``licensing_level``/``licensing_department``, and
    ``review_due`` — the due date of the step the licensing department owes now (acceptance, or the promised
    decision), which orders the queue.
    """

    number = models.CharField(_("application number"), max_length=20, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(
        "org.Organisation", verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="permit_applications"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=ApplicationState.choices, default=S.DRAFT)

    # The event (Art. 2)
    event_kind = models.CharField(_("kind of event"), max_length=16, choices=EventKind.choices, blank=True)
    event_name = models.CharField(_("event name"), max_length=128)
    description = models.TextField(_("description"), blank=True)
    # Order 505 Art. 25: the regulation does not govern events organized by these, so they need no permit.
    organized_by_government = models.BooleanField(
        _("organized by a people's government at county level or above or by a state organ"), default=False
    )
    regular_business = models.BooleanField(_("part of the venue's regular business"), default=False)
    across_provinces = models.BooleanField(_("held across provinces"), default=False)

    venue = models.ForeignKey(
        "venues.Venue",
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="permit_applications",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, blank=True, editable=False)

    # The safety-responsible person (安全责任人, Art. 13)
    safety_person_name = models.CharField(_("safety-responsible person"), max_length=64, blank=True)
    safety_person_phone = models.CharField(_("safety-responsible person's phone"), max_length=20, blank=True)
    safety_person_id_number = models.CharField(
        _("safety-responsible person's ID number"), max_length=18, blank=True, validators=[validate_resident_id]
    )

    plan_mode = models.CharField(_("security plan"), max_length=10, choices=PlanMode.choices, default=PlanMode.WRITTEN)

    # Kept by the services from the sessions.
    expected_attendance = models.PositiveIntegerField(_("expected attendance (largest session)"), default=0)
    first_session_start = models.DateTimeField(_("first session starts"), null=True, blank=True)
    last_session_end = models.DateTimeField(_("last session ends"), null=True, blank=True)

    # Art. 12: who licenses. Determined when submitted.
    licensing_level = models.CharField(
        _("licensing level"), max_length=10, choices=LicensingLevel.choices, null=True, blank=True
    )
    licensing_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("licensing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="licensed_applications",
    )

    # The review's dates.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    correction_rounds = models.PositiveSmallIntegerField(_("returned for correction"), default=0)
    correction_items = models.JSONField(_("items to correct"), default=list, blank=True)
    correction_due = models.DateField(_("correction due"), null=True, blank=True)
    acceptance_due = models.DateField(_("acceptance decision due"), null=True, blank=True)
    accepted_on = models.DateField(pgettext_lazy("permit application", "accepted on"), null=True, blank=True)
    statutory_decision_due = models.DateField(_("statutory decision due"), null=True, blank=True)
    promised_decision_due = models.DateField(_("promised decision due"), null=True, blank=True)
    promised_rule = models.CharField(_("promised deadline"), max_length=64, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    not_accepted_reasons = models.JSONField(_("reasons for not accepting"), default=list, blank=True)

    # The decision (Art. 14).
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_capacity = models.PositiveIntegerField(_("approved capacity"), null=True, blank=True)
    refusal_reasons = models.JSONField(_("reasons for refusal"), default=list, blank=True)
    end_reason = models.TextField(_("reason for withdrawing or cancelling"), blank=True)

    # Event-day readiness (活动当日就绪): confirmed by the licensing department or the organizer once every
    # temporary structure is accepted (``application_mark_ready``).
    ready_at = models.DateTimeField(_("ready for the event confirmed at"), null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ready confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PermitApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("permit application")
        verbose_name_plural = _("permit applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The reviewer queue: a licensing department's applications waiting for it, by due date.
            models.Index(
                fields=["licensing_department", "review_due", "id"],
                condition=Q(state__in=REVIEW_STATE_VALUES),
                name="permits_app_queue_idx",
            ),
            models.Index(fields=["licensing_department", "state"], name="permits_app_dept_state_idx"),
            models.Index(fields=["organisation", "-created_at"], name="permits_app_org_idx"),
            models.Index(fields=["jurisdiction_path"], opclasses=["varchar_pattern_ops"], name="permits_app_path_idx"),
        ]

    def __str__(self) -> str:
        return self.event_name

    # --- guards (checked by the services under the row lock) ---------------------------------------------

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    def can_submit(self) -> bool:
        return self.state in EDITABLE_STATES

    def can_accept(self) -> bool:
        return self.state == S.SUBMITTED

    def can_start_review(self) -> bool:
        return self.state == S.ACCEPTED

    def can_start_inspection(self) -> bool:
        return self.state == S.UNDER_REVIEW

    def can_decide(self) -> bool:
        return self.state == S.INSPECTION

    def can_withdraw(self) -> bool:
        return self.state in WITHDRAWABLE_STATES

    def can_cancel(self, now: dt.datetime | None = None) -> bool:
        """Art. 15: a cancellation is notified before the original date."""
        return self.state == S.APPROVED and self._before_first_day(now)

    def can_request_change(self, now: dt.datetime | None = None) -> bool:
        """Art. 15: a time change is applied for before the original date."""
        return self.state == S.APPROVED and self._before_first_day(now)

    def can_mark_ready(self) -> bool:
        return self.state == S.APPROVED

    def can_mark_held(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.state == S.APPROVED and self.first_session_start is not None and now >= self.first_session_start

    def can_close(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.state == S.HELD and self.last_session_end is not None and now >= self.last_session_end

    def _before_first_day(self, now: dt.datetime | None) -> bool:
        if self.first_session_start is None:
            return False
        today = timezone.localdate(now) if now else timezone.localdate()
        return today < timezone.localtime(self.first_session_start).date()

    # --- dates the rules count from ------------------------------------------------------------------------

    @property
    def first_session_date(self) -> dt.date | None:
        return timezone.localtime(self.first_session_start).date() if self.first_session_start else None

    @property
    def eve_of_first_session(self) -> dt.date | None:
        day = self.first_session_date
        return day - dt.timedelta(days=1) if day else None


class EventSession(models.Model):
    """One session (场次) of an event, with its expected attendance: Art. 2 counts people per session."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    expected_attendance = models.PositiveIntegerField(_("expected attendance"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["application_id", "starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="permits_session_ends_after"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class Undertaker(models.Model):
    """An undertaker (承办者) of the event. With two or more, Art. 13 asks for their joint undertaking agreement."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="undertakers"
    )
    name = models.CharField(_("name"), max_length=128)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, validators=[validate_credit_code])
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("undertaker")
        verbose_name_plural = _("undertakers")
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "credit_code"], name="permits_undertaker_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ZonePlan(models.Model):
    """A zone of the venue the event uses, with the tickets planned for it (票务方案) and, once approved, the
    tickets the decision allows there (Art. 7/18: tickets only up to the approved number and zones)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="zone_plans"
    )
    zone = models.ForeignKey("venues.Zone", verbose_name=_("zone"), on_delete=models.PROTECT, related_name="+")
    tickets = models.PositiveIntegerField(_("tickets planned"), default=0)
    approved_tickets = models.PositiveIntegerField(_("tickets approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("zone and tickets")
        verbose_name_plural = _("zones and tickets")
        ordering = ["application_id", "zone__name", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "zone"], name="permits_zoneplan_unique")]

    def __str__(self) -> str:
        return f"{self.zone} · {self.tickets}"


class ApplicationMaterial(StoredFile):
    """A document filed with an application (申请材料, Art. 13): an undertaker's licence, the security plan, the
    emergency plan … Checked as an upload of kind "document"; stored under MEDIA_ROOT and served only through the
    access-checked download view."""

    upload_prefix = "permits/materials"

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MaterialKind.choices)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["application_id", "kind", "id"]


class SecurityPlanSection(models.Model):
    """One of the nine sections of the security plan (安全工作方案, Art. 6): its text when written here, or the
    page where it starts in the uploaded plan."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="plan_sections"
    )
    section = models.CharField(_("section"), max_length=16, choices=PlanSection.choices)
    text = models.TextField(_("text"), blank=True)
    page = models.PositiveSmallIntegerField(_("page"), null=True, blank=True, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("security plan section")
        verbose_name_plural = _("security plan sections")
        ordering = ["application_id", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "section"], name="permits_plan_section_unique")]

    def __str__(self) -> str:
        return self.get_section_display()


class ReviewComment(models.Model):
    """A comment in a reviewer's thread on one part of an application (审查意见). Reviewers' comments are internal
    unless marked to be shown to the organizer; the organizer's replies are always seen by the reviewers."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="comments"
    )
    section = models.CharField(_("section"), max_length=16, choices=CommentSection.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    author_label = models.CharField(_("author"), max_length=128)
    by_organizer = models.BooleanField(_("by the organizer"), default=False)
    body = models.TextField(_("comment"))
    visible_to_organizer = models.BooleanField(_("shown to the organizer"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["application_id", "section", "created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class SiteInspectionQuerySet(ScopedQuerySet["SiteInspection"]):
    visibility_rule = "permits.access.inspection_visible_q"


class SiteInspection(models.Model):
    """One department's part of the joint site inspection (联合踏勘) of an application: public security with fire
    rescue, housing and the other departments the responsibility rules pick for the venue and the event. Each
    records its findings, photos and whether the site passes. Made from the task the rule put on the department;
    the department can see the application (a django-guardian grant) until its inspection is recorded."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="inspections"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="permit_inspections"
    )
    task = models.ForeignKey(
        "duties.Task", verbose_name=_("task"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duty_name = models.CharField(_("duty"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=InspectionResult.choices, default=InspectionResult.PENDING
    )
    findings = models.TextField(pgettext_lazy("inspection", "findings"), blank=True)
    inspected_on = models.DateField(_("inspected on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SiteInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("site inspection")
        verbose_name_plural = _("site inspections")
        ordering = ["application_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "department"], name="permits_inspection_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.application}"

    @property
    def is_recorded(self) -> bool:
        return self.result != InspectionResult.PENDING


class InspectionPhoto(StoredFile):
    """A photo taken at the site inspection (现场照片), served only through the access-checked view. Who took it
    is the inspection's recorder, so the row keeps no uploader of its own."""

    upload_prefix = "permits/inspections"

    inspection = models.ForeignKey(
        SiteInspection, verbose_name=_("site inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    uploaded_by = None

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["inspection_id", "id"]


class PermitCondition(models.Model):
    """A measure the approval requires (许可条件): the organizer reports it done, the licensing department checks
    it before the event (谁审批谁监管). A subject of the responsibility engine (``permit_condition``)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="conditions"
    )
    text = models.CharField(_("condition"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.OPEN)
    report_note = models.TextField(_("organizer's report"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    check_note = models.TextField(_("department's check"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("permit condition")
        verbose_name_plural = _("permit conditions")
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.text

    def can_report(self) -> bool:
        return self.status == ConditionStatus.OPEN

    def can_check(self) -> bool:
        return self.status == ConditionStatus.REPORTED


class ChangeRequest(models.Model):
    """An organizer's request to change an approved event (变更申请, Art. 15). Only a change of time can be
    approved here, and only when asked before the original date; a change of place or content or a larger scale
    needs a new application, so the services refuse to record one."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="change_requests"
    )
    kind = models.CharField(_("change of"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.TIME)
    session = models.ForeignKey(
        EventSession, verbose_name=_("session"), on_delete=models.CASCADE, related_name="change_requests"
    )
    original_starts_at = models.DateTimeField(_("original start"))
    original_ends_at = models.DateTimeField(_("original end"))
    new_starts_at = models.DateTimeField(_("new start"))
    new_ends_at = models.DateTimeField(_("new end"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["application_id", "-requested_at", "-id"]
        constraints = [
            # One open request per application: a second is decided only after the first.
            models.UniqueConstraint(
                fields=["application"], condition=Q(status=ChangeStatus.PENDING), name="permits_change_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application}"


class SupervisionRecord(models.Model):
    """The approving department's record of its pre-event inspection or on-the-day supervision (谁审批谁监管)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="supervision"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SupervisionKind.choices)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(pgettext_lazy("inspection", "findings"))
    passed = models.BooleanField(_("no problems found"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")
        ordering = ["application_id", "recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="permits_supervision_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.application}"


class PromisedDeadline(models.Model):
    """The decision deadline a jurisdiction promises (承诺办结时限): never later than the statutory 7 working days
    of Art. 14 (``clean`` refuses more than 7 days, in either unit: ``permits.rules.promise_within_statutory``).
    Applies to applications licensed by a department of this jurisdiction or below (the nearest row up the tree
    wins; ``PERMITS_PROMISED_DAYS`` / ``PERMITS_PROMISED_UNIT`` otherwise).
    Also names where a refusal may be reviewed or litigated, when the defaults do not fit."""

    jurisdiction = models.OneToOneField(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveSmallIntegerField(_("days"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.WORKING_DAYS)
    review_authority = models.CharField(
        _("administrative review authority"),
        max_length=128,
        blank=True,
        help_text=_("Named in a refusal. Empty: the people's government at the licensing department's level."),
    )
    court = models.CharField(
        _("court"),
        max_length=128,
        blank=True,
        help_text=_("Named in a refusal. Empty: the basic people's court where the licensing department sits."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("promised decision deadline")
        verbose_name_plural = _("promised decision deadlines")
        ordering = ["jurisdiction__path"]

    def __str__(self) -> str:
        return f"{self.jurisdiction} · {self.days} {self.get_unit_display()}"

    def clean(self) -> None:
        if self.days is not None and self.unit:
            message = promise_error(self.days, self.unit)
            if message:
                raise ValidationError({"days": message})


class PermitApplicationGroupObjectPermission(GroupObjectPermissionBase):
    """Applications opened to a department outside its default scope (django-guardian, direct FK): a department
    asked to join the joint site inspection, until its inspection is recorded."""

    content_object = models.ForeignKey(PermitApplication, on_delete=models.CASCADE)


class ResourceRatio(models.Model):
    """A row of the ratio table (安保力量配备标准): how many of a resource an event needs, per expected attendance
    of a session, for a kind of event (blank: any kind). Data the city administrator edits: the regulation asks
    for security staff and equipment "adapted to the event" (Order 505 Art. 6 (2), (6); the police bureau's reply:
    配齐安检门、X光机，配足保安人员、志愿者) but sets no national figure, so each seeded row says whose rule it is."""

    resource = models.CharField(_("resource"), max_length=16, choices=ResourceKind.choices)
    event_kind = models.CharField(
        _("kind of event"), max_length=16, choices=EventKind.choices, blank=True, help_text=_("Empty: any kind.")
    )
    min_attendance = models.PositiveIntegerField(_("from attendance"), default=0)
    per_people = models.PositiveIntegerField(
        _("one for every … people"), validators=[MinValueValidator(1)], help_text=_("Expected attendance per unit.")
    )
    minimum = models.PositiveIntegerField(_("at least"), default=0)
    basis = models.CharField(_("basis"), max_length=255)
    city_rule = models.BooleanField(
        _("the city's own figure"), default=True, help_text=_("No national figure exists: the city sets it.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resource ratio")
        verbose_name_plural = _("resource ratios")
        ordering = ["resource", "event_kind", "-min_attendance", "id"]

    def __str__(self) -> str:
        return f"{self.get_resource_display()} 1:{self.per_people}"

    def required(self, attendance: int) -> int:
        return max(self.minimum, -(-attendance // self.per_people)) if attendance else 0


class ResourcePlan(models.Model):
    """Security resources the organizer plans (安保力量部署) for one session (or all sessions when empty) and one
    zone (or the whole event when empty): security staff, volunteers, security gates, X-ray machines, medical
    staff. Checked against ``ResourceRatio`` (``permits.resources``)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="resources"
    )
    session = models.ForeignKey(
        EventSession, verbose_name=_("session"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    zone = models.ForeignKey(
        "venues.Zone", verbose_name=_("zone"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.CharField(_("resource"), max_length=16, choices=ResourceKind.choices)
    count = models.PositiveIntegerField(_("number"))

    class Meta:
        verbose_name = _("planned resource")
        verbose_name_plural = _("planned resources")
        ordering = ["application_id", "session_id", "zone_id", "resource", "id"]

    def __str__(self) -> str:
        return f"{self.get_resource_display()} × {self.count}"


class TemporaryStructure(models.Model):
    """A temporary structure put up for the event (临时搭建设施): a stage, stand, screen … listed on the application
    and accepted (验收) before the event — by the pre-event inspection (the inspections app calls
    ``permits.services.temporary_structure_accept`` with its inspection) or by the housing department's own
    acceptance. An unaccepted structure blocks the event-day readiness (``application_mark_ready``).

    The accepting inspection is kept as a generic reference (content type + id) and a label, so this app does not
    depend on the inspections app (docs/contracts/structures.md)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="structures"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StructureKind.choices)
    name = models.CharField(_("name"), max_length=128)
    zone = models.ForeignKey(
        "venues.Zone", verbose_name=_("zone"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    builder = models.CharField(_("built by"), max_length=128, blank=True)
    erected_on = models.DateField(_("erected on"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by_label = models.CharField(_("accepted by"), max_length=200, blank=True)
    accepted_via = models.CharField(_("accepted through"), max_length=12, choices=AcceptanceVia.choices, blank=True)
    inspection_type = models.ForeignKey(
        ContentType,
        verbose_name=_("inspection type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    inspection_id = models.PositiveBigIntegerField(_("inspection"), null=True, blank=True)
    inspection_label = models.CharField(_("inspection"), max_length=200, blank=True)
    acceptance_note = models.TextField(_("acceptance note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("temporary structure")
        verbose_name_plural = _("temporary structures")
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None


class PostEventReview(models.Model):
    """The review after a permitted event (活动复盘): attendance by session, incidents, what worked and what did
    not — one by the organizer, one by the licensing department. The department's ``outcome`` weighs on the
    organizer's next application: shown to its reviewer, and a failed one raises its risk assessment's history
    factor (``permits.selectors.previous_review``)."""

    application = models.ForeignKey(
        PermitApplication, verbose_name=_("application"), on_delete=models.CASCADE, related_name="reviews"
    )
    side = models.CharField(_("by"), max_length=12, choices=ReviewSide.choices)
    # [{"session": id, "starts_at": iso, "expected": n, "actual": n}]
    attendance = models.JSONField(_("attendance by session"), default=list, blank=True)
    incidents = models.TextField(_("incidents"), blank=True)
    worked = models.TextField(_("measures that worked"), blank=True)
    did_not_work = models.TextField(_("measures that did not work"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("post-event review")
        verbose_name_plural = _("post-event reviews")
        ordering = ["application_id", "side", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "side"], name="permits_review_one_per_side")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} · {self.application}"

    @property
    def total_attendance(self) -> int:
        return sum(int(row.get("actual") or 0) for row in self.attendance)
