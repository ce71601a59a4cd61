"""Admin for the action log: read-only. Entries are written by services and never added, changed or
deleted by hand (the model and a database trigger refuse it too). Visible to superusers and to users given
the view permission."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from crowdsafe.audit import verbs
from crowdsafe.audit.models import ActionLog
from crowdsafe.common.admin import ReadOnlyAdmin


class VerbListFilter(admin.SimpleListFilter):
    """Filter by action, labelled in the user's language (the log stores the verb's code)."""

    title = _("action")
    parameter_name = "verb"

    def lookups(self, request, model_admin):
        used = ActionLog.objects.order_by("verb").values_list("verb", flat=True).distinct()
        return [(verb, verbs.label(verb)) for verb in used]

    def queryset(self, request, queryset):
        return queryset.filter(verb=self.value()) if self.value() else queryset


@admin.register(ActionLog)
class ActionLogAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "actor_label",
        "verb_label",
        "subject_type",
        "subject_label",
        "from_state",
        "to_state",
    )
    list_filter = (VerbListFilter, ("subject_type", admin.RelatedOnlyFieldListFilter))
    search_fields = ("subject_label", "actor_label")
    list_select_related = ("subject_type",)
    date_hierarchy = "created_at"
    # The log only grows; counting all of it on every page is the one query that would grow with it.
    show_full_result_count = False
    fields = (
        "created_at",
        "actor",
        "actor_label",
        "subject_type",
        "subject_id",
        "subject_label",
        "verb",
        "from_state",
        "to_state",
        "reason",
        "data",
    )

    @admin.display(description=_("action"), ordering="verb")
    def verb_label(self, obj: ActionLog) -> str:
        return verbs.label(obj.verb)
