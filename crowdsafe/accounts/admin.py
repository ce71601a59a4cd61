"""Admin for users: Django's user admin with the full name and phone, and the user's memberships inline.

Memberships are added and removed through the org services (``save_membership_formset``). A city's system
administrator sees and manages the users of their city (and users not yet placed anywhere), but cannot make
anyone a superuser or hand out Django permissions; that stays with superusers.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from crowdsafe.accounts.lockout import log_unlock
from crowdsafe.accounts.models import User
from crowdsafe.common.admin import ServiceErrorsAdmin
from crowdsafe.org.admin import MembershipInline, administered_paths, save_membership_formset, users_in_territory
from crowdsafe.org.models import Membership

SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions", "last_login", "date_joined")


@admin.register(User)
class UserAdmin(ServiceErrorsAdmin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "email", "first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "phone", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("username", "full_name", "phone", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "memberships__role")
    search_fields = ("username", "full_name", "phone", "email")

    def may_administer(self, request) -> bool:
        paths = administered_paths(request.user)
        return paths is None or bool(paths)

    def has_module_permission(self, request):
        return self.may_administer(request)

    def has_view_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_add_permission(self, request):
        return self.may_administer(request)

    def has_change_permission(self, request, obj=None):
        return self.may_administer(request)

    def has_delete_permission(self, request, obj=None):
        # Users are deactivated, not deleted: the action log refers to them (and refuses to lose them), and
        # removing memberships must go through the service.
        return False

    def get_queryset(self, request):
        paths = administered_paths(request.user)
        if paths is None:
            return super().get_queryset(request)
        return users_in_territory(paths)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return (*super().get_readonly_fields(request, obj), *SUPERUSER_ONLY_FIELDS)

    def get_inlines(self, request, obj):
        # Memberships are placed once the user exists (the add page only asks for the login).
        return [MembershipInline] if obj is not None else []

    def save_formset(self, request, form, formset, change):
        if formset.model is Membership:
            save_membership_formset(request, formset)
        else:
            super().save_formset(request, form, formset, change)


# Sign-in lockouts (django-axes, crowdsafe/accounts/lockout.py): deleting an access attempt unlocks the account and
# address it counted; each unlock goes to the action log with the administrator who did it. django-axes registered
# its own admin first (it comes before this app in INSTALLED_APPS).
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def delete_model(self, request, obj):
        with transaction.atomic():
            log_unlock(actor=request.user, attempt=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for attempt in queryset:
                log_unlock(actor=request.user, attempt=attempt)
            super().delete_queryset(request, queryset)
