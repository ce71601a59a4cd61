from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JurisdictionLevel(models.TextChoices):
    """属地层级: city → district/county → township/street → village/community → grid."""

    CITY = "city", _("市")
    DISTRICT = "district", _("县（市、区）")
    TOWNSHIP = "township", _("乡镇（街道）")
    COMMUNITY = "community", _("村（社区）")
    GRID = "grid", _("网格")


# Depth of each level in the tree (a city is the root).
LEVEL_DEPTH = {
    JurisdictionLevel.CITY: 0,
    JurisdictionLevel.DISTRICT: 1,
    JurisdictionLevel.TOWNSHIP: 2,
    JurisdictionLevel.COMMUNITY: 3,
    JurisdictionLevel.GRID: 4,
}


class DepartmentKind(models.TextChoices):
    """Kinds of agency, after the division of duties in 安委办〔2023〕1号 and the city notices."""

    PUBLIC_SECURITY = "public_security", _("公安")
    FIRE_RESCUE = "fire_rescue", _("消防救援")
    EMERGENCY = "emergency", _("应急管理")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    HOUSING = "housing", _("住房城乡建设")
    CULTURE_TOURISM = "culture_tourism", _("文化广电旅游")
    EDUCATION = "education", _("教育")
    TRANSPORT = "transport", _("交通运输")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    HEALTH = "health", _("卫生健康")
    TOWNSHIP_GOVERNMENT = "township_government", _("乡镇人民政府（街道办事处）")
    OTHER = "other", _("其他")


class OrganisationKind(models.TextChoices):
    ORGANIZER = "organizer", _("活动主办/承办单位")
    VENUE_OPERATOR = "venue_operator", _("场所管理（经营）单位")
    BOTH = "both", _("主办单位兼场所管理单位")


class Role(models.TextChoices):
    """A membership's role. Which anchor it needs is in ``ROLE_ANCHOR``."""

    STAFF = "staff", _("部门工作人员")
    HEAD = "head", _("部门负责人")
    GRID_WORKER = "grid_worker", _("网格员")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇（街道）工作人员")
    LEADER = "leader", _("领导")
    ADMIN = "admin", _("系统管理员")
    ORGANIZER = "organizer", _("活动主办方")
    VENUE_OPERATOR = "venue_operator", _("场所管理者")


class Anchor(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    JURISDICTION = "jurisdiction", _("辖区")
    ORGANISATION = "organisation", _("单位")


ROLE_ANCHOR = {
    Role.STAFF: Anchor.DEPARTMENT,
    Role.HEAD: Anchor.DEPARTMENT,
    Role.GRID_WORKER: Anchor.JURISDICTION,
    Role.TOWNSHIP_OFFICER: Anchor.JURISDICTION,
    Role.LEADER: Anchor.JURISDICTION,
    Role.ADMIN: Anchor.JURISDICTION,
    Role.ORGANIZER: Anchor.ORGANISATION,
    Role.VENUE_OPERATOR: Anchor.ORGANISATION,
}

# Roles whose jurisdiction must be at a given level (a grid worker works a grid, a township officer a township).
ROLE_LEVELS = {
    Role.GRID_WORKER: {JurisdictionLevel.GRID, JurisdictionLevel.COMMUNITY},
    Role.TOWNSHIP_OFFICER: {JurisdictionLevel.TOWNSHIP},
    Role.LEADER: {JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT, JurisdictionLevel.TOWNSHIP},
    Role.ADMIN: {JurisdictionLevel.CITY},
}
