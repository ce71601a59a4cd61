from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """Risk assessments and hazard rectification (风险评估、隐患整改)."""

    name = "risk"
    verbose_name = _("Risk and hazards")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from risk.duties import connect

        connect()  # assessments, campaign items and hazards are subjects of the responsibility engine

        register(
            {
                "submitted": _("submitted for sign-off"),
                "signed_off": _("signed off"),
                "returned": _("returned for revision"),
                "withdrawn": _("withdrawn"),
                "risk_level_set": _("risk level set"),
                "launched": _("launched"),
                "relaunched": _("launched again"),
                "closed": _("closed"),
                "reported": _("reported"),
                "fixed_on_spot": _("fixed on the spot"),
                "photos_added": _("photos added"),
                "plan_submitted": _("rectification plan submitted"),
                "plan_revised": _("rectification plan revised"),
                "reported_fixed": _("reported fixed"),
                "verified": _("verification inspection"),
                "verification_failed": _("not fixed: back to rectification"),
                "extension_requested": _("extension requested"),
                "extension_approved": _("extension approved"),
                "extension_refused": _("extension refused"),
                "order_issued": _("rectification order issued"),
                # duties.services.tasks_recount, which the risk app added for extended deadlines
                "rescheduled": _("due date moved"),
            }
        )
        from risk.panels import register_panels, register_permit_panel

        register_panels()
        register_permit_panel()  # the risk block on a permit application's page

        from crowdsafe.org.access import EXTERNAL_ROLES, GOVERNMENT_ROLES
        from crowdsafe.web.nav import register_nav_item

        # Translators: main menu, 风险隐患
        register_nav_item(
            "risk", label=_("Risk and hazards"), url="risk:register", order=45, roles=GOVERNMENT_ROLES | EXTERNAL_ROLES
        )
