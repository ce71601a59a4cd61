"""Evaluating the responsibility rules for a subject into tasks, and saving rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.workdays.selectors import compute_deadline
from duties.choices import EVENT_MATCHES, OUTSTANDING_VALUES, DeadlineAnchor, TriggerEvent
from duties.conditions import conditions_hold
from duties.explain import ANCHOR_ATTRIBUTE, ANCHOR_ATTRIBUTE_MISSING, ANCHOR_EVENT, deadline_facts, explain_stored
from duties.models import ResponsibilityRule, Task
from duties.parties import SubjectPlace, resolve_party
from duties.services.tasks import set_cancelled
from duties.subjects import registration_for

# Rules describing what a subject *is* (fired on created/updated): when an update makes the subject stop
# matching, their outstanding tasks are cancelled.
DESCRIPTIVE_EVENTS = (TriggerEvent.SAVED, TriggerEvent.UPDATED)


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise DomainError("; ".join(messages), field=None if field_name == "__all__" else field_name) from exc


def rule_save(*, rule: ResponsibilityRule, actor, changed: Sequence[str] = ()) -> ResponsibilityRule:
    """Validate and save a rule (new or edited, e.g. from the admin), logging what changed."""
    _full_clean(rule)
    with transaction.atomic():
        created = rule.pk is None
        rule.save()
        log_action(
            actor=actor,
            subject=rule,
            verb="created" if created else "updated",
            to_state="active" if rule.is_active else "inactive",
            data={"changed": list(changed)} if changed else {},
        )
    return rule


# --- evaluation ----------------------------------------------------------------------------------------


def _local_date(moment: dt.datetime | dt.date | None) -> dt.date:
    if moment is None:
        return timezone.localdate()
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _anchor(rule: ResponsibilityRule, attributes: dict[str, Any], event_date: dt.date) -> tuple[str, dt.date]:
    if rule.deadline_from != DeadlineAnchor.ATTRIBUTE:
        return ANCHOR_EVENT, event_date
    value = attributes.get(rule.deadline_attribute)
    if isinstance(value, dt.datetime):
        return ANCHOR_ATTRIBUTE, _local_date(value)
    if isinstance(value, dt.date):
        return ANCHOR_ATTRIBUTE, value
    return ANCHOR_ATTRIBUTE_MISSING, event_date


def tasks_evaluate(*, subject, event: str, actor, moment: dt.datetime | dt.date | None = None) -> list[Task]:
    """Evaluate the active rules for ``subject`` (a registered model instance, see ``duties.subjects``) and
    ``event`` (a ``TriggerEvent`` value), and create the tasks of the rules that match.

    Idempotent: a rule makes at most one first task per subject, whatever the number of calls, including two
    at once (the dedupe constraint). Returns the tasks this call created (empty when they all existed).
    ``moment`` is when the event happened (default: now); deadlines counted "from the event" start that day.

    A rule that finds no party (no department of its kind at or above the subject, no organisation recorded)
    still makes its task, unassigned and saying why, so that it is never silently skipped: the rules health
    page lists it until someone reassigns it.

    On ``updated`` (or ``saved``), outstanding tasks of descriptive rules (event created-or-updated) that the
    subject no longer matches are cancelled, with that reason — all of them when the subject's attributes say
    ``is_active: False`` (a venue taken off the register).

    Call it from the subject app's service, inside the transaction that makes the change, so that the change
    and its tasks commit or roll back together.
    """
    if subject.pk is None:
        raise ValueError("Save the subject before evaluating rules for it.")
    try:
        event = TriggerEvent(event)
    except ValueError as exc:
        raise DomainError(_("Unknown event “%(event)s”.") % {"event": event}, field="event") from exc
    registration = registration_for(subject)
    rules = list(
        ResponsibilityRule.objects.filter(
            is_active=True, subject_type=registration.name, event__in=EVENT_MATCHES[event]
        ).order_by("pk")
    )
    attributes = registration.attributes(subject) or {}
    # A subject taken off the register (``is_active`` False) matches no rule.
    active = attributes.get("is_active", True) is not False
    matching = [rule for rule in rules if active and conditions_hold(rule.conditions, attributes)]
    stale = [rule for rule in rules if rule not in matching and rule.event in DESCRIPTIVE_EVENTS]
    event_date = _local_date(moment)
    created: list[Task] = []
    with transaction.atomic():
        if stale and event in DESCRIPTIVE_EVENTS:
            _cancel_stale(rules=stale, registration=registration, subject=subject, actor=actor)
        if not matching:
            return created
        existing = set(
            Task.objects.filter(
                rule__in=matching, subject_type=registration.name, subject_id=subject.pk, period=1
            ).values_list("rule_id", flat=True)
        )
        unmet_rules = [rule for rule in matching if rule.pk not in existing]
        if not unmet_rules:
            return created
        jurisdiction = registration.jurisdiction(subject)
        organisation = registration.organisation(subject)
        assignee = registration.assignee(subject) if registration.assignee else None
        label = str(registration.label(subject))[:255]
        place = SubjectPlace(jurisdiction)
        for rule in unmet_rules:
            party = resolve_party(rule, place=place, organisation=organisation, assignee=assignee)
            anchor_kind, anchor = _anchor(rule, attributes, event_date)
            deadline = compute_deadline(anchor, rule.deadline_days, rule.deadline_unit)
            data = {
                "rule": rule.name,
                "basis": rule.basis,
                "holder": party.label,
                "missing": party.missing,
                "subject": label,
                "subject_type": registration.name,
                "recurrence_months": rule.recurrence_months or 0,
                **deadline_facts(deadline, anchor_kind=anchor_kind, attribute=rule.deadline_attribute),
            }
            # The race: two requests evaluating one subject at once (a venue saved twice in quick succession, a
            # retried Celery task) both find no task above and both INSERT. The dedupe constraint makes the second
            # INSERT wait for the first transaction; when that commits, the INSERT fails, get_or_create rolls
            # back to its savepoint and reads the committed row instead. One task, no error.
            task, was_created = Task.objects.get_or_create(
                rule=rule,
                subject_type=registration.name,
                subject_id=subject.pk,
                period=1,
                defaults={
                    "subject_label": label,
                    "jurisdiction": jurisdiction,
                    "jurisdiction_path": jurisdiction.path,
                    "event": event,
                    "duty_name": rule.duty_name,
                    "duty_description": rule.duty_description,
                    "basis": rule.basis,
                    "party_kind": rule.party_kind,
                    "responsible_department": party.department,
                    "responsible_organisation": party.organisation,
                    "responsible_jurisdiction": party.jurisdiction,
                    "anchor_date": anchor,
                    "due_date": deadline.due,
                    "explanation": explain_stored(data),
                    "explanation_data": data,
                },
            )
            if was_created:
                log_action(
                    actor=actor,
                    subject=task,
                    verb="created",
                    to_state=task.status,
                    reason=task.explanation,
                    data={"rule": rule.pk, "event": event, "subject": f"{registration.name}:{subject.pk}"},
                )
                created.append(task)
    return created


def _cancel_stale(*, rules, registration, subject, actor) -> None:
    stale = Task.objects.select_for_update().filter(
        rule__in=rules,
        subject_type=registration.name,
        subject_id=subject.pk,
        status__in=OUTSTANDING_VALUES,
    )
    reason = _("The subject no longer matches the conditions of the rule that made this task.")
    for task in stale:
        set_cancelled(task, actor=actor, reason=reason)


def tasks_recount(*, subject, keys: Sequence[str], actor, reason: str = "") -> list[Task]:
    """Count again the due dates of the outstanding tasks of the rules with ``keys`` about ``subject``, because the
    date of the subject they are counted from has changed (an approved extension moves a hazard's rectification
    deadline). Only tasks of rules counted from a subject's date are touched; each is recounted from the
    attribute's current value, with the rule's days and unit, and its explanation follows. An overdue task whose
    new due date has not passed is outstanding again. Idempotent; returns the tasks whose due date moved.

    Call it inside the transaction of the change, after saving the subject."""
    from duties.choices import TaskStatus

    registration = registration_for(subject)
    attributes = registration.attributes(subject) or {}
    today = timezone.localdate()
    moved: list[Task] = []
    with transaction.atomic():
        # Locked: a completion or the overdue scan racing the recount waits, then sees the new due date.
        tasks = (
            Task.objects.select_for_update(of=("self",))
            .select_related("rule")
            .filter(
                subject_type=registration.name,
                subject_id=subject.pk,
                rule__key__in=list(keys),
                status__in=OUTSTANDING_VALUES,
            )
            .order_by("pk")
        )
        for task in tasks:
            rule = task.rule
            if rule.deadline_from != DeadlineAnchor.ATTRIBUTE:
                continue
            anchor_kind, anchor = _anchor(rule, attributes, task.anchor_date)
            deadline = compute_deadline(anchor, rule.deadline_days, rule.deadline_unit)
            if deadline.due == task.due_date:
                continue
            before = task.due_date
            data = {
                **task.explanation_data,
                **deadline_facts(deadline, anchor_kind=anchor_kind, attribute=rule.deadline_attribute),
            }
            task.anchor_date = anchor
            task.due_date = deadline.due
            task.explanation_data = data
            task.explanation = explain_stored(data)
            fields = ["anchor_date", "due_date", "explanation_data", "explanation", "updated_at"]
            if task.status == TaskStatus.OVERDUE and task.due_date >= today:
                task.status = TaskStatus.IN_PROGRESS if task.started_at else TaskStatus.OPEN
                fields.append("status")
            task.save(update_fields=fields)
            log_action(
                actor=actor,
                subject=task,
                verb="rescheduled",
                from_state=before.isoformat(),
                to_state=task.due_date.isoformat(),
                reason=reason,
            )
            moved.append(task)
    return moved
