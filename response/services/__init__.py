"""Every write of the response app (see the modules): incidents and plans (``incidents``), command (``command``)
and public reports (``reports``)."""

from response.services.command import (
    escalation_accept,
    escalation_request,
    escalation_return,
    force_advance,
    force_request,
    incident_close,
    log_add,
    reports_remind_due,
    situation_report_submit,
)
from response.services.incidents import (
    cadence_set,
    command_handover,
    incident_open,
    incident_open_for_event,
    incident_open_from_gathering,
    incident_open_from_monitoring,
    level_by_code,
    level_change,
    measure_complete,
    plan_activate,
)
from response.services.reports import (
    report_dismiss,
    report_link,
    report_make_gathering,
    report_open_incident,
    report_receive,
    report_reveal_phone,
    report_send_answer,
)

__all__ = [
    "cadence_set",
    "command_handover",
    "escalation_accept",
    "escalation_request",
    "escalation_return",
    "force_advance",
    "force_request",
    "incident_close",
    "incident_open",
    "incident_open_for_event",
    "incident_open_from_gathering",
    "incident_open_from_monitoring",
    "level_by_code",
    "level_change",
    "log_add",
    "measure_complete",
    "plan_activate",
    "report_dismiss",
    "report_link",
    "report_make_gathering",
    "report_open_incident",
    "report_receive",
    "report_reveal_phone",
    "report_send_answer",
    "reports_remind_due",
    "situation_report_submit",
]
