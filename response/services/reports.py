"""Public reports and hotline tickets (issue 6): received from the 110/12345 dispatch systems or the public page,
matched to what is open nearby (selectors.report_matches), linked or turned into a gathering by staff, answered by
SMS and by the public status page. ``first_action_at`` measures the time to first action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common import pii
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction
from events.models import Gathering
from events.services.gatherings import gathering_report
from notifications.channels.base import PermanentError, TransientError
from notifications.channels.sms import get_backend
from response import access
from response.choices import IncidentSource, ReportChannel, ReportStatus
from response.models import Incident, PublicReport
from response.services.common import text
from response.services.incidents import incident_open, level_by_code

PHONE_MAX = 20
ANSWERS = {
    ReportStatus.LINKED: "您反映的人员聚集情况已纳入现场处置，感谢您的报告。",
    ReportStatus.GATHERING_CREATED: "您反映的人员聚集情况已登记并安排属地核查处置，感谢您的报告。",
    ReportStatus.NO_ACTION: "您反映的情况经核查暂无需处置，感谢您的报告。",
}


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), field=field) from None
    if not -limit <= number <= limit:
        raise DomainError(_("Out of range."), field=field)
    return number


def _phone(value: Any) -> str:
    phone = "".join(ch for ch in str(value or "") if ch.isdigit() or ch == "+")
    if phone and not 5 <= len(phone) <= PHONE_MAX:
        raise DomainError(_("Enter a valid phone number."), field="caller_phone")
    return phone


def _township(jurisdiction: Jurisdiction) -> Jurisdiction | None:
    node: Jurisdiction | None = jurisdiction
    while node is not None and node.level not in (JurisdictionLevel.TOWNSHIP,):
        node = node.parent
    return node


def _place_of(latitude: Decimal | None, longitude: Decimal | None) -> Jurisdiction | None:
    """The grid of the nearest gathering within 3 km of the point (the dispatch systems and phones give a point,
    the platform keeps no boundaries)."""
    from response.geo import distance_m

    if latitude is None or longitude is None:
        return None
    box = Decimal("0.03")
    best: tuple[float, Jurisdiction] | None = None
    for g in Gathering.objects.filter(
        latitude__range=(latitude - box, latitude + box), longitude__range=(longitude - box, longitude + box)
    ).select_related("grid")[:200]:
        if g.latitude is None or g.longitude is None:
            continue
        d = distance_m((latitude, longitude), (g.latitude, g.longitude))
        if d <= 3000 and (best is None or d < best[0]):
            best = (d, g.grid)
    return best[1] if best else None


def report_receive(
    *,
    channel: str,
    place_text: str,
    description: str = "",
    latitude: Any = None,
    longitude: Any = None,
    caller_phone: str = "",
    ticket_number: str = "",
    received_at: dt.datetime | None = None,
    jurisdiction: Jurisdiction | None = None,
    actor: Any = None,
) -> tuple[PublicReport, bool]:
    """Record a report; returns (report, created). A ticket pushed twice (same number) is the same report."""
    if channel not in ReportChannel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    place_text = text(place_text, field="place_text", required=True, limit=200)
    description = text(description, field="description", limit=2000)
    lat = _coordinate(latitude, field="latitude", limit=90)
    lng = _coordinate(longitude, field="longitude", limit=180)
    if (lat is None) != (lng is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    phone = _phone(caller_phone)
    ticket_number = text(ticket_number, field="ticket_number", limit=40)
    if channel != ReportChannel.WEB and not ticket_number:
        raise DomainError(_("The ticket number is required."), field="ticket_number")
    now = timezone.now()
    if received_at is not None and received_at > now + dt.timedelta(minutes=5):
        raise DomainError(_("The time is in the future."), field="received_at")
    if ticket_number:
        existing = PublicReport.objects.filter(ticket_number=ticket_number).first()
        if existing is not None:
            return existing, False
    where = (
        jurisdiction or _place_of(lat, lng) or Jurisdiction.objects.filter(parent__isnull=True).order_by("pk").first()
    )
    if where is None:
        raise DomainError(_("No jurisdiction is set up."), field="jurisdiction")
    values: dict[str, Any] = {
        "channel": channel,
        "received_at": received_at or now,
        "place_text": place_text,
        "latitude": lat,
        "longitude": lng,
        "description": description,
        "caller_phone": phone,
        "jurisdiction": where,
        "jurisdiction_path": where.path,
        "township": _township(where),
        "pushed_by": actor if getattr(actor, "pk", None) else None,
    }
    if ticket_number:
        values["ticket_number"] = ticket_number
    try:
        with transaction.atomic():
            report = PublicReport.objects.create(**values)
            log_action(actor=actor, subject=report, verb="report_received", data={"channel": channel})
    except IntegrityError:
        # The race: a dispatch system retrying a ticket while the first push is still committing.
        found = PublicReport.objects.filter(ticket_number=ticket_number).first() if ticket_number else None
        if found is None:
            raise
        return found, False
    return report, True


def _locked(report: PublicReport) -> PublicReport:
    return PublicReport.objects.select_for_update(of=("self",)).get(pk=report.pk)


def _check(actor: Any, report: PublicReport) -> None:
    if actor_scope(actor).is_superuser:
        return
    if not PublicReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDeniedError(_("You may not handle this report."))


def _act(report: PublicReport, *, actor: Any, status: str, verb: str, data: dict[str, Any]) -> None:
    now = timezone.now()
    previous = report.status
    report.status = status
    report.answer = ANSWERS.get(ReportStatus(status), "")
    fields = ["status", "answer", "gathering", "incident"]
    if report.first_action_at is None:
        report.first_action_at = now
        report.first_action_by = actor
        fields += ["first_action_at", "first_action_by"]
    report.save(update_fields=fields)
    log_action(actor=actor, subject=report, verb=verb, from_state=previous, to_state=status, data=data)
    if report.caller_phone and report.sms_sent_at is None:
        from response.tasks import send_answer

        transaction.on_commit(lambda: send_answer.delay(report.pk))


def report_link(
    *, report: PublicReport, actor: Any, gathering: Gathering | None = None, incident: Incident | None = None
) -> PublicReport:
    """Link the report to the gathering or incident it is about."""
    if (gathering is None) == (incident is None):
        raise DomainError(_("Choose a gathering or an incident."), field="target")
    with transaction.atomic():
        row = _locked(report)
        _check(actor, row)
        row.gathering = gathering
        row.incident = incident
        _act(
            row,
            actor=actor,
            status=ReportStatus.LINKED,
            verb="report_linked",
            data={"gathering": getattr(gathering, "pk", None), "incident": getattr(incident, "pk", None)},
        )
    return row


def report_make_gathering(
    *, report: PublicReport, actor: Any, grid: Jurisdiction | None = None, kind: str = "other"
) -> PublicReport:
    """Log a gathering from the report (source 110/12345 hotline), at ``grid`` or the report's own grid."""
    where = grid or report.jurisdiction
    if where.level not in (JurisdictionLevel.GRID, JurisdictionLevel.COMMUNITY):
        raise DomainError(_("Choose the grid or community."), field="grid")
    with transaction.atomic():
        row = _locked(report)
        _check(actor, row)
        if row.gathering_id is not None:
            raise DomainError(_("This report already has its gathering."), code="invalid_state")
        gathering, _created = gathering_report(
            actor=actor,
            title=row.place_text[:128],
            kind=kind,
            grid=where,
            location_name=row.place_text[:128],
            latitude=row.latitude,
            longitude=row.longitude,
            starts_at=row.received_at,
            estimated_attendance_min=0,
            estimated_attendance_max=0,
            source="hotline",
            source_reference=row.ticket_number,
            description=row.description,
        )
        row.gathering = gathering
        _act(
            row,
            actor=actor,
            status=ReportStatus.GATHERING_CREATED,
            verb="report_gathering",
            data={"gathering": gathering.pk},
        )
    return row


def report_open_incident(*, report: PublicReport, actor: Any) -> Incident:
    """Open an incident from the report (level IV), linking it."""
    with transaction.atomic():
        incident = incident_open(
            actor=actor,
            jurisdiction=report.jurisdiction,
            title=report.place_text,
            level=level_by_code("IV"),
            source=IncidentSource.PUBLIC_REPORT,
            description=report.description,
            place=report.place_text,
            coordinates=report.coordinates,
        )
        report_link(report=report, actor=actor, incident=incident)
    return incident


def report_dismiss(*, report: PublicReport, actor: Any, reason: str) -> PublicReport:
    reason = text(reason, field="reason", required=True)
    with transaction.atomic():
        row = _locked(report)
        _check(actor, row)
        _act(row, actor=actor, status=ReportStatus.NO_ACTION, verb="report_dismissed", data={"reason": reason})
    return row


def report_reveal_phone(*, report: PublicReport, actor: Any) -> str:
    """The caller's full number, to those who call back; every reveal is in the action log."""
    if not access.can_reveal_phone(actor_scope(actor), report):
        raise PermissionDeniedError(_("You may not see the caller's number."))
    return pii.reveal(subject=report, field="caller_phone", kind=pii.PHONE, actor=actor).value


def report_send_answer(*, report_id: int) -> bool:
    """Send the caller the answer by SMS through the SMS backend, once (the task calls this)."""
    with transaction.atomic():
        row = (
            PublicReport.objects.select_for_update(skip_locked=True)
            .filter(pk=report_id, sms_sent_at__isnull=True)
            .first()
        )
        if row is None or not row.caller_phone or not row.answer:
            return False
        body = f"【{_('Crowd safety')}】{row.ticket_number}：{row.answer}"
        try:
            get_backend().send(row.caller_phone, body)
        except (TransientError, PermanentError):
            return False
        row.sms_sent_at = timezone.now()
        row.save(update_fields=["sms_sent_at"])
        log_action(actor=None, subject=row, verb="answer_sent")
    return True
