"""Choices of emergency plans and drills (应急预案与演练). Values are stable: rules and the API use them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanKind(models.TextChoices):
    """The three layers of a unit's emergency plans (《生产安全事故应急预案管理办法》第六条)."""

    # Translators: 综合应急预案 / 总体应急预案
    OVERALL = "overall", _("Overall plan")
    # Translators: 专项应急预案
    SPECIAL = "special", _("Special plan")
    # Translators: 现场处置方案
    ON_SITE = "on_site", _("On-site disposal plan")


class OwnerKind(models.TextChoices):
    """Who keeps the plan: a department, a township/street, a venue operator or an event organizer."""

    DEPARTMENT = "department", _("Department")
    TOWNSHIP = "township", _("Township / street")
    VENUE_OPERATOR = "venue_operator", _("Venue operator")
    ORGANIZER = "organizer", _("Event organizer")


class ScopeKind(models.TextChoices):
    """What the plan covers. "有组织活动有预案，无组织活动也要有预案": an organised event (a permit application),
    and also a kind of spontaneous gathering in a territory."""

    VENUE = "venue", _("A venue")
    EVENT = "event", _("An event (permit application)")
    GATHERING_KIND = "gathering_kind", _("A kind of spontaneous gathering in a territory")
    JURISDICTION = "jurisdiction", _("A jurisdiction")


class GatheringKind(models.TextChoices):
    """Kinds of spontaneous gathering a territory plans for (the notices: 自发祈福、娱乐庆祝、商场促销、线上转线下)."""

    FESTIVAL = "festival", _("Festival prayers and celebrations")
    PROMOTION = "promotion", _("Shopping-mall promotions")
    ONLINE_TO_OFFLINE = "online_to_offline", _("Online calls to gather offline")
    INTERNET_FAMOUS = "internet_famous", _("Crowds at an internet-famous spot")
    NEW_YEAR = "new_year", _("New Year's Eve countdown")
    OTHER = "other", pgettext_lazy("gathering kind", "Other")


class AlertLevel(models.TextChoices):
    """The four warning levels a plan's measures are graded by (blue < yellow < orange < red)."""

    BLUE = "blue", _("Blue (level IV)")
    YELLOW = "yellow", _("Yellow (level III)")
    ORANGE = "orange", _("Orange (level II)")
    RED = "red", _("Red (level I)")


ALERT_ORDER = {level: i for i, level in enumerate(AlertLevel.values)}


class MeasureKind(models.TextChoices):
    """Crowd-control measures the notices name (远端控制、分流限流、疏出阻入、单向通行), with evacuation routes and
    medical points."""

    UPSTREAM_HOLDING = "upstream_holding", _("Upstream holding")
    FLOW_LIMITING = "flow_limiting", _("Diversion and flow limiting")
    LET_OUT_BLOCK_IN = "let_out_block_in", _("Let out and block in")
    ONE_WAY = "one_way", _("One-way flow")
    EVACUATION_ROUTE = "evacuation_route", _("Evacuation route")
    MEDICAL_POINT = "medical_point", _("Medical point")
    OTHER = "other", pgettext_lazy("measure kind", "Other")


class DrillForm(models.TextChoices):
    """How the drill is held (《生产安全事故应急演练基本规范》AQ/T 9007: 桌面演练、实战演练; 单项、综合)."""

    TABLETOP = "tabletop", _("Tabletop exercise")
    FUNCTIONAL = "functional", _("Single-function drill")
    FULL_SCALE = "full_scale", _("Full-scale comprehensive drill")


class DrillStatus(models.TextChoices):
    """planned → held | cancelled; a drill held without being planned is recorded as held at once."""

    PLANNED = "planned", pgettext_lazy("drill status", "Planned")
    HELD = "held", pgettext_lazy("drill status", "Held")
    CANCELLED = "cancelled", pgettext_lazy("drill status", "Cancelled")


class ItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("after-action item status", "Open")
    CLOSED = "closed", pgettext_lazy("after-action item status", "Closed")


class VersionSource(models.TextChoices):
    UPLOAD = "upload", pgettext_lazy("plan version source", "Uploaded")
    PERMIT_MATERIAL = "permit_material", _("From the permit application")
