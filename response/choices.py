"""Choices of the response app (应急响应与现场指挥). Values are stable: the API and the seeded data use them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentSource(models.TextChoices):
    """How an incident was opened."""

    # Translators: 监测预警
    MONITORING = "monitoring", _("A monitoring alert")
    # Translators: 红色聚集活动
    GATHERING = "gathering", _("A gathering at red")
    # Translators: 群众报告（110/12345/网页）
    PUBLIC_REPORT = "public_report", _("A report from the public")
    # Translators: 许可活动举办当日
    EVENT = "event", _("A permitted event on its day")
    # Translators: 人工启动
    MANUAL = "manual", _("Opened by hand")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident status", "Responding")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


class MeasureStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("measure status", "Pending")
    DONE = "done", pgettext_lazy("measure status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("measure status", "Withdrawn")


class ForceKind(models.TextChoices):
    """Forces (力量) the notice names: police, fire rescue, 120 medical, urban management, volunteers."""

    POLICE = "police", _("Police officers")
    FIRE = "fire", _("Fire rescue")
    MEDICAL = "medical", _("120 medical")
    URBAN = "urban", _("Urban management")
    VOLUNTEERS = "volunteers", _("Volunteers")
    OTHER = "other", pgettext_lazy("force kind", "Other")


class ForceState(models.TextChoices):
    """requested → dispatched → on scene → released."""

    REQUESTED = "requested", pgettext_lazy("force state", "Requested")
    DISPATCHED = "dispatched", pgettext_lazy("force state", "Dispatched")
    ON_SCENE = "on_scene", pgettext_lazy("force state", "On scene")
    RELEASED = "released", pgettext_lazy("force state", "Released")


FORCE_ORDER = [ForceState.REQUESTED, ForceState.DISPATCHED, ForceState.ON_SCENE, ForceState.RELEASED]
# The time field each state stamps.
FORCE_TIME_FIELD = {
    ForceState.REQUESTED: "requested_at",
    ForceState.DISPATCHED: "dispatched_at",
    ForceState.ON_SCENE: "on_scene_at",
    ForceState.RELEASED: "released_at",
}


class EscalationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("escalation status", "Awaiting acceptance")
    ACCEPTED = "accepted", pgettext_lazy("escalation status", "Accepted")
    WITHDRAWN = "withdrawn", pgettext_lazy("escalation status", "Withdrawn")
    RETURNED = "returned", pgettext_lazy("escalation status", "Handed back down")


class ReportChannel(models.TextChoices):
    POLICE_110 = "110", _("110 police hotline")
    HOTLINE_12345 = "12345", _("12345 citizen hotline")
    WEB = "web", _("Public web page")


class ReportStatus(models.TextChoices):
    """received → linked (to a gathering or incident) | gathering created | no action needed."""

    RECEIVED = "received", pgettext_lazy("public report status", "Received, being checked")
    LINKED = "linked", pgettext_lazy("public report status", "Being handled")
    GATHERING_CREATED = "gathering_created", pgettext_lazy("public report status", "Being handled")
    NO_ACTION = "no_action", pgettext_lazy("public report status", "Checked, no action needed")
