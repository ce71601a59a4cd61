from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crowdsafe.org.choices import JurisdictionLevel

# A venue sits in a grid, or in a village/community that has no grids of its own.
VENUE_LEVELS = frozenset({JurisdictionLevel.GRID, JurisdictionLevel.COMMUNITY})


class VenueKind(models.TextChoices):
    """Kinds of crowded place (人员密集场所). The values are stable: responsibility rules match on them."""

    SQUARE = "square", _("Square")
    COMMERCIAL = "commercial", _("Commercial street / mall")
    SCENIC_AREA = "scenic_area", _("Scenic area")
    INTERNET_FAMOUS = "internet_famous", _("Internet-famous spot")
    PARK = "park", _("Park")
    STADIUM = "stadium", _("Stadium / gym")
    THEATRE = "theatre", _("Theatre / performance venue")
    EXHIBITION = "exhibition", _("Exhibition hall")
    ENTERTAINMENT = "entertainment", _("Internet café / KTV / entertainment venue")
    SCHOOL = "school", _("School / kindergarten")
    HOSPITAL = "hospital", _("Hospital")
    STATION = "station", _("Station / transport hub")
    ELDERLY_CARE = "elderly_care", _("Elderly-care / welfare institution")
    RELIGIOUS_SITE = "religious_site", _("Temple fair / religious site")
    OTHER = "other", _("Other")


class ZoneKind(models.TextChoices):
    """What a zone is used for; each kind has its own capacity settings (``CapacitySetting``)."""

    STANDING = "standing", _("Standing area")
    SEATED = "seated", _("Seated area")
    WALKWAY = "walkway", _("Walkway")
    STAIRS_RAMP = "stairs_ramp", _("Stairs / ramp")
    BRIDGE = "bridge", _("Bridge")
    NARROW_PASSAGE = "narrow_passage", _("Narrow passage")


class ExitKind(models.TextChoices):
    """An exit on the level, by stairs or down a ramp or slope: crowds flow more slowly down stairs (Green Guide:
    ~66 vs ~82), and a ramp has its own flow rate setting (``CapacitySetting.flow_rate_ramp``)."""

    LEVEL = "level", pgettext_lazy("exit kind", "Level")
    STAIRS = "stairs", _("Stairs")
    RAMP = "ramp", _("Ramp / slope")


class RiskPointKind(models.TextChoices):
    """Features where crowds crush or fall (风险点位): the venue features of an event risk assessment."""

    STEPS = "steps", _("Steps")
    RAMP = "ramp", _("Ramp")
    BRIDGE = "bridge", _("Bridge")
    NARROW_SPACE = "narrow_space", _("Narrow space")
    SLOPE = "slope", _("Slope")
    OTHER = "other", _("Other")


class FireInspectionStatus(models.TextChoices):
    """Outcome of the last fire-safety inspection of the venue (消防安全检查)."""

    NOT_INSPECTED = "not_inspected", _("Not inspected")
    PASSED = "passed", _("Passed")
    RECTIFICATION = "rectification", _("Rectification required")
    FAILED = "failed", pgettext_lazy("fire inspection", "Failed")


class EquipmentKind(models.TextChoices):
    """Special equipment (特种设备) supervised by market regulation, with statutory periodic inspection."""

    ELEVATOR = "elevator", _("Elevator")
    ESCALATOR = "escalator", _("Escalator / moving walk")
    AMUSEMENT_RIDE = "amusement_ride", _("Large amusement ride")


class BindingLimit(models.TextChoices):
    """Which figure sets the safe capacity: the area, the exits, or (seated zones only) the seat count."""

    AREA = "area", _("Area")
    EXITS = "exits", _("Exits")
    SEATS = "seats", _("Seats")


class VenueDocumentKind(models.TextChoices):
    """Documents of a venue's building and fire safety (issue 21 point 4): the completion acceptance (竣工验收), the
    fire-protection acceptance (消防验收) and fire-safety inspection (消防安全检查) before opening (梅河口市安委办通知
    （六）), and the building safety appraisal report (房屋安全鉴定报告)."""

    COMPLETION_ACCEPTANCE = "completion_acceptance", _("Completion acceptance certificate")
    FIRE_ACCEPTANCE = "fire_acceptance", _("Fire-protection acceptance")
    FIRE_INSPECTION = "fire_inspection", _("Fire-safety inspection before opening")
    SAFETY_APPRAISAL = "safety_appraisal", _("Building safety appraisal report")
