"""Choices of the permit app. Values are stable: responsibility rules and API clients match on them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ApplicationState(models.TextChoices):
    """Where an application stands in the review under Order 505 (see ``permits.services`` for the moves)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    # Translators: 补正 — the application was returned so that the organizer completes it
    CORRECTION = "correction", _("Returned for correction")
    # Translators: 不予受理
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    # Translators: 受理
    ACCEPTED = "accepted", _("Accepted")
    UNDER_REVIEW = "under_review", _("Under review")
    # Translators: 联合踏勘 / 实地检查
    INSPECTION = "inspection", _("Joint site inspection")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")


S = ApplicationState
# The organizer may still change the application's content in these states.
EDITABLE_STATES = (S.DRAFT, S.CORRECTION)
# Waiting for the licensing department: the reviewer queue lists these.
REVIEW_STATES = (S.SUBMITTED, S.ACCEPTED, S.UNDER_REVIEW, S.INSPECTION)
REVIEW_STATE_VALUES = tuple(str(s.value) for s in REVIEW_STATES)
# The organizer may withdraw the application in these states (before a decision).
WITHDRAWABLE_STATES = (S.SUBMITTED, S.CORRECTION, S.ACCEPTED, S.UNDER_REVIEW, S.INSPECTION)
# Final: nothing more happens to the application.
FINAL_STATES = (S.NOT_ACCEPTED, S.REFUSED, S.CLOSED, S.WITHDRAWN, S.CANCELLED)


class EventKind(models.TextChoices):
    """The kinds of large-scale mass event of Order 505 Art. 2."""

    SPORTS = "sports", _("Sports competition")
    PERFORMANCE = "performance", _("Concert, music or other performance")
    EXHIBITION = "exhibition", _("Exhibition or trade fair")
    GARDEN_FAIR = "garden_fair", _("Garden party, lantern show, temple fair, flower fair or fireworks")
    JOB_FAIR = "job_fair", _("Job fair")
    LOTTERY = "lottery", _("Lottery sale with an on-site draw")


class LicensingLevel(models.TextChoices):
    """Who licenses (Order 505 Art. 12)."""

    COUNTY = "county", _("County-level public security")
    CITY = "city", _("City-level public security")
    MINISTRY = "ministry", _("Ministry of Public Security (outside this platform)")


class MaterialKind(models.TextChoices):
    """The materials of an application (Order 505 Art. 13; the emergency plan of Art. 6 (9) as its own file)."""

    UNDERTAKER_LICENCE = "undertaker_licence", _("Proof that the undertaker is legally established")
    SAFETY_PERSON_ID = "safety_person_id", _("ID of the safety-responsible person")
    EVENT_PLAN = "event_plan", _("Event plan and description")
    JOINT_AGREEMENT = "joint_agreement", _("Joint undertaking agreement")
    SECURITY_PLAN = "security_plan", _("Security plan")
    VENUE_CONSENT = "venue_consent", _("Venue operator's consent")
    QUALIFICATION = "qualification", _("Qualification certificate required by law")
    EMERGENCY_PLAN = "emergency_plan", _("Emergency rescue plan")
    OTHER = "other", pgettext_lazy("material kind", "Other")


class PlanMode(models.TextChoices):
    """How the security plan (安全工作方案) is given: written here section by section, or uploaded as a file with
    the page of each section marked."""

    WRITTEN = "written", _("Written here, section by section")
    UPLOADED = "uploaded", _("Uploaded as a file, with the page of each section")


class PlanSection(models.TextChoices):
    """The nine things a security plan must cover (Order 505 Art. 6 (1)–(9))."""

    ORGANISATION = "organisation", _("Time, place, content and organisation of the event")
    SECURITY_STAFF = "security_staff", _("Number, tasks and identification of the security staff")
    FIRE_SAFETY = "fire_safety", _("Fire safety measures of the venue")
    CAPACITY = "capacity", _("Venue capacity and expected attendance")
    BUFFER_ZONES = "buffer_zones", _("Security buffer zones and their markings")
    TICKETING = "ticketing", _("Ticket checks and security screening at entry")
    TRAFFIC = "traffic", _("Parking and traffic")
    ORDER = "order", _("On-site order and crowd guidance")
    EMERGENCY = "emergency", _("Emergency rescue plan")


# Art. 6 item number of each section, for the citation "Art. 6 (3)".
PLAN_SECTION_ITEMS = {section.value: index for index, section in enumerate(PlanSection, start=1)}


class InspectionResult(models.TextChoices):
    PENDING = "pending", _("Not yet recorded")
    PASSED = "passed", pgettext_lazy("inspection result", "Passed")
    FAILED = "failed", pgettext_lazy("inspection result", "Failed")


class ConditionStatus(models.TextChoices):
    """An approval condition: the organizer reports it done, the licensing department checks it."""

    OPEN = "open", pgettext_lazy("condition status", "Open")
    REPORTED = "reported", _("Reported done")
    VERIFIED = "verified", _("Checked and done")


class ChangeKind(models.TextChoices):
    """What an organizer asks to change after approval (Order 505 Art. 15)."""

    TIME = "time", _("Time")
    PLACE = "place", _("Place")
    CONTENT = "content", _("Content")
    SCALE = "scale", _("Larger scale")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", pgettext_lazy("change request", "Approved")
    REFUSED = "refused", pgettext_lazy("change request", "Refused")


class CommentSection(models.TextChoices):
    """The parts of an application a reviewer's comment thread is about."""

    GENERAL = "general", _("General")
    EVENT = "event", _("The event")
    SESSIONS = "sessions", _("Sessions")
    VENUE = "venue", _("Venue and zones")
    UNDERTAKERS = "undertakers", _("Undertakers")
    SAFETY_PERSON = "safety_person", _("Safety-responsible person")
    TICKETING = "ticketing", _("Ticketing plan")
    MATERIALS = "materials", _("Materials")
    SECURITY_PLAN = "security_plan", _("Security plan")


class SupervisionKind(models.TextChoices):
    """Supervision after approval by the approving department (谁审批谁监管)."""

    PRE_EVENT = "pre_event", _("Pre-event safety inspection")
    ON_DAY = "on_day", _("On-the-day supervision")


class DecisionOutcome(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REFUSE = "refuse", _("Refuse")


class ResourceKind(models.TextChoices):
    """The security resources of an event (安保力量与设备), planned by zone and session and checked against the
    ratio table (``ResourceRatio``): the police bureau's reply asks the organizer to 配齐安检门、X光机等各类安检设备，
    配足与活动安全工作需要相适应的保安人员、志愿者."""

    SECURITY_STAFF = "security_staff", _("Security staff")
    VOLUNTEERS = "volunteers", _("Volunteers")
    SECURITY_GATES = "security_gates", _("Walk-through security gates")
    XRAY_MACHINES = "xray_machines", _("X-ray baggage scanners")
    MEDICAL_STAFF = "medical_staff", _("Medical staff")


class StructureKind(models.TextChoices):
    """Temporary structures put up for an event (临时搭建设施), each accepted (验收) before use."""

    STAGE = "stage", _("Stage")
    STAND = "stand", _("Stand / temporary seating")
    SCREEN = "screen", _("Screen / truss")
    TENT = "tent", _("Tent / booth")
    LIGHTING_TOWER = "lighting_tower", _("Lighting or sound tower")
    OTHER = "other", pgettext_lazy("structure kind", "Other")


class AcceptanceVia(models.TextChoices):
    """How a temporary structure was accepted: by the pre-event inspection, or by the housing department's own
    acceptance (住建部门验收)."""

    INSPECTION = "inspection", _("Pre-event inspection")
    HOUSING = "housing", _("Housing department's acceptance")
    OTHER = "other", pgettext_lazy("acceptance via", "Other acceptance")


class ReviewSide(models.TextChoices):
    """Who wrote a post-event review (活动复盘): the organizer, or the licensing department."""

    ORGANIZER = "organizer", _("Organizer")
    DEPARTMENT = "department", _("Licensing department")


class ReviewOutcome(models.TextChoices):
    """The licensing department's verdict on how the event went; a failed one weighs on the organizer's next
    application (its risk assessment's history factor)."""

    GOOD = "good", _("Went well")
    CONCERNS = "concerns", _("Went with problems")
    FAILED = "failed", _("Failed: serious problems")
