"""Admin for the permit app.

The promised decision deadlines per jurisdiction (承诺办结时限) are edited here by the city's administrators,
through ``permits.services.local`` (checked and logged). Applications and their parts are kept in the app's
pages and API, where every write goes through a service: here they are read-only, for looking things up.
"""

from __future__ import annotations

from django.contrib import admin

from crowdsafe.common.admin import ReadOnlyAdmin, ServiceErrorsAdmin
from crowdsafe.org.access import get_scope, path_q
from permits.models import (
    ChangeRequest,
    PermitApplication,
    PermitApplicationGroupObjectPermission,
    PermitCondition,
    PromisedDeadline,
    SiteInspection,
)
from permits.services.local import can_edit_local_settings, promised_deadline_delete, promised_deadline_save


class CityReadOnlyAdmin(ReadOnlyAdmin):
    """Browsed by superusers and city administrators (their city's rows only); changed only in the app."""

    path_field = "application__jurisdiction_path"

    def _administers(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or bool(get_scope(user).admin_paths))

    def has_module_permission(self, request) -> bool:
        return self._administers(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._administers(request)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = get_scope(request.user)
        return qs if scope.is_superuser else qs.filter(path_q(scope.admin_paths, field=self.path_field))


@admin.register(PermitApplication)
class PermitApplicationAdmin(CityReadOnlyAdmin):
    path_field = "jurisdiction_path"
    list_display = ["number", "event_name", "state", "organisation", "expected_attendance", "licensing_department"]
    list_filter = ["state", "event_kind", "licensing_level"]
    search_fields = ["number", "event_name", "organisation__name"]
    list_select_related = ["organisation", "licensing_department"]
    show_full_result_count = False


@admin.register(SiteInspection)
class SiteInspectionAdmin(CityReadOnlyAdmin):
    list_display = ["application", "department", "result", "inspected_on"]
    list_filter = ["result"]
    list_select_related = ["application", "department"]


@admin.register(PermitCondition)
class PermitConditionAdmin(CityReadOnlyAdmin):
    list_display = ["text", "application", "status"]
    list_filter = ["status"]
    list_select_related = ["application"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(CityReadOnlyAdmin):
    list_display = ["application", "kind", "new_starts_at", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["application"]


@admin.register(PermitApplicationGroupObjectPermission)
class PermitApplicationGroupObjectPermissionAdmin(CityReadOnlyAdmin):
    """Grants are made and removed by the joint inspection (``grant_to_department``, logged on the application)."""

    path_field = "content_object__jurisdiction_path"

    list_display = ["content_object", "group", "permission"]
    list_select_related = ["content_object", "group", "permission"]


@admin.register(PromisedDeadline)
class PromisedDeadlineAdmin(ServiceErrorsAdmin):
    list_display = ["jurisdiction", "days", "unit", "review_authority", "court"]
    list_select_related = ["jurisdiction"]
    fields = ["jurisdiction", "days", "unit", "review_authority", "court"]
    search_fields = ["jurisdiction__name", "jurisdiction__code"]

    def _may(self, request, obj=None) -> bool:
        user = request.user
        return user.is_active and can_edit_local_settings(actor=user, jurisdiction=obj.jurisdiction if obj else None)

    def has_module_permission(self, request) -> bool:
        return self._may(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request) -> bool:
        return self._may(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = get_scope(request.user)
        if scope.is_superuser:
            return qs
        return qs.filter(path_q(scope.admin_paths))

    def save_model(self, request, obj, form, change) -> None:
        saved = promised_deadline_save(
            jurisdiction=obj.jurisdiction,
            days=obj.days,
            unit=obj.unit,
            review_authority=obj.review_authority,
            court=obj.court,
            actor=request.user,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        promised_deadline_delete(row=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for row in queryset:
            promised_deadline_delete(row=row, actor=request.user)
