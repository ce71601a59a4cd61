from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    """Safety inspections with checklists (安全检查), issue 21 points 1, 2 and 6."""

    name = "inspections"
    verbose_name = _("Safety inspections")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from inspections.panels import register_panels
        from inspections.risk_factors import connect

        register_panels()
        connect()
        register(
            {
                "template_edited": _("checklist edited"),
                "template_revised": _("checklist revised into a new version"),
                "inspection_started": _("inspection started"),
                "answers_received": _("inspection answers received"),
                "hazard_from_item": _("failed item recorded as a hazard"),
                "part_signed": _("inspection part signed"),
                "inspection_completed": _("inspection completed"),
            }
        )
