from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.identifiers import validate_credit_code, validate_resident_id
from crowdsafe.common.scoping import ScopedQuerySet
from crowdsafe.org.choices import (
    PATH_SEPARATOR,
    ROLE_ANCHOR,
    Anchor,
    DepartmentKind,
    JurisdictionLevel,
    OrganisationKind,
    Role,
)

division_code_validator = RegexValidator(
    r"^\d{6}(\d{3}(\d{3}(G\d{1,3})?)?)?$",
    _(
        "A division code has 6 digits (county and above), 9 (township/street) or 12 (village/community); "
        "a grid adds G and a number to its community's code."
    ),
)


class JurisdictionQuerySet(ScopedQuerySet["Jurisdiction"]):
    visibility_rule = "crowdsafe.org.access.jurisdiction_visible_q"


class DepartmentQuerySet(ScopedQuerySet["Department"]):
    visibility_rule = "crowdsafe.org.access.department_visible_q"


class OrganisationQuerySet(ScopedQuerySet["Organisation"]):
    visibility_rule = "crowdsafe.org.access.organisation_visible_q"


class Jurisdiction(models.Model):
    """A territory (属地): city, district/county, township/street, village/community or grid.

    Keyed by the official statistical division code (安阳市 410500, 文峰区 410502, a street 410502001, a
    community 410502001001); grids carry a suffix (410502001001G01). ``path`` is the materialised path of
    codes from the root, ending in a separator ("410500/410502/410502001/"), so "everything in this
    territory" (属地管理) is one prefix match on an indexed column, with no recursion.
    """

    code = models.CharField(_("division code"), max_length=20, unique=True, validators=[division_code_validator])
    name = models.CharField(_("name"), max_length=64)
    level = models.CharField(_("level"), max_length=16, choices=JurisdictionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # unique=True gives PostgreSQL two indexes: the plain one and a varchar_pattern_ops "_like" one, which
    # serves the LIKE 'prefix%' of territorial scoping whatever the database collation.
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)

    objects = JurisdictionQuerySet.as_manager()
    # Locally promised decision deadline for permits etc. is configured per jurisdiction in later issues.

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdiction")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True, level=JurisdictionLevel.CITY) | Q(parent__isnull=False),
                name="org_jurisdiction_root_is_city",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return [code for code in self.path.split(PATH_SEPARATOR) if code][:-1]

    def is_within(self, other: Jurisdiction) -> bool:
        return self.path.startswith(other.path)

    @property
    def city_code(self) -> str:
        return self.path.split(PATH_SEPARATOR, 1)[0]


class Boundary(models.Model):
    """A territory's boundary (行政区划边界): a GeoJSON Polygon or MultiPolygon in WGS-84 ([lng, lat]), uploaded by
    the administrator and checked by ``crowdsafe.org.boundaries``. The base layer of every map, so that a map with
    no tile server (no internet) still shows where things are. Kept out of ``Jurisdiction`` so that the many reads
    of jurisdictions never carry a geometry.

    ``approximate``: drawn by hand (the demo city's), labelled 示意边界 on the map. ``centre_*``: the middle of its
    bounding box, where a map places a gathering of the territory that has no position of its own. ``min_*`` and
    ``max_*``: that bounding box, over which a map lays the grid of its clusters (``crowdsafe.org.maps.clusters``:
    the territory's extent known in advance, not found by reading every row to cluster)."""

    jurisdiction = models.OneToOneField(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="boundary",
    )
    geometry = models.JSONField(_("boundary (GeoJSON)"))
    approximate = models.BooleanField(_("approximate boundary"), default=False)
    centre_latitude = models.DecimalField(_("centre latitude"), max_digits=9, decimal_places=6)
    centre_longitude = models.DecimalField(_("centre longitude"), max_digits=9, decimal_places=6)
    min_latitude = models.DecimalField(_("least latitude"), max_digits=9, decimal_places=6, null=True)
    min_longitude = models.DecimalField(_("least longitude"), max_digits=9, decimal_places=6, null=True)
    max_latitude = models.DecimalField(_("greatest latitude"), max_digits=9, decimal_places=6, null=True)
    max_longitude = models.DecimalField(_("greatest longitude"), max_digits=9, decimal_places=6, null=True)
    points = models.PositiveIntegerField(_("points"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return str(self.jurisdiction)


class Department(models.Model):
    """A government agency at a jurisdiction (部门): 安阳市公安局, 文峰区公安分局, 梅河口市消防救援大队 …

    Each department has its own auth group; object permissions beyond the default scope (e.g. a permit
    opened to the fire brigade for a joint inspection) are granted to that group, never to one person.
    """

    name = models.CharField(_("name"), max_length=128)
    short_name = models.CharField(_("short name"), max_length=32, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=DepartmentKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="departments"
    )
    group = models.OneToOneField(
        Group,
        verbose_name=_("permission group"),
        on_delete=models.PROTECT,
        related_name="department",
        editable=False,
    )
    duty_phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("department")
        ordering = ["jurisdiction__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="org_department_unique_name"),
        ]
        indexes = [models.Index(fields=["kind", "jurisdiction"], name="org_dept_kind_jur_idx")]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """An outside body (单位): an event organizer or undertaker (主办/承办方), or a venue operator.

    Carries what Order 505 Art. 13 asks of an undertaker: proof of legal establishment (the unified social
    credit code) and its safety-responsible person (安全责任人).
    """

    name = models.CharField(_("name"), max_length=128)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("registered jurisdiction"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    safety_officer_name = models.CharField(_("safety-responsible person"), max_length=64)
    safety_officer_phone = models.CharField(_("safety-responsible person's phone"), max_length=20)
    safety_officer_id_number = models.CharField(
        _("safety-responsible person's ID number"), max_length=18, blank=True, validators=[validate_resident_id]
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """Who a user acts for, and in which role (成员身份).

    Staff and heads belong to a department; grid workers, township officers, leaders and admins to a
    jurisdiction; organizers and venue operators to an organisation. Exactly one anchor is set, the one the
    role needs (``ROLE_ANCHOR``); a database constraint keeps it so.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    title = models.CharField(_("title"), max_length=64, blank=True)
    # The department's on-duty desk (值班): urgent alerts for its territory go to the people on duty first (all
    # its staff and heads when nobody is marked). Set in the admin as the duty roster changes.
    on_duty = models.BooleanField(
        _("on duty"), default=False, help_text=_("Staff or head on the department's on-duty desk (值班) for alerts.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("membership")
        ordering = ["user_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=[r for r, a in ROLE_ANCHOR.items() if a == Anchor.DEPARTMENT],
                        department__isnull=False,
                        jurisdiction__isnull=True,
                        organisation__isnull=True,
                    )
                    | Q(
                        role__in=[r for r, a in ROLE_ANCHOR.items() if a == Anchor.JURISDICTION],
                        department__isnull=True,
                        jurisdiction__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        role__in=[r for r, a in ROLE_ANCHOR.items() if a == Anchor.ORGANISATION],
                        department__isnull=True,
                        jurisdiction__isnull=True,
                        organisation__isnull=False,
                    )
                ),
                name="org_membership_anchor_matches_role",
            ),
            # One membership per (user, role, anchor); partial constraints because exactly one anchor is set.
            models.UniqueConstraint(
                fields=["user", "role", "department"],
                condition=Q(department__isnull=False),
                name="org_membership_unique_department",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "jurisdiction"],
                condition=Q(jurisdiction__isnull=False),
                name="org_membership_unique_jurisdiction",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="org_membership_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.anchor}"

    @property
    def anchor(self) -> Department | Jurisdiction | Organisation | None:
        return self.department or self.jurisdiction or self.organisation

    @property
    def territory(self) -> Jurisdiction | None:
        """The jurisdiction this membership works in (a department's own jurisdiction for staff)."""
        if self.department_id:
            return self.department.jurisdiction
        if self.jurisdiction_id:
            return self.jurisdiction
        return None
