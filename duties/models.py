"""The responsibility engine's tables: rules (data the city admin edits) and the tasks they make."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import BooleanField, F, Func, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase

from crowdsafe.common.files import StoredFile
from crowdsafe.common.scoping import ScopedQuerySet
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from crowdsafe.workdays.choices import DeadlineUnit
from duties.choices import (
    EVENT_MATCHES,
    OUTSTANDING_VALUES,
    Basis,
    DeadlineAnchor,
    PartyKind,
    SubjectKind,
    TaskStatus,
    TriggerEvent,
)
from duties.conditions import ATTRIBUTE_RE, validate_conditions

MAX_DEADLINE_DAYS = 3650  # the working-day calendar computes at most ten years ahead
MAX_RECURRENCE_MONTHS = 120


class ResponsibilityRule(models.Model):
    """A responsibility rule (责任规则): when a subject of some type meets the conditions at an event, a duty
    falls on a party, on a basis (谁主办谁负责, 谁审批谁监管, 谁的场地谁负责, 属地管理, 管行业必须管安全), due a
    number of working or calendar days after a named moment, and — for periodic duties — again every so many
    months after each completion.

    Rules are data, not code: each city divides duties a little differently, so the city administrator edits
    them in the admin. The defaults are seeded from the division of duties in the notices (migration 0002).
    Deactivate a rule rather than delete it: its tasks keep pointing at it.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    # A stable handle for code (``permits.acceptance_review``): domain services settle the tasks of their own
    # steps by key (``tasks_settle``), so an admin may rename a rule without breaking them. Empty for rules an
    # admin adds by hand.
    key = models.CharField(
        _("key"),
        max_length=80,
        validators=[RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", _("Use lower-case letters, digits, _ and dots."))],
        null=True,
        blank=True,
        unique=True,
        help_text=_("A fixed identifier that the platform's own steps refer to; leave empty for your own rules."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    subject_type = models.CharField(_("subject type"), max_length=32, choices=SubjectKind.choices)
    event = models.CharField(_("event"), max_length=20, choices=TriggerEvent.choices, default=TriggerEvent.SAVED)
    conditions = models.JSONField(
        _("conditions"),
        default=dict,
        blank=True,
        help_text=_(
            "A JSON object; every entry must hold. Keys are attributes of the subject, optionally with __in, "
            '__gte or __lte: {"kind__in": ["scenic_area", "park"]}, {"state": "submitted"}, '
            '{"risk_level__gte": "orange"}. Empty: always.'
        ),
    )
    duty_name = models.CharField(_("duty"), max_length=200)
    duty_description = models.TextField(_("duty description"), blank=True)
    party_kind = models.CharField(_("responsible party"), max_length=20, choices=PartyKind.choices)
    department_kind = models.CharField(
        _("department kind"),
        max_length=32,
        choices=DepartmentKind.choices,
        blank=True,
        help_text=_("For a department party: the kind of department responsible."),
    )
    department_level = models.CharField(
        _("department level"),
        max_length=16,
        choices=JurisdictionLevel.choices,
        blank=True,
        help_text=_(
            "For a department party: start looking at this level (e.g. city for events of 5,000 or more). "
            "Empty: at the subject's own jurisdiction. Either way the nearest level above is used when a level "
            "has no active department of the kind."
        ),
    )
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline (days)"), validators=[MaxValueValidator(MAX_DEADLINE_DAYS)]
    )
    deadline_unit = models.CharField(
        _("deadline unit"), max_length=16, choices=DeadlineUnit.choices, default=DeadlineUnit.CALENDAR_DAYS
    )
    deadline_from = models.CharField(
        _("counted from"), max_length=16, choices=DeadlineAnchor.choices, default=DeadlineAnchor.EVENT
    )
    deadline_attribute = models.CharField(
        _("date attribute"),
        max_length=64,
        blank=True,
        help_text=_(
            "When counted from a date of the subject: the attribute's name, e.g. special_equipment_next_inspection."
        ),
    )
    recurrence_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RECURRENCE_MONTHS)],
        help_text=_("For a periodic duty: the next task is due this many months after the previous one is completed."),
    )
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("The notice and clause the rule comes from.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("responsibility rule")
        verbose_name_plural = _("responsibility rules")
        ordering = ["subject_type", "name"]
        indexes = [models.Index(fields=["subject_type", "event", "is_active"], name="duties_rule_trigger_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(party_kind=PartyKind.DEPARTMENT) & ~Q(department_kind=""))
                | (~Q(party_kind=PartyKind.DEPARTMENT) & Q(department_kind="", department_level="")),
                name="duties_rule_department_kind_iff_department_party",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            validate_conditions(self.conditions)
        except ValidationError as exc:
            errors["conditions"] = exc.messages
        if self.party_kind == PartyKind.DEPARTMENT and not self.department_kind:
            errors["department_kind"] = [_("Choose the kind of department responsible.")]
        if self.party_kind and self.party_kind != PartyKind.DEPARTMENT:
            if self.department_kind:
                errors["department_kind"] = [_("Only a department party has a department kind.")]
            if self.department_level:
                errors["department_level"] = [_("Only a department party has a department level.")]
        if self.deadline_from == DeadlineAnchor.ATTRIBUTE:
            if not self.deadline_attribute:
                errors["deadline_attribute"] = [_("Name the date attribute the deadline is counted from.")]
            elif not ATTRIBUTE_RE.match(self.deadline_attribute):
                errors["deadline_attribute"] = [
                    _("An attribute name is lower-case letters, digits and single underscores.")
                ]
        elif self.deadline_attribute:
            errors["deadline_attribute"] = [
                _("A date attribute is only used when counting from a date of the subject.")
            ]
        if errors:
            raise ValidationError(errors)

    def matches_event(self, event: str) -> bool:
        return self.event in EVENT_MATCHES.get(event, ())


class TaskQuerySet(ScopedQuerySet["Task"]):
    visibility_rule = "duties.access.task_visible_q"

    # Set by ``read_rows_by_branch`` on the one queryset it returns; clones (a further filter, order or slice)
    # do not inherit them, so a queryset changed afterwards is read as written.
    _branch_reads: tuple[models.QuerySet[Task], ...] = ()
    _branch_rows: models.QuerySet[Task] | None = None

    def read_rows_by_branch(self, reads: Iterable[models.QuerySet[Task]], *, rows: models.QuerySet[Task]) -> Self:
        """This queryset, whose slices (a page of rows: ``Paginator``, DRF's pagination, ``[:5]``) are read branch
        by branch. ``reads``: this queryset's rows split by branch of the visibility rule (``task_visible_branches``),
        each with the same filters and the same total order, together covering it. ``rows``: this queryset's joins,
        annotations and order without its conditions.

        Why: PostgreSQL cannot read an OR of holders ("my department OR me") in due order from the holders' own
        indexes. For a department's queue at a million tasks it walked the city's outstanding tasks by due date and
        discarded ~8,650 of them to keep 50 (20–25 ms; 0.5 ms at 10,000). The slice ``[start:stop]`` is instead
        ``rows`` where ``id IN ((the first stop ids of read 1) UNION ALL (… of read 2) …)``, ordered and sliced:
        each read is an ordered, limited scan of its holder's index, and the outer query joins and sorts at most
        ``stop`` rows per read (it repeats none of the conditions: they would only blur the planner's estimate of
        those few rows). Same rows in the same order: a row among this queryset's first ``stop`` is among the first
        ``stop`` of each read that holds it, and every id read satisfies this queryset's conditions; a row in two
        reads is one row (``IN``). The count and every other use of the queryset are unchanged."""
        clone = self._chain()
        clone._branch_reads = tuple(reads)
        clone._branch_rows = rows
        return clone

    # Set by ``count_from`` and ``read_pages_from`` on the one queryset each returns (not inherited by clones, as
    # above; each keeps what the other set).
    _count_from: Callable[[], int] | None = None
    _pages_from: Callable[[int, int], list[Task]] | None = None

    def count_from(self, count: Callable[[], int]) -> Self:
        """This queryset (its branch reads kept), whose ``count()`` is ``count()``: the same number read another way
        (the task queue's outstanding tasks from the counters, ``duties.selectors.queue_counts``)."""
        clone = self._kept()
        clone._count_from = count
        return clone

    def read_pages_from(self, read: Callable[[int, int], list[Task]]) -> Self:
        """This queryset, whose slices ``[start:stop]`` are ``read(start, stop)``: the same rows read another way
        (the task queue as it opens, by a statement compiled once: ``duties.selectors._QUEUE_PAGE``)."""
        clone = self._kept()
        clone._pages_from = read
        return clone

    def _kept(self) -> Self:
        clone = self._chain()
        clone._branch_reads, clone._branch_rows = self._branch_reads, self._branch_rows
        clone._count_from, clone._pages_from = self._count_from, self._pages_from
        return clone

    def count(self) -> int:
        if self._count_from is not None and self._result_cache is None:
            return self._count_from()
        return super().count()

    def __getitem__(self, k):
        reads, rows = self._branch_reads, self._branch_rows
        a_page = (
            isinstance(k, slice)
            and k.step is None
            and isinstance(k.stop, int)
            and k.stop > (k.start or 0) >= 0
            and self._result_cache is None
        )
        if a_page and self._pages_from is not None:
            return self._pages_from(k.start or 0, k.stop)
        if (
            a_page
            and reads
            and rows is not None
            and connections[self.db].vendor == "postgresql"  # ANY(ARRAY(…)), ordered and limited UNION parts
        ):
            firsts = [read.values_list("pk", flat=True)[: k.stop] for read in reads]
            ids = Subquery(firsts[0].union(*firsts[1:], all=True))
            # id = ANY(ARRAY(…)): the ids are read once (an InitPlan) and probed in the primary key. As an
            # ``id IN (…)`` they are one more relation of the join search, and planning took twice as long.
            any_id = Func(
                F("pk"), ids, arg_joiner=" = ANY(ARRAY", template="%(expressions)s)", output_field=BooleanField()
            )
            return rows.filter(any_id)[k]
        return super().__getitem__(k)


class Task(models.Model):
    """A duty (任务): what must be done, about which subject (venue, gathering, permit, hazard, drill …), by
    which department, organisation or township and which person, by when, and which rule put it there.

    Made only by rules (``duties.services.tasks_evaluate``), never by hand. It carries its own explanation,
    written when it was made ("assigned to 梅河口市消防救援大队 by rule … (谁审批谁监管), due 2026-12-04 (7 days
    after 2026-11-27)"), and a copy of the rule's duty, so that a later edit of the rule does not rewrite what
    was asked. ``jurisdiction_path`` is the subject's territory, denormalised for the indexed prefix match of
    territorial scoping (属地).

    At most one holder: a department, an organisation (organizer / venue operator) or a township jurisdiction
    (the territorial duty of a township with no township-government department). A task with none is
    *unassigned*: its rule found no party; it is listed on the rules health page until reassigned.
    """

    subject_type = models.CharField(_("subject type"), max_length=32, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject"), max_length=255)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, editable=False)
    rule = models.ForeignKey(ResponsibilityRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="tasks")
    # Occurrence number of the rule's duty for this subject: 1 for the first, 2 for the task made when the
    # first of a periodic duty was completed, and so on. Part of the dedupe key.
    period = models.PositiveIntegerField(_("occurrence"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous occurrence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    event = models.CharField(_("event"), max_length=20, choices=TriggerEvent.choices)
    duty_name = models.CharField(_("duty"), max_length=200)
    duty_description = models.TextField(_("duty description"), blank=True)
    basis = models.CharField(_("basis"), max_length=20, choices=Basis.choices)
    party_kind = models.CharField(_("responsible party"), max_length=20, choices=PartyKind.choices)
    responsible_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    responsible_organisation = models.ForeignKey(
        "org.Organisation",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    responsible_jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("responsible township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    anchor_date = models.DateField(_("counted from"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    explanation = models.TextField(_("explanation"))
    # The facts the explanation is made of, so that it can be shown in the reader's language.
    explanation_data = models.JSONField(_("explanation data"), default=dict, blank=True)
    completion_note = models.TextField(_("completion note"), blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_date", "id"]
        constraints = [
            # The dedupe key: evaluating the rules for a subject twice, or from two requests at once, makes one
            # task per (rule, subject, occurrence). ``tasks_evaluate`` relies on it (INSERT … then re-read).
            models.UniqueConstraint(fields=["rule", "subject_type", "subject_id", "period"], name="duties_task_dedupe"),
            models.CheckConstraint(
                condition=~Q(responsible_department__isnull=False, responsible_organisation__isnull=False)
                & ~Q(responsible_department__isnull=False, responsible_jurisdiction__isnull=False)
                & ~Q(responsible_organisation__isnull=False, responsible_jurisdiction__isnull=False),
                name="duties_task_one_holder",
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.DONE) | Q(completed_at__isnull=False),
                name="duties_task_done_has_completed_at",
            ),
        ]
        indexes = [
            # A department's queue: its outstanding tasks by due date (the default view), and any status.
            models.Index(
                fields=["responsible_department", "due_date", "id"],
                condition=Q(status__in=OUTSTANDING_VALUES),
                name="duties_task_dept_open_idx",
            ),
            models.Index(fields=["responsible_department", "status", "due_date"], name="duties_task_dept_status_idx"),
            # A township's own outstanding tasks by due date (what it holds itself, territorial duties): the "assigned
            # to me" part of a township officer's queue and home panel, read like a department's.
            models.Index(
                fields=["responsible_jurisdiction", "due_date", "id"],
                condition=Q(status__in=OUTSTANDING_VALUES),
                name="duties_task_township_open_idx",
            ),
            # A department's done tasks, last completed first (the queue's "done" view, ``?status=done``; the overview's
            # "done in the last 30 days" links add ``completed_at >=``): an ordered, limited read of this index, read
            # backwards. Without it the queue sorted every done task of the department (~14 ms at a million tasks).
            models.Index(
                fields=["responsible_department", "completed_at", "id"],
                condition=Q(status=TaskStatus.DONE),
                name="duties_task_dept_done_idx",
            ),
            # Territorial scoping (属地): LIKE 'prefix%' on the path, whatever the database collation. The
            # partial one covers the overview's outstanding counts with an index-only scan.
            models.Index(
                fields=["jurisdiction_path"],
                opclasses=["varchar_pattern_ops"],
                name="duties_task_path_idx",
            ),
            models.Index(
                fields=["jurisdiction_path"],
                opclasses=["varchar_pattern_ops"],
                condition=Q(status__in=OUTSTANDING_VALUES),
                include=["due_date", "responsible_department", "responsible_jurisdiction", "responsible_organisation"],
                name="duties_task_path_open_idx",
            ),
            models.Index(
                fields=["jurisdiction_path", "completed_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                condition=Q(status=TaskStatus.DONE),
                include=["responsible_department", "responsible_jurisdiction", "responsible_organisation"],
                name="duties_task_path_done_idx",
            ),
            # Queues over a large territory read the earliest due outstanding tasks first.
            models.Index(
                fields=["due_date", "id"], condition=Q(status__in=OUTSTANDING_VALUES), name="duties_task_open_due_idx"
            ),
            # The tasks done since a moment, whatever their place: the overview reads the part of a day its
            # counters cannot split (``duties.counts``), for a whole city, from this index alone.
            models.Index(
                fields=["completed_at"],
                condition=Q(status=TaskStatus.DONE),
                include=[
                    "jurisdiction_path",
                    "responsible_department",
                    "responsible_jurisdiction",
                    "responsible_organisation",
                ],
                name="duties_task_done_at_idx",
            ),
            models.Index(fields=["subject_type", "subject_id"], name="duties_task_subject_idx"),
            # "What is assigned to my department" for a domain list (gatherings, permits a department works on):
            # the subjects of one type a department holds tasks about, read from the index alone.
            models.Index(
                fields=["responsible_department", "subject_type", "subject_id"], name="duties_task_dept_subject_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duty_name} · {self.subject_label}"

    # Guards (pretix's ``cancel_allowed()``): the services check these under the row lock.
    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_VALUES

    def can_start(self) -> bool:
        return self.status == TaskStatus.OPEN

    def can_complete(self) -> bool:
        return self.is_outstanding

    def can_reassign(self) -> bool:
        return self.is_outstanding

    def can_cancel(self) -> bool:
        return self.is_outstanding

    @property
    def is_unassigned(self) -> bool:
        return not (
            self.responsible_department_id or self.responsible_organisation_id or self.responsible_jurisdiction_id
        )

    def overdue_on(self, today: dt.date) -> bool:
        return self.is_outstanding and self.due_date < today

    @property
    def holder(self):
        """The department, organisation or township that holds the task (None when unassigned)."""
        return self.responsible_department or self.responsible_organisation or self.responsible_jurisdiction

    @property
    def holder_label(self) -> str:
        holder = self.holder
        return str(holder) if holder is not None else str(_("nobody (unassigned)"))


class TaskCount(models.Model):
    """The overview's counters (``duties.counts``): how many tasks are outstanding or done, by the township of
    their subject (``area``: the subject's path cut to its first three levels, city/district/township), their
    holder and a day. Written only by the database's triggers on ``duties_task``, in the transaction of the
    change, as signed deltas (one row per key and statement; never updated, so two writers never wait on each
    other); the beat folds them (``taskcounts_compact``). Kinds: ``t`` outstanding (day: ``COUNT_NO_DAY``),
    ``o`` outstanding by due date (days before the last fold are folded into ``COUNT_NO_DAY``: overdue for
    good), ``d`` done by the UTC date of ``completed_at``."""

    area = models.CharField(max_length=255)
    department_id = models.BigIntegerField(default=0)  # the holder: 0 for none (no foreign key: derived rows)
    township_id = models.BigIntegerField(default=0)
    org_held = models.BooleanField(default=False)
    kind = models.CharField(max_length=1)
    day = models.DateField()
    n = models.BigIntegerField()

    class Meta:
        # The overview reads three ranges of it (totals; due days up to today + 3; done days up to the window's
        # first day), each an index-only scan of this index.
        indexes = [
            models.Index(
                fields=["kind", "day"],
                include=["area", "department_id", "township_id", "org_held", "n"],
                name="duties_taskcount_read_idx",
            ),
            # A territory's rows (the task queue's counts, ``duties.selectors.queue_counts``; a district's overview):
            # the area's prefix within a kind, index-only, instead of every row of the kind in the city.
            models.Index(
                fields=["kind", "area", "day"],
                opclasses=["varchar_ops", "varchar_pattern_ops", "date_ops"],
                include=["department_id", "township_id", "org_held", "n"],
                name="duties_taskcount_area_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.kind} {self.day}: {self.n}"


class TaskAttachment(StoredFile):
    """Evidence of completion (完成佐证材料): a photo, a scanned inspection record, a PDF report.

    Checked as an upload of kind "evidence" (``crowdsafe.common.files``); the file is served only through the
    scoped download view, never from a public URL.
    """

    upload_prefix = "duties/evidence"

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")
        ordering = ["task_id", "id"]


class TaskReassignment(models.Model):
    """One reassignment of a task (任务改派), with the reason: who held it, who holds it now, who moved it."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reassignments")
    from_department = models.ForeignKey(
        "org.Department", verbose_name=_("from department"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("from person"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_label = models.CharField(_("from"), max_length=255)
    to_department = models.ForeignKey(
        "org.Department", verbose_name=_("to department"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to person"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_label = models.CharField(_("to"), max_length=255)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("reassignment")
        verbose_name_plural = _("reassignments")
        ordering = ["task_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_label}"


class TaskGroupObjectPermission(GroupObjectPermissionBase):
    """Tasks opened to a department outside their default scope (django-guardian, direct FK on a hot table):
    e.g. a fire brigade's inspection task shown to the police bureau that joins it."""

    content_object = models.ForeignKey(Task, on_delete=models.CASCADE)
