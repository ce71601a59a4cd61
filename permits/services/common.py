"""What every permit service shares: locking, permission checks, the derived fields, the engine calls."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from duties.services import tasks_evaluate, tasks_settle
from permits import conf, rules
from permits.access import is_head, is_organizer, is_reviewer
from permits.choices import ApplicationState
from permits.duties import CONDITION_KEYS
from permits.models import PermitApplication
from permits.selectors import find_licensing_department

TEXT_MAX = 5000
REASON_MAX = 2000


def locked(application: PermitApplication) -> PermitApplication:
    """The application's row, locked until the end of the transaction (joined rows are read, not locked)."""
    return (
        PermitApplication.objects.select_for_update(of=("self",))
        .select_related("organisation__jurisdiction", "venue", "licensing_department__jurisdiction", "jurisdiction")
        .get(pk=application.pk)
    )


def refuse(message) -> None:
    raise DomainError(message, code="invalid_state")


def state_label(state: str) -> str:
    return str(ApplicationState(state).label)


def check_organizer(actor, application: PermitApplication) -> None:
    if not is_organizer(get_scope(actor), application):
        raise PermissionDeniedError(_("Only the applicant's organizers may do this."))


def check_reviewer(actor, application: PermitApplication) -> None:
    if not is_reviewer(get_scope(actor), application):
        raise PermissionDeniedError(_("Only the licensing department may do this."))


def check_head(actor, application: PermitApplication) -> None:
    if not is_head(get_scope(actor), application):
        raise PermissionDeniedError(_("Only a head of the licensing department may decide (Order 505 Art. 14)."))


def check_editable(application: PermitApplication) -> None:
    if not application.is_editable:
        refuse(
            _(
                "The application can no longer be changed: it is “%(state)s”. After approval, a change of time is "
                "asked for with a change request; a change of place or content or a larger scale needs a new "
                "application (Order 505 Art. 15)."
            )
            % {"state": state_label(application.state)}
        )


def clean_text(value: str | None, *, field: str, required: bool = False, max_length: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("This field is required."), field=field)
    if len(value) > max_length:
        raise DomainError(_("At most %(max)d characters.") % {"max": max_length}, field=field)
    return value


def clean_lines(values: Iterable[str] | str | None, *, field: str, required: bool = True) -> list[str]:
    """A list of non-empty lines (reasons, items to correct, conditions)."""
    if isinstance(values, str):
        values = values.splitlines()
    lines = [line.strip() for line in (values or []) if line and line.strip()]
    if required and not lines:
        raise DomainError(_("Give at least one item, one per line."), field=field)
    for line in lines:
        if len(line) > 500:
            raise DomainError(_("Each item may have at most 500 characters."), field=field)
    return lines


def refresh_derived(application: PermitApplication, *, licensing: bool = True) -> list[str]:
    """Recompute the fields kept from the sessions and the venue, and (unless ``licensing`` is False, as after
    the decision) who licenses (Art. 2, 12). Returns the names of the fields that changed (for
    ``save(update_fields=...)``)."""
    before = _snapshot(application)
    figures = application.sessions.aggregate(
        attendance=Max("expected_attendance"), first=Min("starts_at"), last=Max("ends_at")
    )
    application.expected_attendance = figures["attendance"] or 0
    application.first_session_start = figures["first"]
    application.last_session_end = figures["last"]
    venue = application.venue
    application.jurisdiction = venue.grid if venue is not None else None
    application.jurisdiction_path = venue.jurisdiction_path if venue is not None else ""
    if not licensing:
        return [name.removesuffix("_id") for name in before if before[name] != _snapshot(application)[name]]
    application.licensing_level = rules.licensing_level(
        application.expected_attendance,
        across_provinces=application.across_provinces,
        city_level_from=conf.city_level_from(),
        organized_by_government=application.organized_by_government,
        regular_business=application.regular_business,
    )
    application.licensing_department = find_licensing_department(application.jurisdiction, application.licensing_level)
    after = _snapshot(application)
    return [name.removesuffix("_id") for name in before if before[name] != after[name]]


def _snapshot(application: PermitApplication) -> dict:
    return {
        "expected_attendance": application.expected_attendance,
        "first_session_start": application.first_session_start,
        "last_session_end": application.last_session_end,
        "jurisdiction_id": application.jurisdiction_id,
        "jurisdiction_path": application.jurisdiction_path,
        "licensing_level": application.licensing_level,
        "licensing_department_id": application.licensing_department_id,
    }


def save_changed(application: PermitApplication, fields: Iterable[str]) -> None:
    fields = sorted(set(fields) | {"updated_at"})
    application.save(update_fields=fields)


def move(application: PermitApplication, *, to: str, actor, verb: str, reason: str = "", data=None) -> str:
    """Set the state and write the action log entry of the move; returns the previous state. The caller holds
    the row lock and saves."""
    previous = application.state
    application.state = to
    log_action(
        actor=actor, subject=application, verb=verb, from_state=previous, to_state=to, reason=reason, data=data or {}
    )
    return previous


def evaluate(application: PermitApplication, actor) -> list[Task]:
    """Let the responsibility rules react to the new state (opens the next step's tasks)."""
    return tasks_evaluate(subject=application, event="state_changed", actor=actor)


def settle(application: PermitApplication, keys: Iterable[str], actor, *, note: str = "", cancelled: bool = False):
    return tasks_settle(
        subject=application, keys=list(keys), actor=actor, outcome="cancelled" if cancelled else "done", note=note
    )


def cancel_all_tasks(application: PermitApplication, actor, note: str) -> None:
    """Withdraw every outstanding task about the application and its conditions (withdrawal, cancellation, a
    final refusal): nobody owes anything more for an event that will not take place."""
    from permits.models import PermitCondition

    keys = set(
        Task.objects.filter(subject_type="permit_application", subject_id=application.pk, status__in=OUTSTANDING_VALUES)
        .exclude(rule__key=None)
        .values_list("rule__key", flat=True)
    )
    if keys:
        settle(application, keys, actor, note=note, cancelled=True)
    for condition in PermitCondition.objects.filter(application=application):
        tasks_settle(subject=condition, keys=list(CONDITION_KEYS), actor=actor, outcome="cancelled", note=note)
