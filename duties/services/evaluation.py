"""Evaluating the responsibility rules for a subject into tasks, and saving rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import LogEntry, log_action, log_actions
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
    and its tasks commit or roll back together. The batch form, for many subjects at once (an import), is
    ``tasks_evaluate_many``; this is that with one subject.
    """
    return tasks_evaluate_many(subjects=[subject], event=event, actor=actor, moment=moment)


class _Memo:
    """What one evaluation reads once for all its subjects: the rules of each subject type, the place (the
    jurisdiction chain and its departments) of each jurisdiction, and each deadline."""

    def __init__(self) -> None:
        self.rules: dict[str, list[ResponsibilityRule]] = {}
        self.places: dict[int, SubjectPlace] = {}
        self.deadlines: dict[tuple[dt.date, int, str], Any] = {}

    def rules_for(self, registration, event: str) -> list[ResponsibilityRule]:
        rules = self.rules.get(registration.name)
        if rules is None:
            rules = self.rules[registration.name] = list(
                ResponsibilityRule.objects.filter(
                    is_active=True, subject_type=registration.name, event__in=EVENT_MATCHES[event]
                ).order_by("pk")
            )
        return rules

    def place(self, jurisdiction) -> SubjectPlace:
        place = self.places.get(jurisdiction.pk)
        if place is None:
            place = self.places[jurisdiction.pk] = SubjectPlace(jurisdiction)
        return place

    def deadline(self, anchor: dt.date, days: int, unit: str):
        key = (anchor, days, unit)
        deadline = self.deadlines.get(key)
        if deadline is None:
            deadline = self.deadlines[key] = compute_deadline(anchor, days, unit)
        return deadline


def tasks_evaluate_many(
    *, subjects: Sequence[Any], event: str, actor, moment: dt.datetime | dt.date | None = None
) -> list[Task]:
    """``tasks_evaluate`` for many subjects at once (an import of thousands of rows), in a few queries whatever
    their number: the rules once, the existing tasks of all the subjects in one query, each jurisdiction's chain
    and departments once, each deadline counted once, the new tasks in one ``INSERT`` and their action-log
    entries in another. It makes exactly the tasks and log entries that calling ``tasks_evaluate`` for each
    subject in turn would (``tests/events/test_import_batch.py`` compares them), in the same order.

    The race (another transaction evaluating one of these subjects at once): the bulk INSERT runs in a
    savepoint; when the dedupe constraint refuses it, it is rolled back and the tasks are made one by one with
    ``get_or_create``, each reading the row the other transaction committed. Returns the tasks created."""
    try:
        event = TriggerEvent(event)
    except ValueError as exc:
        raise DomainError(_("Unknown event “%(event)s”.") % {"event": event}, field="event") from exc
    if any(subject.pk is None for subject in subjects):
        raise ValueError("Save the subject before evaluating rules for it.")
    memo = _Memo()
    event_date = _local_date(moment)
    # Per subject: (registration, attributes, the rules it matches).
    plans: list[tuple[Any, Any, dict[str, Any], list[ResponsibilityRule]]] = []
    stale_of: dict[tuple[str, int], list[ResponsibilityRule]] = {}
    for subject in subjects:
        registration = registration_for(subject)
        rules = memo.rules_for(registration, event)
        attributes = registration.attributes(subject) or {}
        # A subject taken off the register (``is_active`` False) matches no rule.
        active = attributes.get("is_active", True) is not False
        matching = [rule for rule in rules if active and conditions_hold(rule.conditions, attributes)]
        if event in DESCRIPTIVE_EVENTS:
            stale = [rule for rule in rules if rule not in matching and rule.event in DESCRIPTIVE_EVENTS]
            if stale:
                stale_of[(registration.name, subject.pk)] = stale
        plans.append((subject, registration, attributes, matching))
    created: list[Task] = []
    with transaction.atomic():
        if stale_of:
            _cancel_stale_many(stale_of, actor=actor)
        wanted = [(s, r, a, m) for s, r, a, m in plans if m]
        if not wanted:
            return created
        existing = _existing_first_tasks(wanted)
        new: list[tuple[Task, ResponsibilityRule, Any, Any]] = []
        for subject, registration, attributes, matching in wanted:
            unmet_rules = [rule for rule in matching if (registration.name, subject.pk, rule.pk) not in existing]
            if not unmet_rules:
                continue
            jurisdiction = registration.jurisdiction(subject)
            organisation = registration.organisation(subject)
            assignee = registration.assignee(subject) if registration.assignee else None
            label = str(registration.label(subject))[:255]
            place = memo.place(jurisdiction)
            for rule in unmet_rules:
                party = resolve_party(rule, place=place, organisation=organisation, assignee=assignee)
                anchor_kind, anchor = _anchor(rule, attributes, event_date)
                deadline = memo.deadline(anchor, rule.deadline_days, rule.deadline_unit)
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
                task = Task(
                    rule=rule,
                    subject_type=registration.name,
                    subject_id=subject.pk,
                    period=1,
                    subject_label=label,
                    jurisdiction=jurisdiction,
                    jurisdiction_path=jurisdiction.path,
                    event=event,
                    duty_name=rule.duty_name,
                    duty_description=rule.duty_description,
                    basis=rule.basis,
                    party_kind=rule.party_kind,
                    responsible_department=party.department,
                    responsible_organisation=party.organisation,
                    responsible_jurisdiction=party.jurisdiction,
                    anchor_date=anchor,
                    due_date=deadline.due,
                    explanation=explain_stored(data),
                    explanation_data=data,
                )
                new.append((task, rule, registration, subject))
        if not new:
            return created
        try:
            with transaction.atomic():
                Task.objects.bulk_create([task for task, *_rest in new], batch_size=BULK_BATCH)
            made = new
        except IntegrityError:
            # Another transaction made some of these tasks meanwhile: one by one, reading the committed rows.
            made = []
            for task, rule, registration, subject in new:
                fields = {f.attname: getattr(task, f.attname) for f in Task._meta.concrete_fields if not f.primary_key}
                for key in ("rule_id", "subject_type", "subject_id", "period"):
                    fields.pop(key)
                task.pk = None
                row, was_created = Task.objects.get_or_create(
                    rule=rule, subject_type=registration.name, subject_id=subject.pk, period=1, defaults=fields
                )
                if was_created:
                    made.append((row, rule, registration, subject))
        log_actions(
            actor=actor,
            entries=[
                LogEntry(
                    subject=task,
                    verb="created",
                    to_state=task.status,
                    reason=task.explanation,
                    data={"rule": rule.pk, "event": event, "subject": f"{registration.name}:{subject.pk}"},
                )
                for task, rule, registration, subject in made
            ],
        )
        created = [task for task, *_rest in made]
    return created


# How many rows one INSERT of a batch carries, and how many ids one ``IN (...)`` of its lookups.
BULK_BATCH = 2000
LOOKUP_CHUNK = 5000


def _existing_first_tasks(wanted) -> set[tuple[str, int, int]]:
    """(subject type, subject id, rule id) of the first tasks the subjects already have, in a query per subject
    type and ``LOOKUP_CHUNK`` subjects."""
    by_type: dict[str, tuple[set[int], set[int]]] = {}
    for subject, registration, _attributes, matching in wanted:
        ids, rule_ids = by_type.setdefault(registration.name, (set(), set()))
        ids.add(subject.pk)
        rule_ids.update(rule.pk for rule in matching)
    found: set[tuple[str, int, int]] = set()
    for name, (ids, rule_ids) in by_type.items():
        ordered = sorted(ids)
        for i in range(0, len(ordered), LOOKUP_CHUNK):
            rows = Task.objects.filter(
                rule_id__in=rule_ids, subject_type=name, subject_id__in=ordered[i : i + LOOKUP_CHUNK], period=1
            ).values_list("subject_id", "rule_id")
            found.update((name, subject_id, rule_id) for subject_id, rule_id in rows)
    return found


def _cancel_stale_many(stale_of: dict[tuple[str, int], list[ResponsibilityRule]], *, actor) -> None:
    """Cancel the outstanding tasks of the rules each subject no longer matches (one query to find them)."""
    query = Q()
    for (name, subject_id), rules in stale_of.items():
        query |= Q(subject_type=name, subject_id=subject_id, rule__in=rules)
    reason = _("The subject no longer matches the conditions of the rule that made this task.")
    for task in Task.objects.select_for_update().filter(query, status__in=OUTSTANDING_VALUES):
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
