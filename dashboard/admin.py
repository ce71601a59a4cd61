"""Screen tokens in the admin: made (the address shown once) and revoked through ``dashboard.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.common.admin import ServiceErrorsAdmin
from dashboard.models import ScreenToken
from dashboard.services import screen_token_create, screen_token_revoke

ADD_FIELDS = ["name", "jurisdiction"]
SHOWN_FIELDS = ["name", "jurisdiction", "token_prefix", "created_by", "created_at", "revoked_at"]


@admin.register(ScreenToken)
class ScreenTokenAdmin(ServiceErrorsAdmin):
    list_display = ["name", "jurisdiction", "token_prefix", "created_by", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "token_prefix"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ADD_FIELDS if obj is None else SHOWN_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else SHOWN_FIELDS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ScreenToken, form: Any, change: bool) -> None:
        if change:
            return
        screen, token = screen_token_create(actor=request.user, name=obj.name, jurisdiction=obj.jurisdiction)
        obj.pk = screen.pk
        url = request.build_absolute_uri(reverse("dashboard:screen-token", args=[token]))
        messages.warning(
            request,
            _("The screen's address, shown only this once — open it on the wall display: %(url)s") % {"url": url},
        )

    @admin.action(description=gettext_lazy("Revoke the selected screen tokens"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for screen in queryset:
            screen_token_revoke(screen=screen, actor=request.user)
        messages.success(request, _("Revoked."))
