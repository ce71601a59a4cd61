from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Spontaneous mass gatherings (群众自发性聚集活动): logging, triage, measures, headcounts."""

    name = "events"
    verbose_name = _("Spontaneous gatherings")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from events.duties import connect
        from events.panels import register_nav_and_panels

        connect()  # gatherings are subjects of the responsibility engine
        register_nav_and_panels()
        register(
            {
                "verified": _("verified"),
                "confirmed": _("confirmed"),
                "dismissed": _("dismissed"),
                "monitoring_started": _("monitoring started"),
                "ended": _("ended"),
                "merged": _("merged into a duplicate"),
                "duplicate_merged": _("a duplicate was merged in"),
                "decision_suspend": _("suspended by decision"),
                "decision_cancel": _("cancelled by decision"),
                "decision_postpone": _("postponed by decision"),
                "decision_resume": _("suspension lifted"),
                "decision_reschedule": _("rescheduled"),
                "risk_level_set": _("risk level set"),
                "measure_applied": _("measure applied"),
                "measure_effect": _("effect of a measure recorded"),
                "measure_lifted": _("measure lifted"),
                "headcount": _("headcount"),
                "photos_added": _("photos added"),
                "key_date_dates_set": _("dates entered"),
                "key_date_dates_removed": _("dates removed"),
            }
        )
