"""Admin for the working-day calendar. Saves and deletes go through the services, which make the year the
administrator's (source=admin) and write the action log; the forms run the models' validation first, so
refused input is a form error and changes nothing.

Who may use it follows the access model, like the kernel's other admin pages: superusers, and system
administrators (an admin membership). The schedule is the national one, the same for every city, so any
system administrator may enter it when the State Council publishes it (the home page reminds them in November).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from crowdsafe.common.admin import ServiceErrorsAdmin
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.workdays import services
from crowdsafe.workdays.choices import ExceptionKind
from crowdsafe.workdays.forms import YearScheduleForm
from crowdsafe.workdays.models import CalendarDay, CalendarYear


def _days_of_year_count(kind: str) -> Coalesce:
    counts = (
        CalendarDay.objects.filter(date__year=OuterRef("year"), kind=kind)
        .order_by()
        .values("date__year")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


class YearListFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = {d.year for d in CalendarDay.objects.dates("date", "year")}
        years |= set(CalendarYear.objects.values_list("year", flat=True))
        return [(str(year), str(year)) for year in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


class CalendarAccessMixin:
    def may_administer(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or bool(get_scope(user).admin_paths))

    def has_module_permission(self, request):
        return self.may_administer(request)

    def has_view_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_add_permission(self, request):
        return self.may_administer(request)

    def has_change_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_delete_permission(self, request, obj=None):
        return self.may_administer(request)


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAccessMixin, ServiceErrorsAdmin):
    list_display = ["year", "source", "notice", "holiday_count", "adjusted_count", "updated_at"]
    list_filter = ["source"]
    search_fields = ["year", "notice"]
    actions = ["sync_from_library"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_count=_days_of_year_count(ExceptionKind.HOLIDAY),
                adjusted_count=_days_of_year_count(ExceptionKind.ADJUSTED_WORKING),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        # The year is the primary key: changing it would copy the row, not move it.
        return ["year", "source", "updated_at"] if obj else ["source", "updated_at"]

    def get_urls(self):
        view = self.admin_site.admin_view(self.schedule_view)
        return [path("schedule/", view, name="workdays_calendaryear_schedule"), *super().get_urls()]

    def schedule_view(self, request):
        """The State Council's schedule for a whole year in one validated form (``YearScheduleForm``)."""
        if not self.may_administer(request):
            raise PermissionDenied
        initial = {"year": request.GET.get("year")} if request.GET.get("year", "").isdigit() else {}
        form = YearScheduleForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.calendar_year_schedule_save(
                    year=data["year"],
                    notice=data["notice"],
                    holidays=data["holiday_days"],
                    adjusted=data["adjusted_days"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                self.message_user(
                    request,
                    _("The %(year)d holiday schedule was entered: it replaces the provisional days off.")
                    % {"year": data["year"]},
                    messages.SUCCESS,
                )
                return redirect("admin:workdays_calendaryear_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enter a year's holiday schedule"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/workdays/year_schedule.html", context)

    @admin.display(description=_("holidays"), ordering="holiday_count")
    def holiday_count(self, obj) -> int:
        return obj.holiday_count

    @admin.display(description=_("adjusted working days"), ordering="adjusted_count")
    def adjusted_count(self, obj) -> int:
        return obj.adjusted_count

    def save_model(self, request, obj, form, change):
        saved = services.calendar_year_save(year=obj.year, notice=obj.notice, actor=request.user)
        obj.source, obj.updated_at = saved.source, saved.updated_at

    def delete_model(self, request, obj):
        services.calendar_year_delete(year=obj.year, actor=request.user)

    def delete_queryset(self, request, queryset):
        for year in queryset.values_list("year", flat=True):
            services.calendar_year_delete(year=year, actor=request.user)

    @admin.action(
        description=_("Sync all years from the holiday library (administrator's years are left alone)"),
        permissions=["change"],
    )
    def sync_from_library(self, request, queryset):
        result = services.calendar_sync_from_library(actor=request.user)
        self.message_user(request, result.summary(), messages.SUCCESS if result.changed else messages.INFO)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAccessMixin, ServiceErrorsAdmin):
    list_display = ["date", "weekday", "kind", "name", "source", "updated_at"]
    list_filter = [YearListFilter, "kind", "source"]
    search_fields = ["name"]
    ordering = ["-date"]

    def get_readonly_fields(self, request, obj=None):
        # The date is the primary key: changing it would copy the row, not move it.
        return ["date", "source", "updated_at"] if obj else ["source", "updated_at"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def save_model(self, request, obj, form, change):
        saved = services.calendar_day_save(date=obj.date, kind=obj.kind, name=obj.name, actor=request.user)
        obj.source, obj.updated_at = saved.source, saved.updated_at
        self.message_user(
            request,
            _("%(year)d is now an administrator's year: the library sync leaves it alone.") % {"year": obj.date.year},
            messages.INFO,
        )

    def delete_model(self, request, obj):
        services.calendar_day_delete(date=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for date in queryset.values_list("date", flat=True):
            services.calendar_day_delete(date=date, actor=request.user)
