"""Incident measures as subjects of the responsibility engine.

Activating a plan makes one ``IncidentMeasure`` per measure of the level; rule ``response.incident_measure``
(seeded by migration 0002, party "assigned") turns each into a task of the department it was routed to, due today
(the engine counts in days; the minutes are the measure's own ``due_at``). Marking the measure done settles it.
"""

from __future__ import annotations

from typing import Any

from crowdsafe.org.models import Department, Jurisdiction
from duties.subjects import register_subject
from response.models import IncidentMeasure

MEASURE_RULE = "response.incident_measure"


def measure_attributes(measure: IncidentMeasure) -> dict[str, Any]:
    return {"status": measure.status, "kind": measure.kind, "is_active": measure.status == "pending"}


def measure_jurisdiction(measure: IncidentMeasure) -> Jurisdiction:
    return measure.incident.jurisdiction


def measure_assignee(measure: IncidentMeasure) -> Department | None:
    return measure.department


def connect() -> None:
    register_subject(
        IncidentMeasure,
        subject_type="incident_measure",
        jurisdiction=measure_jurisdiction,
        organisation=lambda measure: None,
        attributes=measure_attributes,
        label=lambda measure: f"{measure.incident.number} · {measure.kind_label}",
        assignee=measure_assignee,
    )
