"""The monitoring alert episode as a duties subject (``monitoring_alert``), so the alert rules' venue-operator and
organizer parties resolve for it (alerts.recipients reads a subject's organisations from its duties registration):
the zone's organisation (the venue's operator for a venue zone, the applicant for a permitted event's zone, the
organizer of a gathering) and, for a zone at a venue run by someone else (an event in a stadium), the venue's
operator too. Monitoring raises no duties tasks for it; the registration only names its parties."""

from __future__ import annotations

from typing import Any

from duties.choices import SubjectKind
from duties.subjects import register_subject
from monitoring.models import MonitoringAlert


def alert_organisation(alert: MonitoringAlert) -> Any:
    zone = alert.zone
    return zone.organisation if zone is not None and zone.organisation_id else None


def alert_venue_operator(alert: MonitoringAlert) -> Any:
    """The operator of the zone's venue when it is not already the zone's organisation (an event at a venue)."""
    zone = alert.zone
    if zone is None or zone.venue_zone_id is None:
        return None
    operator = zone.venue_zone.venue.operator if zone.venue_zone is not None else None
    return operator if operator is not None and operator.pk != zone.organisation_id else None


def alert_attributes(alert: MonitoringAlert) -> dict[str, Any]:
    return {"kind": alert.kind, "level": alert.level, "state": alert.state, "exercise": alert.exercise}


def connect() -> None:
    register_subject(
        MonitoringAlert,
        subject_type=SubjectKind.MONITORING_ALERT,
        jurisdiction=lambda alert: alert.jurisdiction,
        organisation=alert_organisation,
        attributes=alert_attributes,
        label=lambda alert: str(alert.zone.name if alert.zone is not None else alert.source),
        assignee=alert_venue_operator,
    )
