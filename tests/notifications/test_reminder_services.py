"""Reminder services: planning is idempotent and reads only due tasks; a claim is exclusive and expires; a reminder
is sent once, to the right people, or skipped with the reason."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction

from crowdsafe.audit.models import ActionLog
from notifications.choices import DeliveryStatus, MessageKind, ReminderKind, ReminderStatus
from notifications.conf import reminder_policy
from notifications.models import Delivery, Message, Notification, Reminder
from notifications.planning import index_for, wanted_for_dates
from notifications.services import reminders_claim, reminders_plan, reminders_send
from notifications.services.reminders import _insert_portable, _insert_postgresql
from tests.notifications.conftest import at, make_task

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 10, 8)
NOW = at(2026, 9, 30, 9, 5)


def send_all(now) -> list:
    results = []
    for claim in reminders_claim(now=now):
        results.append(reminders_send(reminder_ids=claim.ids, token=claim.token, now=now, enqueue=False))
    return results


def test_planning_twice_makes_one_reminder_per_task_kind_and_moment(city, people):
    task = make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    assert reminders_plan(now=NOW) == 1
    assert reminders_plan(now=NOW) == 0
    reminder = Reminder.objects.get(task=task)
    assert (reminder.kind, reminder.due_at, reminder.status) == ("before", at(2026, 9, 30), "pending")
    # The database refuses a second row for the same key, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(task=task, kind="before", due_at=reminder.due_at, task_due_date=DUE)


def test_planning_reads_only_outstanding_tasks_due_within_the_horizon(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, status="done")
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, status="cancelled")
    make_task(due=dt.date(2026, 10, 20), jurisdiction=city.street, department=city.wenfeng_police)
    assert reminders_plan(now=NOW) == 0


def test_the_portable_insert_plans_what_the_postgresql_one_does(city, people):
    tasks = [
        make_task(due=DUE - dt.timedelta(days=d), jurisdiction=city.street, department=city.wenfeng_police)
        for d in range(0, 30, 3)
    ]
    policy = reminder_policy()
    now = at(2026, 10, 20, 10)
    index = index_for(earliest_due=min(t.due_date for t in tasks), now=now, policy=policy)
    wanted = wanted_for_dates(sorted({t.due_date for t in tasks}), now=now, policy=policy, index=index)
    assert _insert_portable(wanted, now=now) > 0
    planned = set(Reminder.objects.values_list("task_id", "kind", "due_at"))
    Reminder.objects.all().delete()
    inserted = _insert_postgresql(wanted, now=now, claim_limit=0)
    assert sum(len(ids) for ids, _claimed in inserted) == len(planned)
    assert set(Reminder.objects.values_list("task_id", "kind", "due_at")) == planned
    assert _insert_postgresql(wanted, now=now, claim_limit=0) == [([], False)]


def test_a_claim_is_exclusive_until_its_lease_expires(city, people, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 300
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    reminders_plan(now=NOW)
    [first] = reminders_claim(now=NOW)
    assert reminders_claim(now=NOW + dt.timedelta(seconds=299)) == []
    # The worker died: after the lease another claim takes the row, with a new token.
    [second] = reminders_claim(now=NOW + dt.timedelta(seconds=301))
    assert second.ids == first.ids and second.token != first.token
    assert Reminder.objects.get().claims == 2
    # The first worker wakes up: its token is gone, it sends nothing.
    assert reminders_send(reminder_ids=first.ids, token=first.token, now=NOW, enqueue=False).sent == 0
    assert reminders_send(reminder_ids=second.ids, token=second.token, now=NOW, enqueue=False).sent == 1
    # A late duplicate of the second batch (a redelivered broker message) sends nothing either.
    assert reminders_send(reminder_ids=second.ids, token=second.token, now=NOW, enqueue=False).sent == 0
    assert Message.objects.count() == 1
    assert reminders_claim(now=NOW + dt.timedelta(days=1)) == []


def test_a_reminder_reaches_the_responsible_person_once(city, people):
    task = make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, person=people.staff)
    reminders_plan(now=NOW)
    [result] = send_all(NOW)
    assert (result.sent, result.skipped) == (1, 0)
    message = Message.objects.get()
    assert message.kind == MessageKind.REMINDER_BEFORE
    assert message.title == f"Due in 1 working day: {task.duty_name}"
    assert "is due on 2026-10-08" in message.body
    assert message.url == f"/tasks/{task.pk}/"
    assert message.department == city.wenfeng_police
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["u_staff"]
    channels = dict(Delivery.objects.values_list("channel", "status"))
    assert channels == {"in_app": DeliveryStatus.DELIVERED, "email": DeliveryStatus.PENDING}
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.recipient_count, reminder.sent_at) == ("sent", 1, NOW)


def test_without_a_person_the_departments_staff_are_reminded(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    reminders_plan(now=NOW)
    send_all(NOW)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"u_staff", "u_staff2"}


def test_an_organisations_task_reaches_its_people_and_a_townships_its_officers(city, people):
    make_task(due=DUE, jurisdiction=city.street, organisation=city.organisation)
    make_task(due=DUE, jurisdiction=city.street, township=city.street)
    reminders_plan(now=NOW)
    send_all(NOW)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "u_organizer",
        "u_township_officer",
    }


def test_escalations_go_to_the_head_then_the_nearest_leader_and_are_on_the_tasks_timeline(city, people):
    task = make_task(due=DUE, jurisdiction=city.grid, department=city.wenfeng_police, person=people.staff)
    now = at(2026, 10, 14, 9, 30)
    reminders_plan(now=now)
    assert set(Reminder.objects.values_list("kind", flat=True)) == {"overdue", "escalate_head", "escalate_leader"}
    send_all(now)
    by_kind = {
        m.kind: sorted(m.notifications.values_list("recipient__username", flat=True))
        for m in Message.objects.prefetch_related("notifications")
    }
    assert by_kind == {
        MessageKind.REMINDER_OVERDUE: ["u_staff"],
        MessageKind.ESCALATION_HEAD: ["u_head"],
        # 文峰区's leader, not the city's: the nearest territory with a leader.
        MessageKind.ESCALATION_LEADER: ["u_leader"],
    }
    leader_message = Message.objects.get(kind=MessageKind.ESCALATION_LEADER)
    assert leader_message.urgent
    assert leader_message.title.startswith("Escalation to the leader: Overdue by 5 working days")
    verbs = list(ActionLog.objects.filter(subject_id=task.pk, verb="escalated").values_list("to_state", flat=True))
    assert sorted(verbs) == ["escalate_head", "escalate_leader"]


def test_a_reminder_for_a_task_closed_or_moved_meanwhile_is_skipped_with_the_reason(city, people):
    closed = make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    moved = make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    reminders_plan(now=NOW)
    [claim] = reminders_claim(now=NOW)
    closed.status, closed.completed_at = "done", NOW
    closed.save()
    moved.due_date = DUE + dt.timedelta(days=7)
    moved.save()
    result = reminders_send(reminder_ids=claim.ids, token=claim.token, now=NOW, enqueue=False)
    assert (result.sent, result.skipped) == (0, 2)
    notes = dict(Reminder.objects.values_list("task_id", "note"))
    assert notes[closed.pk] == "The task was closed before the reminder was sent."
    assert notes[moved.pk] == "The task's deadline changed after the reminder was planned."
    assert Message.objects.count() == 0


def test_after_an_outage_only_the_latest_reminder_goes_out(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police, person=people.staff)
    reminders_plan(now=at(2026, 9, 28, 9, 1))  # planned on Monday; the workers were down
    reminders_plan(now=at(2026, 9, 30, 9, 1))  # and again on Wednesday
    send_all(at(2026, 9, 30, 9, 2))
    statuses = dict(Reminder.objects.values_list("due_at", "status"))
    assert statuses == {at(2026, 9, 28): ReminderStatus.SKIPPED, at(2026, 9, 30): ReminderStatus.SENT}
    assert Reminder.objects.get(status="skipped").note == "A later reminder of the same task replaced it."


def test_an_escalation_with_no_head_on_record_goes_to_the_territory_leader_and_says_so(city, people):
    """Issue 14 (never silent): no head on record → the territory's leader at once, instead of a skip."""
    make_task(due=DUE, jurisdiction=city.street, department=city.beiguan_police)
    now = at(2026, 10, 10, 9, 30)
    reminders_plan(now=now)
    send_all(now)
    head = Reminder.objects.get(kind=ReminderKind.ESCALATE_HEAD)
    assert (head.status, head.note) == (
        "sent",
        "No head of the holding department on record. Escalated to the territory's leader instead.",
    )
    assert head.message.notifications.get().recipient == people.leader
    assert head.message.urgent


def test_with_no_leader_either_the_reminder_is_skipped_and_says_so(city, people):
    from crowdsafe.org.models import Membership

    Membership.objects.filter(role="leader").delete()
    make_task(due=DUE, jurisdiction=city.street, department=city.beiguan_police)
    now = at(2026, 10, 10, 9, 30)
    reminders_plan(now=now)
    send_all(now)
    head = Reminder.objects.get(kind=ReminderKind.ESCALATE_HEAD)
    assert (head.status, head.note) == ("skipped", "No head of the holding department on record.")


def test_a_message_cannot_be_written_twice_for_one_reminder(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    reminders_plan(now=NOW)
    send_all(NOW)
    reminder = Reminder.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(kind="reminder_before", title="again", reminder=reminder)


def test_a_claim_for_unknown_ids_or_a_wrong_token_sends_nothing(city, people):
    make_task(due=DUE, jurisdiction=city.street, department=city.wenfeng_police)
    reminders_plan(now=NOW)
    [claim] = reminders_claim(now=NOW)
    assert reminders_send(reminder_ids=claim.ids, token=uuid.uuid4(), now=NOW, enqueue=False).sent == 0
    assert reminders_send(reminder_ids=[0], token=claim.token, now=NOW, enqueue=False).sent == 0
    assert Reminder.objects.get().status == "claimed"


def test_a_reminder_with_nobody_on_record_to_receive_it_escalates_to_the_leader_and_says_who(city, people):
    """Issue 14: escalated at once to the territory's leader (here the city's: 北关区 has none), saying so."""
    make_task(due=DUE, jurisdiction=city.beiguan_street, department=city.beiguan_police)
    make_task(due=DUE, jurisdiction=city.beiguan_street)
    reminders_plan(now=NOW)
    send_all(NOW)
    notes = sorted(Reminder.objects.values_list("note", flat=True))
    assert notes == [
        "Nobody holds this task: no one to remind. Escalated to the territory's leader instead.",
        "Nobody of 安阳市公安局北关分局 is on record to remind. Escalated to the territory's leader instead.",
    ]
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
    assert {n.recipient for r in Reminder.objects.all() for n in r.message.notifications.all()} == {people.city_leader}
