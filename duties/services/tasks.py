"""Task transitions: start, complete (with evidence, and the next occurrence of a periodic duty), reassign,
cancel; the nightly overdue scan; the heads' bulk actions."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_uploads
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department, Membership
from crowdsafe.workdays.selectors import add_calendar_days
from duties.access import can_manage, can_work
from duties.choices import OUTSTANDING as OUTSTANDING_STATUSES
from duties.choices import TaskStatus
from duties.explain import ANCHOR_COMPLETION, deadline_facts, explain_stored
from duties.models import ResponsibilityRule, Task, TaskAttachment, TaskReassignment

REASON_MAX_LENGTH = 2000
# A task's evidence: a handful of photos and scans; more belongs in a document of its own.
EVIDENCE_MAX_FILES = 10
NOTE_MAX_LENGTH = 5000
OVERDUE_SCAN_BATCH = 500


def _locked(task: Task) -> Task:
    """The task's row, locked for the rest of the transaction (its joined holder rows are read, not locked)."""
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("responsible_department__jurisdiction", "responsible_jurisdiction")
        .get(pk=task.pk)
    )


def _refuse(message) -> None:
    raise DomainError(message, code="invalid_state")


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError(_("You are not responsible for this task."))


def task_start(*, task: Task, actor) -> Task:
    """Someone of the holder starts work on an open task (and becomes its responsible person if none is set)."""
    scope = get_scope(actor)
    with transaction.atomic():
        # The lock serialises two people pressing "start" (or start and complete) on one task: the second sees
        # the first's status and is refused by the guard instead of overwriting it.
        task = _locked(task)
        _check(can_work(scope, task))
        if not task.can_start():
            _refuse(
                _("Only an open task can be started; this one is %(status)s.") % {"status": task.get_status_display()}
            )
        previous = task.status
        task.status = TaskStatus.IN_PROGRESS
        task.started_at = timezone.now()
        fields = ["status", "started_at", "updated_at"]
        if task.responsible_person_id is None:
            task.responsible_person = actor
            fields.append("responsible_person")
        task.save(update_fields=fields)
        log_action(actor=actor, subject=task, verb="started", from_state=previous, to_state=task.status)
    return task


def task_complete(*, task: Task, actor, note: str, files: Sequence[Any] = ()) -> Task:
    """Close an outstanding task with evidence: a note (required) and attachments (optional, checked).

    For a periodic duty whose rule is still active, the next occurrence is created at once, due the rule's
    interval after the completion date (see ``_create_successor`` for why after completion and not after the
    previous due date)."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what was done: the completion note is required."), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(_("The note is too long (at most %(n)d characters).") % {"n": NOTE_MAX_LENGTH}, field="note")
    checked = check_uploads(files, kind="evidence", field="files")
    scope = get_scope(actor)
    with transaction.atomic():
        # The lock makes "complete" happen once: a second submission (double click, a retry) waits, then finds
        # the task done and is refused, so there is one successor and one set of evidence.
        task = _locked(task)
        _check(can_work(scope, task))
        if not task.can_complete():
            _refuse(_("This task is %(status)s and cannot be completed.") % {"status": task.get_status_display()})
        if task.attachments.count() + len(checked) > EVIDENCE_MAX_FILES:
            raise DomainError(
                _("At most %(n)d files can be attached to a task.") % {"n": EVIDENCE_MAX_FILES}, field="files"
            )
        for item in checked:
            # A file written here stays on disk if the transaction later rolls back; it is then unreferenced and
            # never served (downloads go through the attachment row).
            attachment = TaskAttachment(task=task, uploaded_by=actor)
            attachment.store(item)
            attachment.save()
        previous = task.status
        now = timezone.now()
        task.status = TaskStatus.DONE
        task.completed_at = now
        task.completed_by = actor
        task.completion_note = note
        task.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "updated_at"])
        log_action(
            actor=actor,
            subject=task,
            verb="completed",
            from_state=previous,
            to_state=task.status,
            reason=note,
            data={"attachments": [item.name for item in checked]},
        )
        _create_successor(task, completed_on=timezone.localdate(now), actor=actor)
    return task


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` plus whole months; the 31st of a shorter month is its last day (2026-08-31 + 6 → 2027-02-28)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(date.day, calendar.monthrange(year, month)[1]))


def _create_successor(task: Task, *, completed_on: dt.date, actor) -> Task | None:
    """The next occurrence of a periodic duty, due ``recurrence_months`` after the completion date.

    Why after completion rather than after the previous due date: periodic duties in the notices are minimum
    frequencies ("每半年至少组织1次演练", special equipment inspected yearly): the gap between two occurrences
    must not exceed the interval. Counting from the previous due date would allow a drill done early to be
    followed by one up to almost twice the interval later, and punish one done late with a short gap. Counting
    from completion keeps every gap at most the interval.

    The successor keeps the current holder and person (a reassignment is a deliberate decision that should not
    be undone every period). A due date on a rest day runs to the next working day, as for calendar-day periods.
    """
    rule = ResponsibilityRule.objects.get(pk=task.rule_id)
    if not rule.recurrence_months or not rule.is_active:
        return None
    deadline = add_calendar_days(add_months(completed_on, rule.recurrence_months), 0)
    facts = deadline_facts(deadline, anchor_kind=ANCHOR_COMPLETION, months=rule.recurrence_months)
    facts["anchor"] = completed_on.isoformat()
    data = {
        "rule": rule.name,
        "basis": task.basis,
        "holder": task.holder_label if not task.is_unassigned else "",
        "missing": task.explanation_data.get("missing", {}) if task.is_unassigned else {},
        "subject": task.subject_label,
        "recurrence_months": rule.recurrence_months,
        **facts,
    }
    # The dedupe key (rule, subject, occurrence) backs up the row lock held by the caller: even a second
    # completion path could not create two successors.
    successor, created = Task.objects.get_or_create(
        rule=rule,
        subject_type=task.subject_type,
        subject_id=task.subject_id,
        period=task.period + 1,
        defaults={
            "previous": task,
            "subject_label": task.subject_label,
            "jurisdiction_id": task.jurisdiction_id,
            "jurisdiction_path": task.jurisdiction_path,
            "event": task.event,
            "duty_name": rule.duty_name,
            "duty_description": rule.duty_description,
            "basis": task.basis,
            "party_kind": task.party_kind,
            "responsible_department_id": task.responsible_department_id,
            "responsible_organisation_id": task.responsible_organisation_id,
            "responsible_jurisdiction_id": task.responsible_jurisdiction_id,
            "responsible_person_id": task.responsible_person_id,
            "anchor_date": completed_on,
            "due_date": deadline.due,
            "explanation": explain_stored(data),
            "explanation_data": data,
        },
    )
    if created:
        log_action(
            actor=actor,
            subject=successor,
            verb="created",
            to_state=successor.status,
            reason=successor.explanation,
            data={"rule": rule.pk, "previous": task.pk, "period": successor.period},
        )
    return successor


def _party_label(department, organisation, jurisdiction, person) -> str:
    holder = department or organisation or jurisdiction
    label = str(holder) if holder is not None else _("nobody (unassigned)")
    if person is not None:
        label = f"{label} · {person.display_name}"
    return label


def _check_person(person, *, department, task: Task) -> None:
    """The person must belong to the party that will hold the task."""
    memberships = Membership.objects.filter(user=person)
    if department is not None:
        ok = memberships.filter(department=department, role__in=[Role.STAFF, Role.HEAD]).exists()
    elif task.responsible_organisation_id:
        ok = memberships.filter(organisation_id=task.responsible_organisation_id).exists()
    elif task.responsible_jurisdiction_id:
        ok = memberships.filter(
            jurisdiction_id=task.responsible_jurisdiction_id, role__in=[Role.TOWNSHIP_OFFICER, Role.LEADER]
        ).exists()
    else:
        ok = False
    if not ok:
        raise DomainError(
            _("%(person)s does not work for the party that holds this task.") % {"person": person.display_name},
            field="person",
        )


def task_reassign(*, task: Task, actor, reason: str, department: Department | None = None, person=None) -> Task:
    """Give the task to another department and/or person, with the reason (required). The history is kept as
    ``TaskReassignment`` rows and in the action log. Giving it to a department clears the person unless one
    of that department's people is named."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the reassignment."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("The reason is too long (at most %(n)d characters).") % {"n": REASON_MAX_LENGTH}, field="reason"
        )
    if department is None and person is None:
        raise DomainError(_("Choose the department or the person to reassign the task to."), field="department")
    if department is not None and not department.is_active:
        raise DomainError(_("%(department)s is not active.") % {"department": department}, field="department")
    if person is not None and not person.is_active:
        raise DomainError(_("%(person)s cannot sign in.") % {"person": person.display_name}, field="person")
    scope = get_scope(actor)
    with transaction.atomic():
        # Two heads reassigning one task at once: the lock orders them, and the second one's history row says
        # it took the task from the first one's choice, not from the original holder.
        task = _locked(task)
        _check(can_manage(scope, task))
        if not task.can_reassign():
            _refuse(_("This task is %(status)s and cannot be reassigned.") % {"status": task.get_status_display()})
        if person is not None:
            _check_person(person, department=department or task.responsible_department, task=task)
        old = (task.responsible_department, task.responsible_organisation, task.responsible_jurisdiction)
        old_person = task.responsible_person
        if department is not None:
            new = (department, None, None)
            new_person = person
        else:
            new = old
            new_person = person
        if new == old and new_person == old_person:
            raise DomainError(_("The task is already held there."), field="department")
        from_label = _party_label(*old, old_person)
        to_label = _party_label(*new, new_person)
        TaskReassignment.objects.create(
            task=task,
            from_department=old[0],
            from_person=old_person,
            from_label=from_label[:255],
            to_department=new[0],
            to_person=new_person,
            to_label=to_label[:255],
            reason=reason,
            actor=actor,
        )
        task.responsible_department, task.responsible_organisation, task.responsible_jurisdiction = new
        task.responsible_person = new_person
        task.save(
            update_fields=[
                "responsible_department",
                "responsible_organisation",
                "responsible_jurisdiction",
                "responsible_person",
                "updated_at",
            ]
        )
        log_action(
            actor=actor,
            subject=task,
            verb="reassigned",
            from_state=from_label[:64],
            to_state=to_label[:64],
            reason=reason,
            data={"from": from_label, "to": to_label},
        )
    return task


def set_cancelled(task: Task, *, actor, reason: str) -> None:
    previous = task.status
    task.status = TaskStatus.CANCELLED
    task.cancelled_at = timezone.now()
    task.cancel_reason = reason
    task.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    log_action(actor=actor, subject=task, verb="cancelled", from_state=previous, to_state=task.status, reason=reason)


def task_cancel(*, task: Task, actor, reason: str) -> Task:
    """Withdraw an outstanding task (the duty no longer applies), with the reason (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for cancelling the task."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("The reason is too long (at most %(n)d characters).") % {"n": REASON_MAX_LENGTH}, field="reason"
        )
    scope = get_scope(actor)
    with transaction.atomic():
        task = _locked(task)
        _check(can_manage(scope, task))
        if not task.can_cancel():
            _refuse(_("This task is %(status)s and cannot be cancelled.") % {"status": task.get_status_display()})
        set_cancelled(task, actor=actor, reason=reason)
    return task


def tasks_mark_overdue(*, today: dt.date | None = None, batch_size: int = OVERDUE_SCAN_BATCH) -> int:
    """The nightly scan: open and in-progress tasks past their due date become overdue. Returns how many.

    Each batch is claimed with ``SKIP LOCKED``: two workers running the scan at once take different rows, and a
    task someone is completing right now (row locked) is skipped and left to the next run, instead of waiting
    or overwriting the completion."""
    today = today or timezone.localdate()
    total = 0
    while True:
        with transaction.atomic():
            batch = list(
                Task.objects.select_for_update(skip_locked=True)
                .filter(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS], due_date__lt=today)
                .order_by("due_date", "id")[:batch_size]
            )
            for task in batch:
                previous = task.status
                task.status = TaskStatus.OVERDUE
                task.save(update_fields=["status", "updated_at"])
                log_action(
                    actor=None,
                    subject=task,
                    verb="overdue",
                    from_state=previous,
                    to_state=task.status,
                    data={"due_date": task.due_date.isoformat(), "scanned_on": today.isoformat()},
                )
        total += len(batch)
        if len(batch) < batch_size:
            return total


# --- bulk actions (heads, from the queue) ----------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[Task] = field(default_factory=list)
    refused: list[tuple[Task, str]] = field(default_factory=list)


def _bulk(tasks: Iterable[Task], action) -> BulkResult:
    result = BulkResult()
    for task in tasks:
        try:
            # Each task on its own: one refused task (already started, not the head's) leaves the others done
            # and is reported, rather than undoing the whole selection.
            result.done.append(action(task))
        except DomainError as exc:
            result.refused.append((task, str(exc.message)))
    return result


def task_bulk_start(*, tasks: Iterable[Task], actor) -> BulkResult:
    return _bulk(tasks, lambda task: task_start(task=task, actor=actor))


def task_bulk_reassign(
    *, tasks: Iterable[Task], actor, reason: str, department: Department | None = None, person=None
) -> BulkResult:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the reassignment."), field="reason")
    return _bulk(
        tasks,
        lambda task: task_reassign(task=task, actor=actor, reason=reason, department=department, person=person),
    )


def tasks_settle(
    *,
    subject,
    keys: Sequence[str],
    actor,
    outcome: str = TaskStatus.DONE,
    note: str = "",
    completed_on: dt.date | None = None,
) -> list[Task]:
    """Close the outstanding tasks of the rules with ``keys`` about ``subject``, because the step they ask for has
    happened in the subject's own workflow (a permit accepted closes its acceptance review; a drill recorded
    closes the drill that was due). The subject app's service calls this inside the transaction of that step and
    has checked the actor's right to take it, so no task permission is checked here.

    ``outcome`` "done" completes them (``note`` says what happened; a periodic duty gets its next occurrence,
    counted from ``completed_on``, default today); "cancelled" withdraws them with ``note`` as the reason.
    Idempotent: tasks already closed are left alone. Returns the tasks closed by this call.
    """
    from duties.subjects import registration_for

    outcome = TaskStatus(outcome)
    if outcome not in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise ValueError("A task is settled as done or cancelled.")
    note = (note or "").strip()[:NOTE_MAX_LENGTH] or _("Settled by the subject's workflow.")
    registration = registration_for(subject)
    closed: list[Task] = []
    with transaction.atomic():
        # Locked: a user completing the same task by hand at this moment waits, then this call finds it done.
        tasks = (
            Task.objects.select_for_update()
            .filter(
                subject_type=registration.name,
                subject_id=subject.pk,
                rule__key__in=list(keys),
                status__in=[s.value for s in OUTSTANDING_STATUSES],
            )
            .order_by("pk")
        )
        for task in tasks:
            if outcome == TaskStatus.CANCELLED:
                set_cancelled(task, actor=actor, reason=note)
            else:
                previous = task.status
                task.status = TaskStatus.DONE
                task.completed_at = timezone.now()
                task.completed_by = actor if getattr(actor, "pk", None) else None
                task.completion_note = note
                task.save(update_fields=["status", "completed_at", "completed_by", "completion_note", "updated_at"])
                log_action(
                    actor=actor, subject=task, verb="completed", from_state=previous, to_state=task.status, reason=note
                )
                _create_successor(task, completed_on=completed_on or timezone.localdate(), actor=actor)
            closed.append(task)
    return closed
