from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def check_promised_default(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """PERMITS_PROMISED_DAYS / PERMITS_PROMISED_UNIT may not promise a decision later than the statutory 7 working
    days of Order 505 Art. 14 (permits/rules.py)."""
    from permits.conf import promised_default
    from permits.rules import promise_within_statutory

    try:
        days, unit = promised_default()
    except (TypeError, ValueError):
        return [checks.Error("PERMITS_PROMISED_DAYS must be a whole number.", id="permits.E001")]
    if promise_within_statutory(days, unit):
        return []
    return [
        checks.Error(
            f"PERMITS_PROMISED_DAYS={days} PERMITS_PROMISED_UNIT={unit!r}: the promised decision deadline must be "
            "1 to 7 days, in 'working' or 'calendar' days: never later than the statutory 7 working days (Order 505 "
            "Art. 14, counted by the Administrative Licensing Law Art. 82).",
            id="permits.E001",
        )
    ]


class PermitsConfig(AppConfig):
    """Large-scale mass event permits (大型群众性活动安全许可) under State Council Order 505."""

    name = "permits"
    verbose_name = _("Large-event permits")

    def ready(self) -> None:
        checks.register(check_promised_default)
        from crowdsafe.audit.verbs import register
        from crowdsafe.org.access import GOVERNMENT_ROLES
        from crowdsafe.org.choices import Role
        from crowdsafe.web.nav import register_nav_item
        from permits.duties import connect

        connect()  # applications and their conditions are subjects of the responsibility engine

        from permits.home import register_panels

        register_panels()

        from permits.event_panels import register as register_event_panels

        register_event_panels()  # issue 21: resources, structures, readiness, reviews, copy

        register_nav_item(
            "permits",
            label=_("Event permits"),
            url="permits:application_list",
            order=40,
            roles=GOVERNMENT_ROLES | {Role.ORGANIZER},
        )
        register_nav_item(
            "permit_review",
            label=_("Permit review"),
            url="permits:review_queue",
            order=41,
            roles={Role.STAFF, Role.HEAD},
        )

        register(
            {
                "permit_session_added": _("session added"),
                "permit_session_removed": _("session removed"),
                "permit_undertaker_added": _("undertaker added"),
                "permit_undertaker_removed": _("undertaker removed"),
                "permit_tickets_planned": _("ticketing plan saved"),
                "permit_material_added": _("document filed"),
                "permit_material_removed": _("document removed"),
                "permit_plan_saved": _("security plan saved"),
                "permit_submitted": pgettext_lazy("permit application", "submitted"),
                "permit_resubmitted": _("resubmitted after correction"),
                "permit_withdrawn": pgettext_lazy("permit application", "withdrawn"),
                "permit_accepted": pgettext_lazy("permit application", "accepted"),
                "permit_returned": _("returned for correction"),
                "permit_not_accepted": _("not accepted"),
                "permit_review_started": _("review started"),
                "permit_inspection_started": _("joint site inspection started"),
                "permit_inspectors_assigned": _("inspecting departments assigned"),
                "permit_inspection_recorded": _("site inspection recorded"),
                "permit_commented": _("commented"),
                "permit_approved": _("permit approved"),
                "permit_refused": _("permit refused"),
                "permit_condition_reported": _("condition reported done"),
                "permit_condition_checked": _("condition checked"),
                "permit_condition_returned": _("condition not accepted as done"),
                "permit_supervision_recorded": _("supervision recorded"),
                "permit_held": _("event held"),
                "permit_closed": pgettext_lazy("permit application", "closed"),
                "permit_cancelled": pgettext_lazy("permit application", "cancelled"),
                "permit_change_requested": _("change of time requested"),
                "permit_change_approved": _("change of time approved"),
                "permit_change_refused": _("change of time refused"),
                "permit_resource_set": _("security resources planned"),
                "permit_structure_added": _("temporary structure listed"),
                "permit_structure_removed": _("temporary structure removed"),
                "permit_structure_accepted": _("temporary structure accepted"),
                "permit_ready": _("confirmed ready for the event"),
                "permit_review_recorded": _("post-event review recorded"),
                "permit_application_copied": _("started from a previous application"),
            }
        )
