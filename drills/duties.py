"""Plans, after-action items and jurisdictions as subjects of the responsibility engine.

The drill rules (seeded in ``drills/migrations/0002_seed_rules.py``, keys below) put drill-due tasks on venues
(the operator), on-site disposal plans (the plan's owner), approved permit applications (the organizer) and
governments, townships and streets (their emergency-management department or township government). Recording a
drill settles them (``drills.services.drills._settle_drill_duties``) with the drill's date as the completion date,
so the engine makes the next one due the rule's interval after the drill. After-action items become tasks of
their holders (party "assigned").
"""

from __future__ import annotations

from typing import Any

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction
from drills.models import AfterActionItem, Drill, EmergencyPlan
from duties.subjects import register_subject

VENUE_DRILL = "drills.venue_drill"
ON_SITE_PLAN_DRILL = "drills.on_site_plan_drill"
PRE_EVENT_DRILL = "drills.pre_event_drill"
GOVERNMENT_DRILL = "drills.government_drill"
AFTER_ACTION_ITEM = "drills.after_action_item"
# The rules whose tasks are "a drill is due": their outstanding tasks past due are the overdue drills.
DRILL_DUE_KEYS = (VENUE_DRILL, ON_SITE_PLAN_DRILL, PRE_EVENT_DRILL, GOVERNMENT_DRILL)
# Governments that drill at least every two years (《生产安全事故应急条例》第八条第一款).
GOVERNMENT_LEVELS = (JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT, JurisdictionLevel.TOWNSHIP)


def plan_attributes(plan: EmergencyPlan) -> dict[str, Any]:
    return {"kind": plan.kind, "scope": plan.scope_kind, "is_active": plan.is_active}


def item_attributes(item: AfterActionItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "due_date": item.due_date,
        "requires_plan_revision": item.requires_plan_revision,
    }


def government_holder(jurisdiction: Jurisdiction):
    """Who organises a government's drills: a township's government (街道办事处/乡镇人民政府) department, a
    district's or city's emergency-management department; the jurisdiction itself when it has none."""
    kind = (
        DepartmentKind.TOWNSHIP_GOVERNMENT
        if jurisdiction.level == JurisdictionLevel.TOWNSHIP
        else DepartmentKind.EMERGENCY
    )
    department = Department.objects.filter(jurisdiction=jurisdiction, kind=kind, is_active=True).order_by("pk").first()
    return department or jurisdiction


def connect() -> None:
    register_subject(
        EmergencyPlan,
        subject_type="emergency_plan",
        jurisdiction=lambda plan: plan.jurisdiction,
        organisation=lambda plan: plan.owner_organisation,
        attributes=plan_attributes,
        label=lambda plan: plan.title,
        assignee=lambda plan: plan.owner,
    )
    register_subject(
        Drill,
        subject_type="drill",
        jurisdiction=lambda drill: drill.plan.jurisdiction,
        organisation=lambda drill: drill.plan.owner_organisation,
        attributes=lambda drill: {"status": drill.status, "form": drill.form, "on_date": drill.on_date},
        label=lambda drill: f"{drill.plan.title} · {drill.on_date:%Y-%m-%d}",
        assignee=lambda drill: drill.plan.owner,
    )
    register_subject(
        AfterActionItem,
        subject_type="after_action_item",
        jurisdiction=lambda item: item.plan.jurisdiction,
        organisation=lambda item: item.owner_organisation,
        attributes=item_attributes,
        label=lambda item: f"{item.plan.title}：{item}",
        assignee=lambda item: item.owner,
    )
    register_subject(
        Jurisdiction,
        subject_type="jurisdiction",
        jurisdiction=lambda jurisdiction: jurisdiction,
        organisation=lambda jurisdiction: None,
        attributes=lambda jurisdiction: {"level": jurisdiction.level},
        label=lambda jurisdiction: jurisdiction.name,
        assignee=government_holder,
    )
