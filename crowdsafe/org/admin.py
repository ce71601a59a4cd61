"""Admin for the organisation model: jurisdictions, departments, organisations and memberships.

Writes go through the services in ``crowdsafe.org.services``, never through plain form saves, so the admin
keeps the same rules and writes the same action log as the rest of the platform:

- a form's ``clean()`` asks the service whether it would accept the input (``check_with_service``) and shows
  its refusal (a ``DomainError``) as a form error, so bad input changes nothing and never becomes a 500;
- ``save_model`` / ``delete_model`` / ``save_formset`` then call the service for real;
- what has no service is not offered: jurisdictions can only be renamed, departments only (de)activated,
  organisations and memberships are not edited in place, and nothing here is deleted except memberships
  (through ``membership_remove``).

Who may use it follows the access model (DESIGN.md section 4), not Django's per-model permission rows: a
superuser sees everything; a system administrator (a staff user with an admin membership at a city) sees
and manages their own city only; nobody else sees these pages.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ServiceErrorsAdmin, add_domain_error
from crowdsafe.common.files import accept_attribute
from crowdsafe.errors import DomainError
from crowdsafe.org import services
from crowdsafe.org.access import NOTHING, get_scope, path_q
from crowdsafe.org.boundaries import read_boundary_upload
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Boundary, Department, Jurisdiction, Membership, Organisation

# --- Service calls from forms ---------------------------------------------------------------------------


class _DryRunRollback(Exception):
    pass


def check_with_service(form: forms.Form, call: Callable[[], object]) -> bool:
    """Run ``call`` (a service call) inside a savepoint that is always rolled back, and turn a refusal into a
    form error on the field it names. The service stays the one place that knows its rules; the form only
    learns whether it would accept the input. Returns True when it would."""
    try:
        with transaction.atomic():
            call()
            raise _DryRunRollback
    except _DryRunRollback:
        return True
    except DomainError as exc:
        add_domain_error(form, exc)
        return False


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance the row the service saved, so the admin's messages, log entry and
    redirect after saving refer to it."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceForm(forms.ModelForm):
    """A ModelForm checked by a service in ``clean()``. The admin binds ``actor`` (the signed-in user)."""

    actor = None


# --- Access ---------------------------------------------------------------------------------------------


def administered_paths(user) -> tuple[str, ...] | None:
    """The territories ``user`` administers: None for a superuser (everything), else the paths of their
    admin memberships (possibly none)."""
    if user.is_superuser:
        return None
    return get_scope(user).admin_paths


def territory_q(paths: tuple[str, ...], lookups: tuple[str, ...]) -> Q:
    q = NOTHING
    for lookup in lookups:
        q |= path_q(paths, field=lookup)
    return q


def users_in_territory(paths: tuple[str, ...]) -> QuerySet:
    """Users a city's administrator may manage: those with a membership in the city, and those with no
    membership yet (just added, to be placed). Never a superuser."""
    members = Membership.objects.filter(
        territory_q(paths, ("department__jurisdiction__path", "jurisdiction__path", "organisation__jurisdiction__path"))
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=members.values("user_id")) | ~Q(pk__in=Membership.objects.values("user_id")))
        .exclude(is_superuser=True)
    )


def scoped_choices(model: type[models.Model], paths: tuple[str, ...]) -> QuerySet | None:
    """The choices a city administrator gets for a foreign key to ``model`` (None: leave them alone)."""
    if model is Jurisdiction:
        return Jurisdiction.objects.filter(path_q(paths, field="path"))
    if model in (Department, Organisation):
        return model.objects.filter(path_q(paths)).select_related("jurisdiction")
    if model is get_user_model():
        return users_in_territory(paths)
    return None


class TerritoryAccessMixin:
    """Access by the access model: superusers everything, a city's system administrator their city."""

    # Lookups from this model to a jurisdiction path; a row is in a territory when one of them is.
    territory_lookups: tuple[str, ...] = ("jurisdiction__path",)

    def may_administer(self, request) -> bool:
        paths = administered_paths(request.user)
        return paths is None or bool(paths)

    def has_module_permission(self, request):
        return self.may_administer(request)

    def has_view_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_add_permission(self, request, *args):
        return self.may_administer(request)

    def has_change_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        paths = administered_paths(request.user)
        if paths is None:
            return qs
        return qs.filter(territory_q(paths, self.territory_lookups))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        paths = administered_paths(request.user)
        if paths is not None:
            choices = scoped_choices(db_field.related_model, paths)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ServiceAdmin(TerritoryAccessMixin, ServiceErrorsAdmin):
    """A model admin whose add and change forms are checked by services and saved through them. The form has
    asked the service already; a refusal that arose in between (another admin added the same code a moment
    earlier) is shown on the form by ``ServiceErrorsAdmin``."""

    add_form: type[ServiceForm]
    change_form: type[forms.ModelForm] | None = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = self.add_form if obj is None else (self.change_form or self.form)
        kwargs["form"] = type(base.__name__, (base,), {"actor": request.user})
        return super().get_form(request, obj, change=change, **kwargs)


class TerritoryListFilter(admin.SimpleListFilter):
    """Rows in a city or district/county and everything below it (属地): one prefix match."""

    title = _("territory")
    parameter_name = "territory"
    path_lookup = "jurisdiction__path"

    def lookups(self, request, model_admin):
        qs = Jurisdiction.objects.filter(level__in=[JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT])
        paths = administered_paths(request.user)
        if paths is not None:
            qs = qs.filter(path_q(paths, field="path"))
        return [(j.code, j.name if j.depth == 0 else f"— {j.name}") for j in qs.order_by("path")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        path = Jurisdiction.objects.filter(code=self.value()).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_lookup}__startswith": path})


class JurisdictionTerritoryFilter(TerritoryListFilter):
    path_lookup = "path"


# --- Jurisdictions --------------------------------------------------------------------------------------


class JurisdictionAddForm(ServiceForm):
    class Meta:
        model = Jurisdiction
        fields = ["code", "name", "level", "parent"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("parent") is None and not self.actor.is_superuser:
            self.add_error("parent", _("Choose the territory this one belongs to."))
            return cleaned
        check_with_service(
            self,
            lambda: services.jurisdiction_create(
                code=cleaned["code"],
                name=cleaned["name"],
                level=cleaned["level"],
                parent=cleaned.get("parent"),
                actor=self.actor,
            ),
        )
        return cleaned


class JurisdictionRenameForm(ServiceForm):
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)
    # The boundary (issue 17 point 3): a .geojson file, through the kernel's upload check and the geometry check.
    boundary_file = forms.FileField(
        label=_("boundary (GeoJSON)"),
        required=False,
        help_text=_(
            "A Polygon or MultiPolygon in WGS-84 (longitude, latitude), as a .geojson file; it replaces the "
            "boundary on the maps."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": accept_attribute("boundary")}),
    )
    boundary_approximate = forms.BooleanField(
        label=_("approximate boundary"),
        required=False,
        help_text=_("Drawn by hand, not surveyed: the maps label it as approximate."),
    )
    boundary_remove = forms.BooleanField(label=_("remove the boundary"), required=False)

    class Meta:
        model = Jurisdiction
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Boundary.objects.filter(jurisdiction_id=self.instance.pk).only("approximate").first()
        self.fields["boundary_approximate"].initial = bool(current and current.approximate)

    def clean_boundary_file(self):
        upload = self.cleaned_data.get("boundary_file")
        if not upload:
            return None
        return read_boundary_upload(upload, field="boundary_file")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("boundary_file") or cleaned.get("boundary_remove")) and not services.may_set_boundary(
            self.actor, self.instance
        ):
            self.add_error("boundary_file", _("Only the city's system administrator may change a boundary."))
        return cleaned


@admin.register(Jurisdiction)
class JurisdictionAdmin(ServiceAdmin):
    add_form = JurisdictionAddForm
    change_form = JurisdictionRenameForm
    territory_lookups = ("path",)
    list_display = ("code", "indented_name", "level", "parent", "path")
    list_filter = ("level", JurisdictionTerritoryFilter)
    search_fields = ("^code", "name")
    list_select_related = ("parent",)
    list_per_page = 100
    autocomplete_fields = ("parent",)

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Jurisdiction) -> str:
        return "— " * obj.depth + obj.name

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["code", "name", "level", "parent"]})]
        return [
            (None, {"fields": ["code", "name", "reason", "level", "parent", "path", "depth"]}),
            (
                _("Boundary on the maps"),
                {"fields": ["boundary_summary", "boundary_file", "boundary_approximate", "boundary_remove"]},
            ),
        ]

    @admin.display(description=_("current boundary"))
    def boundary_summary(self, obj: Jurisdiction) -> str:
        current = Boundary.objects.filter(jurisdiction=obj).first()
        if current is None:
            return str(_("none"))
        label = _("%(points)s points, updated %(at)s") % {
            "points": current.points,
            "at": timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M"),
        }
        return f"{label}{' · ' + str(_('approximate')) if current.approximate else ''}"

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("code", "level", "parent", "path", "depth", "boundary_summary")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.jurisdiction_rename(
                jurisdiction=obj, name=data["name"], reason=data.get("reason", ""), actor=request.user
            )
            reason = data.get("reason", "")
            if data.get("boundary_file"):
                services.jurisdiction_set_boundary(
                    jurisdiction=saved,
                    geometry=data["boundary_file"],
                    approximate=bool(data.get("boundary_approximate")),
                    actor=request.user,
                    reason=reason,
                )
            elif data.get("boundary_remove"):
                services.jurisdiction_set_boundary(jurisdiction=saved, geometry=None, actor=request.user, reason=reason)
            elif "boundary_approximate" in form.changed_data:
                current = Boundary.objects.filter(jurisdiction=saved).first()
                if current is not None:
                    services.jurisdiction_set_boundary(
                        jurisdiction=saved,
                        geometry=current.geometry,
                        approximate=bool(data.get("boundary_approximate")),
                        actor=request.user,
                        reason=reason,
                    )
        else:
            saved = services.jurisdiction_create(
                code=data["code"], name=data["name"], level=data["level"], parent=data.get("parent"), actor=request.user
            )
        adopt(obj, saved)


# --- Departments ----------------------------------------------------------------------------------------


class DepartmentAddForm(ServiceForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "kind", "jurisdiction", "duty_phone"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            check_with_service(
                self,
                lambda: services.department_create(
                    name=cleaned["name"],
                    kind=cleaned["kind"],
                    jurisdiction=cleaned["jurisdiction"],
                    short_name=cleaned.get("short_name", ""),
                    duty_phone=cleaned.get("duty_phone", ""),
                    actor=self.actor,
                ),
            )
        return cleaned


class DepartmentActiveForm(ServiceForm):
    reason = forms.CharField(label=_("reason"), required=False, max_length=500)

    class Meta:
        model = Department
        fields = ["is_active"]


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    add_form = DepartmentAddForm
    change_form = DepartmentActiveForm
    list_display = ("name", "kind", "jurisdiction", "is_active", "duty_phone")
    list_filter = ("kind", TerritoryListFilter, "jurisdiction__level", "is_active")
    search_fields = ("name", "short_name")
    list_select_related = ("jurisdiction",)
    autocomplete_fields = ("jurisdiction",)
    actions = ("activate", "deactivate")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["name", "short_name", "kind", "jurisdiction", "duty_phone"]})]
        return [(None, {"fields": ["name", "short_name", "kind", "jurisdiction", "duty_phone", "is_active", "reason"]})]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("name", "short_name", "kind", "jurisdiction", "duty_phone")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.department_set_active(
                department=obj, active=data["is_active"], reason=data.get("reason", ""), actor=request.user
            )
        else:
            saved = services.department_create(
                name=data["name"],
                kind=data["kind"],
                jurisdiction=data["jurisdiction"],
                short_name=data.get("short_name", ""),
                duty_phone=data.get("duty_phone", ""),
                actor=request.user,
            )
        adopt(obj, saved)

    def _set_active(self, request, queryset, active: bool) -> None:
        self.for_each(
            request,
            queryset,
            lambda department: services.department_set_active(department=department, active=active, actor=request.user),
            done=_("%(count)d departments updated."),
        )

    @admin.action(description=_("Activate selected departments"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, True)

    @admin.action(description=_("Deactivate selected departments"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, False)


# --- Organisations --------------------------------------------------------------------------------------


class OrganisationAddForm(ServiceForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "credit_code",
            "jurisdiction",
            "address",
            "safety_officer_name",
            "safety_officer_phone",
            "safety_officer_id_number",
        ]

    def clean_credit_code(self) -> str:
        # Written in lower case or with spaces it is still the same code (the service stores it this way too).
        return self.cleaned_data["credit_code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            check_with_service(self, lambda: services.organisation_create(actor=self.actor, **cleaned))
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    add_form = OrganisationAddForm
    list_display = ("name", "kind", "credit_code", "jurisdiction", "safety_officer_name")
    list_filter = ("kind", TerritoryListFilter)
    search_fields = ("name", "^credit_code")
    list_select_related = ("jurisdiction",)
    autocomplete_fields = ("jurisdiction",)

    def has_change_permission(self, request, obj=None):
        # No service edits an organisation yet; after it is added the admin shows it read-only.
        return False

    def save_model(self, request, obj, form, change):
        adopt(obj, services.organisation_create(actor=request.user, **form.cleaned_data))


# --- Memberships ----------------------------------------------------------------------------------------

MEMBERSHIP_TERRITORY = ("department__jurisdiction__path", "jurisdiction__path", "organisation__jurisdiction__path")
ANCHORS = ("department", "jurisdiction", "organisation")


class MembershipForm(ServiceForm):
    class Meta:
        model = Membership
        fields = ["user", "role", *ANCHORS, "title"]

    def membership_user(self):
        return self.cleaned_data.get("user")

    def clean(self):
        cleaned = super().clean()
        # Existing memberships are not edited (there is no service for it), only added or removed.
        if self.errors or not self.instance._state.adding:
            return cleaned
        user = self.membership_user()
        anchors = {name: cleaned.get(name) for name in ANCHORS}
        if Membership.objects.filter(user=user, role=cleaned["role"], **anchors).exists():
            self.add_error("role", _("This user already has this role there."))
            return cleaned
        check_with_service(
            self,
            lambda: services.membership_add(
                user=user, role=cleaned["role"], title=cleaned.get("title", ""), actor=self.actor, **anchors
            ),
        )
        return cleaned


class MembershipInlineForm(MembershipForm):
    class Meta:
        model = Membership
        fields = ["role", *ANCHORS, "title"]

    def membership_user(self):
        # The inline formset sets the user (the parent object) on the instance.
        return self.instance.user


def add_membership(*, membership: Membership, user, actor) -> Membership:
    return services.membership_add(
        user=user,
        role=membership.role,
        department=membership.department,
        jurisdiction=membership.jurisdiction,
        organisation=membership.organisation,
        title=membership.title,
        actor=actor,
    )


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    add_form = MembershipForm
    territory_lookups = MEMBERSHIP_TERRITORY
    list_display = ("user", "role", "anchor_display", "title", "created_at")
    list_filter = ("role",)
    search_fields = (
        "user__username",
        "user__full_name",
        "department__name",
        "jurisdiction__name",
        "organisation__name",
    )
    list_select_related = ("user", *ANCHORS)
    autocomplete_fields = ("user", *ANCHORS)

    @admin.display(description=_("department, jurisdiction or organisation"))
    def anchor_display(self, obj: Membership) -> str:
        return str(obj.anchor)

    def has_change_permission(self, request, obj=None):
        # A membership is added or removed, never edited in place (there is no service for that).
        return False

    def has_delete_permission(self, request, obj=None):
        return self.may_administer(request)

    def save_model(self, request, obj, form, change):
        adopt(obj, add_membership(membership=obj, user=form.cleaned_data["user"], actor=request.user))

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user"):
            services.membership_remove(membership=membership, actor=request.user)


class MembershipInline(TerritoryAccessMixin, admin.TabularInline):
    """A user's memberships on the user page: existing ones are shown read-only and can be removed; new
    ones are added through ``membership_add`` (see ``save_membership_formset``)."""

    model = Membership
    form = MembershipInlineForm
    fields = ("role", *ANCHORS, "title", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ANCHORS
    territory_lookups = MEMBERSHIP_TERRITORY
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.may_administer(request)

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type(self.form.__name__, (self.form,), {"actor": request.user})
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*ANCHORS)


def save_membership_formset(request, formset) -> None:
    """Save a ``MembershipInline`` formset through the services instead of plain model saves."""
    formset.save(commit=False)  # collects new and deleted rows without writing them
    for membership in formset.deleted_objects:
        services.membership_remove(membership=membership, actor=request.user)
    formset.new_objects = [
        add_membership(membership=membership, user=formset.instance, actor=request.user)
        for membership in formset.new_objects
    ]
