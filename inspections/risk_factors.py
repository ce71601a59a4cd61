"""Inspection results as a source of a subject's risk factors (issue 21 point 2): the latest completed inspection
of the venue (or of the event, or of its venue) within a year weighs on the "history" factor of a risk assessment
— a failed 重大 item scores 3, a failed 较大 item 2, a failed 一般 item 1 — with the reason written out. Registered
with ``risk.services.assessments.register_factor_source`` (risk does not import this app)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import InspectionState, Severity
from inspections.models import Inspection, InspectionAnswer
from risk.services.assessments import FactorHint, register_factor_source
from risk.subjects import SubjectInfo

SCORE_OF_SEVERITY = {Severity.MAJOR: 3, Severity.SIGNIFICANT: 2, Severity.GENERAL: 1}
LOOK_BACK = dt.timedelta(days=366)


def latest_inspection(info: SubjectInfo) -> Inspection | None:
    q = Q()
    if info.subject_type == "permit_application":
        q |= Q(application_id=info.pk)
    if info.venue is not None:
        q |= Q(venue_id=info.venue.pk)
    if not q:
        return None
    return (
        Inspection.objects.filter(q, state=InspectionState.COMPLETED, completed_at__gte=timezone.now() - LOOK_BACK)
        .select_related("template")
        .order_by("-completed_at", "-pk")
        .first()
    )


def inspection_hints(info: SubjectInfo) -> Mapping[str, FactorHint]:
    inspection = latest_inspection(info)
    if inspection is None:
        return {}
    failed = list(
        InspectionAnswer.objects.filter(inspection=inspection, passed=False).values_list("item__severity", flat=True)
    )
    counts = {severity: failed.count(severity) for severity in Severity.values}
    score = max((SCORE_OF_SEVERITY[Severity(s)] for s in failed), default=0)
    when = timezone.localtime(inspection.completed_at).date() if inspection.completed_at else None
    reason = _(
        "Latest inspection (%(date)s, %(name)s): %(major)d major, %(significant)d significant, "
        "%(general)d general items failed."
    ) % {
        "date": when.isoformat() if when else "",
        "name": inspection.template.name,
        "major": counts[Severity.MAJOR],
        "significant": counts[Severity.SIGNIFICANT],
        "general": counts[Severity.GENERAL],
    }
    return {"history": FactorHint(score, reason)}


def connect() -> None:
    register_factor_source("inspections", inspection_hints)
