"""Admin: the 代字 of each issuer and kind, the departments' seal images, and the issued documents (read-only:
documents are issued and revoked through the services, never edited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ReadOnlyAdmin
from notices.models import DepartmentSeal, Notice, NumberCounter, NumberingScheme
from notices.numbering import default_prefix


@admin.register(NumberingScheme)
class NumberingSchemeAdmin(admin.ModelAdmin):
    list_display = ("issuer", "kind", "prefix", "example", "updated_at")
    list_filter = ("kind",)
    search_fields = ("issuer__name", "prefix")
    autocomplete_fields = ("issuer",)

    @admin.display(description=_("example number"))
    def example(self, obj: NumberingScheme) -> str:
        return f"{obj.prefix}〔2026〕1号"

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["prefix"].help_text = _(
            "Without a scheme, the default is the first character of the department's territory, its kind's "
            "abbreviation and the document kind's suffix, e.g. 安公许 for 安阳市公安局's permit decisions."
        )
        return form


@admin.register(DepartmentSeal)
class DepartmentSealAdmin(admin.ModelAdmin):
    list_display = ("department", "is_active", "thumbnail", "uploaded_by", "uploaded_at")
    list_filter = ("is_active",)
    search_fields = ("department__name",)
    autocomplete_fields = ("department",)
    readonly_fields = ("uploaded_by", "uploaded_at", "thumbnail")
    fields = ("department", "image", "thumbnail", "is_active", "uploaded_by", "uploaded_at")
    # A plain file input: the image is checked by the model field's validator (``crowdsafe.common.files``), with
    # the same messages as every upload, not first by Django's image field with its own.
    formfield_overrides = {models.ImageField: {"form_class": forms.FileField}}

    @admin.display(description=_("preview"))
    def thumbnail(self, obj: DepartmentSeal) -> str:
        if not obj or not obj.image:
            return "—"
        # The seal image is not public: it is shown here as a data URI, read from storage.
        from notices.rendering import seal_data_uri

        uri = seal_data_uri(obj.department) if obj.is_active else None
        return format_html('<img src="{}" alt="" height="80">', uri) if uri else "—"

    def save_model(self, request, obj, form, change):
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "issuer", "recipient", "issued_on", "status", "rendered")
    list_filter = ("kind", "status", "year")
    search_fields = ("number", "title", "recipient", "verify_code", "subject_label")
    date_hierarchy = "issued_on"
    list_select_related = ("issuer",)

    @admin.display(boolean=True, description=_("PDF"))
    def rendered(self, obj: Notice) -> bool:
        return bool(obj.pdf)


@admin.register(NumberCounter)
class NumberCounterAdmin(ReadOnlyAdmin):
    list_display = ("issuer", "kind", "year", "last_serial", "default_prefix_shown")
    list_filter = ("kind", "year")
    search_fields = ("issuer__name",)
    list_select_related = ("issuer__jurisdiction",)

    @admin.display(description=_("default 代字"))
    def default_prefix_shown(self, obj: NumberCounter) -> str:
        return default_prefix(obj.issuer, obj.kind)
