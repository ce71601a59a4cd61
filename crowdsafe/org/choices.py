from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Separator of a jurisdiction's materialised path ("410500/410502/"). Here rather than in models so that the
# scoping kernel (crowdsafe.org.access, crowdsafe.common.scoping) can read it without importing the models it scopes.
PATH_SEPARATOR = "/"


class JurisdictionLevel(models.TextChoices):
    """属地层级: city → district/county → township/street → village/community → grid."""

    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    TOWNSHIP = "township", _("Township / street")
    COMMUNITY = "community", _("Village / community")
    GRID = "grid", _("Grid")


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

    PUBLIC_SECURITY = "public_security", _("Public security")
    FIRE_RESCUE = "fire_rescue", _("Fire and rescue")
    EMERGENCY = "emergency", _("Emergency management")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    HOUSING = "housing", _("Housing and urban-rural development")
    CULTURE_TOURISM = "culture_tourism", _("Culture, radio, TV and tourism")
    EDUCATION = "education", _("Education")
    TRANSPORT = "transport", _("Transport")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HEALTH = "health", _("Health")
    TOWNSHIP_GOVERNMENT = "township_government", _("Township government / street office")
    OTHER = "other", _("Other")


class OrganisationKind(models.TextChoices):
    ORGANIZER = "organizer", _("Event organizer / undertaker")
    VENUE_OPERATOR = "venue_operator", _("Venue operator")
    BOTH = "both", _("Organizer and venue operator")


class Role(models.TextChoices):
    """A membership's role. Which anchor it needs is in ``ROLE_ANCHOR``."""

    STAFF = "staff", _("Department staff")
    HEAD = "head", _("Department head")
    GRID_WORKER = "grid_worker", _("Grid worker")
    TOWNSHIP_OFFICER = "township_officer", _("Township officer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("System administrator")
    ORGANIZER = "organizer", _("Organizer")
    VENUE_OPERATOR = "venue_operator", _("Venue operator (person)")


class Anchor(models.TextChoices):
    DEPARTMENT = "department", _("department")
    JURISDICTION = "jurisdiction", _("jurisdiction")
    ORGANISATION = "organisation", _("organisation")


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
