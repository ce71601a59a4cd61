from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    """Live crowd monitoring and early warning (人流密度实时监测预警): zones, sources, readings, levels, alerts."""

    name = "monitoring"
    verbose_name = _("Crowd monitoring")

    def ready(self) -> None:
        from crowdsafe.audit.verbs import register
        from monitoring import duties, exercise, hooks

        hooks.connect()
        duties.connect()  # the alert episode as a duties subject: its venue operator / organizer parties
        exercise.connect()  # the exercise table and dispatcher (exercise copies' alerts reach only participants)
        register(
            {
                "zone_created": _("monitored zone created"),
                "zone_updated": _("monitored zone updated"),
                "source_created": _("monitoring source created"),
                "source_revoked": _("source token revoked"),
                "source_suspect": _("source flagged suspect"),
                "band_updated": _("level band changed"),
                "monitoring_alert_raised": _("monitoring alert raised"),
                "monitoring_alert_state": _("monitoring alert state changed"),
                "monitoring_measure_ticked": _("plan measure ticked"),
            }
        )
