from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


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
                "session_added": _("session added"),
                "session_removed": _("session removed"),
                "undertaker_added": _("undertaker added"),
                "undertaker_removed": _("undertaker removed"),
                "tickets_planned": _("ticketing plan saved"),
                "material_added": _("document filed"),
                "material_removed": _("document removed"),
                "plan_saved": _("security plan saved"),
                "submitted": _("submitted"),
                "resubmitted": _("resubmitted after correction"),
                "withdrawn": _("withdrawn"),
                "accepted": _("accepted"),
                "returned": _("returned for correction"),
                "not_accepted": _("not accepted"),
                "review_started": _("review started"),
                "inspection_started": _("joint site inspection started"),
                "inspectors_assigned": _("inspecting departments assigned"),
                "inspection_recorded": _("site inspection recorded"),
                "commented": _("commented"),
                "approved": _("permit approved"),
                "refused": _("permit refused"),
                "condition_reported": _("condition reported done"),
                "condition_checked": _("condition checked"),
                "condition_returned": _("condition not accepted as done"),
                "supervision_recorded": _("supervision recorded"),
                "held": _("event held"),
                "closed": _("closed"),
                "cancelled": _("cancelled"),
                "change_requested": _("change of time requested"),
                "change_approved": _("change of time approved"),
                "change_refused": _("change of time refused"),
            }
        )
