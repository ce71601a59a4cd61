"""Reminders of task deadlines: planned by the scan, claimed for a lease, sent once by a worker.

Exactly once, step by step (the races each step closes are named where they are closed):

1. ``reminders_plan`` inserts the reminders that have fallen due (see ``notifications.planning``) with
   INSERT … ON CONFLICT DO NOTHING on the unique key (task, kind, due moment): planning twice, or from two scans
   at once, makes one row.
2. ``reminders_claim`` takes due rows with SELECT … FOR UPDATE SKIP LOCKED and marks them *claimed* with a fresh
   token and a lease, in a short transaction; the scan then hands each batch to a worker (ids + token). The row,
   not the broker message, is the truth: a lost or duplicated message, a worker killed with SIGKILL, a broker
   that redelivers an unacknowledged message an hour later — none of them loses or doubles a reminder.
3. ``reminders_send`` locks the batch's rows, keeps only those still claimed *with its token*, writes the
   messages, inbox rows and deliveries, and marks the rows sent — all in one transaction. A worker that dies
   before the commit leaves the rows claimed; when the lease expires the next scan claims them again with a
   new token. A sent row is never claimed again, and ``Message.reminder`` is one-to-one: even a bug could not
   write a reminder's message twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crowdsafe.audit.services import log_action
from duties.choices import OUTSTANDING_VALUES
from duties.models import Task
from notifications.calendar import WorkdayIndex
from notifications.choices import ESCALATIONS, RECURRING, REMINDER_MESSAGE_KIND, ReminderKind, ReminderStatus
from notifications.conf import lease, reminder_policy
from notifications.models import Message, Reminder
from notifications.planning import Wanted, horizon, index_for, wanted_for_dates
from notifications.recipients import fallback_leaders, reminder_recipients
from notifications.services.dispatch import Outgoing, department_webhooks, fan_out, robot_posts
from notifications.texts import reminder_text

PLAN_CHUNK = 1000  # wanted rows per INSERT … SELECT statement
CLAIM_CHUNK = 1000  # rows per claiming transaction


@dataclass(frozen=True)
class Claim:
    """Reminders (or deliveries) claimed together: their ids and the token that proves the claim."""

    token: uuid.UUID
    ids: list[int]


# --- planning -----------------------------------------------------------------------------------------------


def _wanted(now: dt.datetime) -> list[Wanted]:
    """The reminders every outstanding task should have by ``now`` (see ``notifications.planning``).

    Reads only the outstanding tasks due up to the planning horizon (``planning.horizon``: a few working days
    ahead), by the partial index ``duties_task_open_due_idx`` on (due_date, id) WHERE status is outstanding — an
    index-only range scan whatever the number of open tasks further ahead."""
    policy = reminder_policy()
    outstanding = Task.objects.filter(status__in=OUTSTANDING_VALUES)
    earliest = outstanding.aggregate(earliest=Min("due_date"))["earliest"]
    if earliest is None:
        return []
    index = index_for(earliest_due=earliest, now=now, policy=policy)
    bound = horizon(now=now, policy=policy, index=index)
    due_dates = list(
        outstanding.filter(due_date__lte=bound).order_by("due_date").values_list("due_date", flat=True).distinct()
    )
    return wanted_for_dates(due_dates, now=now, policy=policy, index=index)


def reminders_plan(*, now: dt.datetime | None = None) -> int:
    """Insert the reminders that have fallen due by ``now`` for every outstanding task, waiting to be claimed;
    returns how many were new. Idempotent."""
    now = now or timezone.now()
    wanted = _wanted(now)
    if not wanted:
        return 0
    if connection.vendor == "postgresql":
        return sum(len(ids) for ids, _claimed in _insert_postgresql(wanted, now=now, claim_limit=0))
    return _insert_portable(wanted, now=now)


def reminders_plan_and_claim(*, now: dt.datetime | None = None, limit: int = 20000) -> tuple[int, list[Claim]]:
    """What the scan does: plan, and claim at once what it planned (every reminder it plans is due — it plans
    nothing ahead of its time), up to ``limit``; beyond that, the rest waits for the next scan's claim. On
    PostgreSQL the rows are inserted already claimed, one write per reminder instead of an insert and a claim
    update; a concurrent scan that planned the same rows inserted nothing (ON CONFLICT), so it holds no claim on
    them. Returns (how many were planned, the claims)."""
    now = now or timezone.now()
    wanted = _wanted(now)
    if not wanted:
        return 0, []
    if connection.vendor == "postgresql":
        token = uuid.uuid4()
        chunks = _insert_postgresql(wanted, now=now, claim_limit=limit, token=token)
        claimed = [pk for ids, is_claimed in chunks for pk in ids if is_claimed]
        planned = sum(len(ids) for ids, _is_claimed in chunks)
        return planned, ([Claim(token=token, ids=claimed)] if claimed else [])
    return _insert_portable(wanted, now=now), []


def plan_statement(chunk: list[Wanted], *, now: dt.datetime, token: uuid.UUID | None = None) -> tuple[str, list]:
    """The INSERT … SELECT that plans one chunk of wanted reminders on PostgreSQL (the benchmark EXPLAINs it):
    the tasks of the chunk's due dates joined with the reminders each date wants, minus those already planned
    (NOT EXISTS on the unique key's index, so a scan that finds nothing new writes nothing), ON CONFLICT DO NOTHING
    for a concurrent scan that planned the same rows a moment earlier (the second INSERT waits for the first's
    commit, then skips the row). The tasks are read by the partial index on outstanding tasks by due date. With a
    ``token`` the rows are inserted claimed by it, for a lease. Returns the new rows' ids."""
    reminders, tasks = Reminder._meta.db_table, Task._meta.db_table
    values = ", ".join(["(%s::date, %s::varchar, %s::timestamptz)"] * len(chunk))
    params: list = [value for row in chunk for value in (row.due_date, row.kind, row.due_at)]
    # The rows to insert are all found before the first is inserted: the ORDER BY's sort reads every row of
    # ``fresh`` first. Otherwise the anti-join would run row by row against the table this very statement is
    # filling — and with the planner trusting the statistics of an empty reminder table (a new installation, the
    # day the first reminders fall due), as a sequential scan per row: quadratic (4 s for 13,000 reminders).
    sql = f"""
        WITH wanted (due_date, kind, due_at) AS (VALUES {values}),
        fresh AS MATERIALIZED (
            SELECT t.id AS task_id, w.kind, w.due_at, t.due_date
            FROM {tasks} t JOIN wanted w ON w.due_date = t.due_date
            WHERE t.status IN %s AND t.due_date >= %s AND t.due_date <= %s
              AND NOT EXISTS (
                  SELECT 1 FROM {reminders} r WHERE r.task_id = t.id AND r.kind = w.kind AND r.due_at = w.due_at
              )
        )
        INSERT INTO {reminders} (
            task_id, kind, due_at, task_due_date, status, claim_token, lease_expires_at, claims, recipient_count,
            note, created_at
        )
        SELECT task_id, kind, due_at, due_date, %s, %s::uuid, %s::timestamptz, %s, 0, '', %s
        FROM fresh ORDER BY task_id, kind, due_at
        ON CONFLICT (task_id, kind, due_at) DO NOTHING
        RETURNING id
    """
    params += [
        tuple(OUTSTANDING_VALUES),
        min(row.due_date for row in chunk),
        max(row.due_date for row in chunk),
        (ReminderStatus.CLAIMED if token else ReminderStatus.PENDING).value,
        str(token) if token else None,
        now + lease() if token else None,
        1 if token else 0,
        now,
    ]
    return sql, params


def _insert_postgresql(
    wanted: list[Wanted], *, now: dt.datetime, claim_limit: int, token: uuid.UUID | None = None
) -> list[tuple[list[int], bool]]:
    """One INSERT … SELECT per chunk of wanted reminders (``plan_statement``); chunks are inserted claimed by
    ``token`` while fewer than ``claim_limit`` rows have been. Returns (ids, claimed) per chunk."""
    chunks: list[tuple[list[int], bool]] = []
    claimed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), PLAN_CHUNK):
            claim = token is not None and claimed < claim_limit
            cursor.execute(*plan_statement(wanted[start : start + PLAN_CHUNK], now=now, token=token if claim else None))
            ids = [row[0] for row in cursor.fetchall()]
            if claim:
                claimed += len(ids)
            chunks.append((ids, claim))
    return chunks


def _insert_portable(wanted: list[Wanted], *, now: dt.datetime) -> int:
    """The same with the ORM, for SQLite (local development): read the tasks, drop what exists, insert the rest
    ignoring conflicts."""
    by_date: dict[dt.date, list[Wanted]] = {}
    for row in wanted:
        by_date.setdefault(row.due_date, []).append(row)
    dates = sorted(by_date)
    inserted = 0
    for start in range(0, len(dates), 200):
        chunk = dates[start : start + 200]
        pairs = list(
            Task.objects.filter(status__in=OUTSTANDING_VALUES, due_date__in=chunk).values_list("id", "due_date")
        )
        if not pairs:
            continue
        moments = sorted({row.due_at for d in chunk for row in by_date[d]})
        existing = set(
            Reminder.objects.filter(task_id__in=[pk for pk, _d in pairs], due_at__in=moments).values_list(
                "task_id", "kind", "due_at"
            )
        )
        rows = [
            Reminder(task_id=pk, kind=row.kind, due_at=row.due_at, task_due_date=due, created_at=now)
            for pk, due in pairs
            for row in by_date[due]
            if (pk, row.kind, row.due_at) not in existing
        ]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        inserted += len(rows)
    return inserted


# --- claiming -----------------------------------------------------------------------------------------------


def reminders_claim(
    *, now: dt.datetime | None = None, limit: int = 20000, ids: Sequence[int] | None = None
) -> list[Claim]:
    """Claim due reminders — waiting ones due by ``now`` and claimed ones whose lease has expired — in chunks, each
    under a new token and a lease of ``NOTIFICATIONS_CLAIM_LEASE_SECONDS``. Returns the claims (token + ids)."""
    now = now or timezone.now()
    claims: list[Claim] = []
    remaining = limit
    while remaining > 0:
        size = min(CLAIM_CHUNK, remaining)
        with transaction.atomic():
            due = Q(status=ReminderStatus.PENDING, due_at__lte=now) | Q(
                status=ReminderStatus.CLAIMED, lease_expires_at__lt=now
            )
            qs = Reminder.objects.filter(due)
            if ids is not None:
                qs = qs.filter(pk__in=list(ids))
            # The race: two scans claiming at once. FOR UPDATE SKIP LOCKED hands each the rows the other has not
            # locked, so no row is claimed twice at the same time, and neither waits for the other. A row being
            # sent right now is locked by its worker (``reminders_send``) and skipped here even if its lease has
            # just expired: it is about to be marked sent.
            picked = list(
                qs.select_for_update(skip_locked=True).order_by("due_at", "id").values_list("id", flat=True)[:size]
            )
            if not picked:
                break
            token = uuid.uuid4()
            Reminder.objects.filter(pk__in=picked).update(
                status=ReminderStatus.CLAIMED,
                claim_token=token,
                lease_expires_at=now + lease(),
                claims=F("claims") + 1,
            )
        claims.append(Claim(token=token, ids=picked))
        remaining -= len(picked)
        if len(picked) < size:
            break
    return claims


# --- sending ------------------------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    skipped: int = 0
    delivery_ids: list[int] = field(default_factory=list)


NO_ONE = {
    ReminderKind.ESCALATE_HEAD: gettext_lazy("No head of the holding department on record."),
    ReminderKind.ESCALATE_LEADER: gettext_lazy("No leader on record for the territory."),
}


def reminders_send(
    *, reminder_ids: Sequence[int], token: uuid.UUID | str, now: dt.datetime | None = None, enqueue: bool = True
) -> SendResult:
    """Send the reminders of one claim (ids + token): one message each to its recipients, in one transaction.

    Reminders no longer worth sending are marked skipped, with the reason: the task was closed, its deadline
    moved, a later reminder of the same task has come due (a backlog after an outage sends the latest only), or
    nobody holds the role it goes to (no department head on record)."""
    now = now or timezone.now()
    token = uuid.UUID(str(token))
    result = SendResult()
    with transaction.atomic():
        # The race: this worker, and a scan that found the lease expired and claimed these rows again for another
        # worker. The row lock serialises them and the token decides: if the other claim came first, the rows
        # carry its token and are not selected here; if this lock came first, the other claim skips the locked
        # rows, and after this commit they are sent. Either way each reminder is sent by one worker only.
        reminders = list(
            Reminder.objects.select_for_update(of=("self",))
            .filter(pk__in=list(reminder_ids), status=ReminderStatus.CLAIMED, claim_token=token)
            .select_related(
                "task__responsible_department",
                "task__responsible_organisation",
                "task__responsible_jurisdiction",
                "task__responsible_person",
            )
            .order_by("id")
        )
        if not reminders:
            return result
        today = timezone.localdate(now)
        task_ids = sorted({r.task_id for r in reminders})
        latest = dict(
            Reminder.objects.filter(task_id__in=task_ids, kind__in=RECURRING)
            .values("task_id")
            .annotate(latest=Max("due_at"))
            .values_list("task_id", "latest")
        )
        dues = [r.task.due_date for r in reminders]
        index = WorkdayIndex(
            min(min(dues), today) - dt.timedelta(days=45), max(max(dues), today) + dt.timedelta(days=45)
        )
        recipients = reminder_recipients(reminders)
        hooks = department_webhooks(r.task.responsible_department_id for r in reminders)
        task_type = ContentType.objects.get_for_model(Task)
        outgoing: list[Outgoing] = []
        for reminder in reminders:
            task = reminder.task
            reminder.status = ReminderStatus.SKIPPED
            if not task.is_outstanding:
                reminder.note = _("The task was closed before the reminder was sent.")
                continue
            if task.due_date != reminder.task_due_date:
                reminder.note = _("The task's deadline changed after the reminder was planned.")
                continue
            if reminder.kind in RECURRING and latest.get(task.pk, reminder.due_at) > reminder.due_at:
                reminder.note = _("A later reminder of the same task replaced it.")
                continue
            title, body = reminder_text(reminder, today=today, index=index)
            message = Message(
                kind=REMINDER_MESSAGE_KIND[ReminderKind(reminder.kind)],
                title=title[:255],
                body=body,
                url=reverse("duties:detail", args=[task.pk]),
                urgent=reminder.kind == ReminderKind.ESCALATE_LEADER,
                reminder=reminder,
                subject_type=task_type,
                subject_id=task.pk,
                subject_label=str(task)[:255],
                department_id=task.responsible_department_id,
            )
            users = recipients.get(reminder.pk, [])
            robots = [h for h in hooks.get(task.responsible_department_id, []) if robot_posts(h, message)]
            note = ""
            if not users and not robots:
                if reminder.kind in NO_ONE:
                    why = str(NO_ONE[reminder.kind])
                elif task.is_unassigned:
                    why = _("Nobody holds this task: no one to remind.")
                else:
                    why = _("Nobody of %(holder)s is on record to remind.") % {"holder": task.holder_label}
                # Never silent: nobody of the holder (or no head) can be reached, so the territory's leader is told
                # at once, saying so. Only an escalation already meant for the leaders, with none, is skipped.
                users = fallback_leaders(task) if reminder.kind != ReminderKind.ESCALATE_LEADER else []
                if not users:
                    reminder.note = why
                    continue
                note = _("%(why)s Escalated to the territory's leader instead.") % {"why": why}
                message.title = (_("Nobody can be reminded: %(title)s") % {"title": title})[:255]
                message.body = f"{note} {body}"
                message.urgent = True
                message.kind = REMINDER_MESSAGE_KIND[ReminderKind.ESCALATE_LEADER]
            reminder.status = ReminderStatus.SENT
            reminder.sent_at = now
            reminder.recipient_count = len(users) + len(robots)
            reminder.note = note[:255]
            outgoing.append(
                Outgoing(
                    message=message,
                    users=users,
                    webhooks=robots,
                    digestible=reminder.kind not in ESCALATIONS and not note,
                )
            )
        result.delivery_ids = fan_out(outgoing, now=now, enqueue=enqueue)
        # One UPDATE per distinct outcome (most reminders share one), not a CASE per row.
        outcomes: dict[tuple, list[int]] = {}
        for reminder in reminders:
            key = (reminder.status, reminder.sent_at, reminder.recipient_count, reminder.note)
            outcomes.setdefault(key, []).append(reminder.pk)
        for (status, sent_at, count, note), ids in outcomes.items():
            Reminder.objects.filter(pk__in=ids).update(status=status, sent_at=sent_at, recipient_count=count, note=note)
        for item in outgoing:
            reminder = item.message.reminder
            if reminder.kind in ESCALATIONS or reminder.note:
                log_action(
                    actor=None,
                    subject=reminder.task,
                    verb="escalated",
                    to_state=reminder.kind,
                    reason=item.message.title,
                    data={
                        "reminder": reminder.pk,
                        "recipients": [user.display_name for user in item.users],
                        "robots": [hook.name for hook in item.webhooks],
                    },
                )
        result.sent = len(outgoing)
        result.skipped = len(reminders) - len(outgoing)
    return result
