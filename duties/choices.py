"""Choices of the responsibility engine: what triggers a rule, who it puts the duty on, and on what basis."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    """What a task can be about. Each domain app registers its model under one of these names
    (``duties.subjects.register_subject``); rules refer to the name, so they need no import of the app."""

    VENUE = "venue", _("Venue")
    GATHERING = "gathering", _("Spontaneous gathering")
    PERMIT_APPLICATION = "permit_application", _("Large-event permit application")
    HAZARD = "hazard", _("Hazard")
    DRILL = "drill", _("Drill")
    RISK_ASSESSMENT = "risk_assessment", _("Risk assessment")
    CAMPAIGN_TARGET = "campaign_target", _("Assessment campaign item")
    PERMIT_CONDITION = "permit_condition", _("Permit condition")
    SITE_INSPECTION = "site_inspection", _("Joint site inspection")
    EMERGENCY_PLAN = "emergency_plan", _("Emergency plan")
    AFTER_ACTION_ITEM = "after_action_item", _("Drill after-action item")
    JURISDICTION = "jurisdiction", _("Jurisdiction")
    # Translators: 提醒接收人缺口（无人可接收提醒，或发送失败）
    COVERAGE_ISSUE = "coverage_issue", _("Recipient coverage gap")
    # Translators: 次年节假日安排待录入
    HOLIDAY_SCHEDULE = "holiday_schedule", _("Next year's holiday schedule")
    # Translators: 应急处置措施（启动预案后分派到部门）
    INCIDENT_MEASURE = "incident_measure", _("Incident response measure")
    # Translators: 人流监测预警（监测区域的一次预警过程）
    MONITORING_ALERT = "monitoring_alert", _("Crowd monitoring alert")


class TriggerEvent(models.TextChoices):
    """What happened to the subject. ``saved`` matches both ``created`` and ``updated``: a rule that
    describes what a subject *is* (a scenic area needs a culture & tourism inspection) fires when the
    subject is created and when a change makes it match."""

    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    SAVED = "saved", _("created or updated")
    STATE_CHANGED = "state_changed", _("state changed")
    COMPLETED = "completed", _("completed")


# The rule events an event from a domain app fires.
EVENT_MATCHES: dict[str, tuple[str, ...]] = {
    TriggerEvent.CREATED: (TriggerEvent.CREATED, TriggerEvent.SAVED),
    TriggerEvent.UPDATED: (TriggerEvent.UPDATED, TriggerEvent.SAVED),
    TriggerEvent.SAVED: (TriggerEvent.SAVED,),
    TriggerEvent.STATE_CHANGED: (TriggerEvent.STATE_CHANGED,),
    TriggerEvent.COMPLETED: (TriggerEvent.COMPLETED,),
}


class PartyKind(models.TextChoices):
    """Who a rule puts the duty on."""

    DEPARTMENT = "department", _("A department of a given kind")
    TERRITORIAL = "territorial", _("The territorial township / street")
    ORGANIZER = "organizer", _("The organizer")
    VENUE_OPERATOR = "venue_operator", _("The venue operator")
    # The subject names its own holder (a campaign's target unit, a drill's after-action item owner): the
    # registration's ``assignee`` says who.
    ASSIGNED = "assigned", _("The party named on the subject")


class Basis(models.TextChoices):
    """The principle that makes the party responsible (the division of duties in 安委办〔2023〕1号)."""

    # Translators: 谁主办谁负责
    ORGANIZER = "organizer", _("Whoever organizes is responsible")
    # Translators: 谁审批谁监管
    APPROVER = "approver", _("Whoever approves supervises")
    # Translators: 谁的场地谁负责
    VENUE_OPERATOR = "venue_operator", _("Whoever owns the venue is responsible")
    # Translators: 属地管理
    TERRITORIAL = "territorial", _("Territorial management")
    # Translators: 管行业必须管安全
    INDUSTRY = "industry", _("The industry regulator supervises safety")


class DeadlineAnchor(models.TextChoices):
    """The moment a rule's deadline is counted from."""

    EVENT = "event", _("the event (e.g. the day the venue was registered or the permit submitted)")
    ATTRIBUTE = "attribute", _("a date of the subject (named attribute)")


class TaskStatus(models.TextChoices):
    """A task's state. ``overdue`` is set by the nightly scan (``tasks_mark_overdue``) on an outstanding task
    whose due date has passed; lists also compute ``is_overdue`` so that a task is red from midnight on,
    before the scan has run."""

    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Still owed: the statuses a queue shows by default and the partial indexes cover.
OUTSTANDING = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.OVERDUE)
OUTSTANDING_VALUES = tuple(str(s.value) for s in OUTSTANDING)
