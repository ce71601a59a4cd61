from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    """Emergency plans and drills (应急预案与演练)."""

    name = "drills"
    verbose_name = _("Emergency plans and drills")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from drills.duties import connect
        from drills.panels import register_panels

        connect()  # plans, after-action items and jurisdictions are subjects of the responsibility engine
        register_panels()
        register(
            {
                "version_added": _("new plan version"),
                "plan_withdrawn": _("plan withdrawn"),
                "scheduled": _("drill planned"),
                "rescheduled": _("drill changed"),
                "recorded": _("drill recorded"),
                "drill_recorded": _("drill recorded"),
                "photo_added": _("photo added"),
                "item_raised": _("after-action item raised"),
                "item_closed": _("after-action item closed"),
                "imported": _("imported from the permit application"),
            }
        )
