from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    """Crowded places (人员密集场所): venues, zones, exits, capacity, equipment and building safety."""

    name = "venues"
    verbose_name = _("Venues")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from crowdsafe.org.access import GOVERNMENT_ROLES
        from crowdsafe.org.choices import Role
        from crowdsafe.web.nav import register_nav_item
        from venues.duties import connect

        connect()  # venues are subjects of the responsibility engine

        # Government users see the venues of their territory; venue operators keep their own.
        register_nav_item(
            "venues",
            label=_("Venues"),
            url="venues:venue_list",
            order=30,
            roles=GOVERNMENT_ROLES | {Role.VENUE_OPERATOR},
        )

        register(
            {
                "deactivated": _("deactivated"),
                "reactivated": _("reactivated"),
                "zone_added": _("zone added"),
                "zone_changed": _("zone changed"),
                "zone_removed": _("zone removed"),
                "exit_added": _("exit added"),
                "exit_changed": _("exit changed"),
                "exit_removed": _("exit removed"),
                "risk_point_added": _("risk point added"),
                "risk_point_changed": _("risk point changed"),
                "risk_point_removed": _("risk point removed"),
                "structure_added": _("temporary structure added"),
                "structure_changed": _("temporary structure changed"),
                "structure_removed": _("temporary structure removed"),
                "equipment_added": _("special equipment added"),
                "equipment_changed": _("special equipment changed"),
                "equipment_removed": _("special equipment removed"),
                "venue_document_added": _("building or fire-safety document filed"),
                "venue_document_removed": _("building or fire-safety document removed"),
                "import_started": _("import started"),
                "import_valid_rows_chosen": _("chose to import the valid rows"),
                "import_finished": _("import finished"),
                "import_rejected": _("import rejected"),
                "import_failed": _("import failed"),
            }
        )
