from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PermitsConfig(AppConfig):
    """Large-scale mass event permits (大型群众性活动安全许可) under State Council Order 505."""

    name = "permits"
    verbose_name = _("Large-event permits")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from crowdsafe.org.access import GOVERNMENT_ROLES
        from crowdsafe.org.choices import Role
        from crowdsafe.web.nav import register_nav_item
        from permits.duties import connect

        connect()  # applications and their conditions are subjects of the responsibility engine

        from permits.home import register_panels

        register_panels()

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
            }
        )
