"""Permit applications and their approval conditions as subjects of the responsibility engine.

The engine puts the review's steps on their holders through the rules seeded in ``permits/migrations/0002``
(keys ``permits.*``): the acceptance review and the decision on the licensing department, each inspecting
department's part of the joint site inspection, the organizer's correction, the approving department's
pre-event inspection and on-the-day supervision (谁审批谁监管), and each approval condition (the organizer fulfils
it, the department checks it). The permit services call ``tasks_evaluate`` on every transition and
``tasks_settle`` (by rule key) when a step is done.

Attributes other apps' rules may use (docs/contracts/subjects.md): ``state``, ``expected_attendance`` (the largest
session), ``licensing_level`` ("county" / "city" / "ministry" / None), ``first_session_date`` and
``eve_of_first_session`` (dates), ``has_temporary_structures`` (the application lists temporary structures: the
housing department's acceptance duty, ``permits.structure_acceptance``).
"""

from __future__ import annotations

from typing import Any

from duties.subjects import register_subject
from permits.models import PermitApplication, PermitCondition

# Rule keys of the steps the permit services settle.
ACCEPTANCE_KEYS = ("permits.acceptance_review", "permits.resubmission_review")
CORRECTION_KEY = "permits.correction"
DECISION_KEYS = ("permits.review_county", "permits.review_city")
INSPECTION_KEY_PREFIX = "permits.inspection_"
PRE_EVENT_KEY = "permits.pre_event_inspection"
ON_DAY_KEY = "permits.on_day_supervision"
CONDITION_KEYS = ("permits.condition_fulfil", "permits.condition_check")
STRUCTURE_KEY = "permits.structure_acceptance"


def application_attributes(application: PermitApplication) -> dict[str, Any]:
    venue = application.venue
    return {
        "state": application.state,
        "expected_attendance": application.expected_attendance,
        "licensing_level": application.licensing_level,
        "first_session_date": application.first_session_date,
        "eve_of_first_session": application.eve_of_first_session,
        "event_kind": application.event_kind,
        "venue_kind": venue.kind if venue is not None else None,
        "has_special_equipment": venue.special_equipment.exists() if venue is not None else False,
        # The structures listed on the application (issue 21): they drive the housing department's acceptance
        # duty (``permits.structure_acceptance``) and block the event-day readiness until accepted.
        "has_temporary_structures": application.structures.exists(),
        "correction_rounds": application.correction_rounds,
        "correction_due": application.correction_due,
    }


def application_jurisdiction(application: PermitApplication):
    return application.jurisdiction or application.organisation.jurisdiction


def application_label(application: PermitApplication) -> str:
    return f"{application.event_name}（{application.number}）" if application.number else application.event_name


def condition_attributes(condition: PermitCondition) -> dict[str, Any]:
    application = condition.application
    return {
        "status": condition.status,
        "application_state": application.state,
        "due_date": application.eve_of_first_session,
        "first_session_date": application.first_session_date,
    }


def connect() -> None:
    register_subject(
        PermitApplication,
        subject_type="permit_application",
        jurisdiction=application_jurisdiction,
        organisation=lambda application: application.organisation,
        attributes=application_attributes,
        label=application_label,
        # "Assigned" rules (acceptance review, the licensing department's own inspection, supervision) fall on
        # the licensing department of Art. 12 as determined for this application.
        assignee=lambda application: application.licensing_department,
    )
    register_subject(
        PermitCondition,
        subject_type="permit_condition",
        jurisdiction=lambda condition: application_jurisdiction(condition.application),
        organisation=lambda condition: condition.application.organisation,
        attributes=condition_attributes,
        label=lambda condition: f"{application_label(condition.application)}：{condition.text[:100]}",
        assignee=lambda condition: condition.application.licensing_department,
    )
