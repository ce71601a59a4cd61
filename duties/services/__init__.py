"""Every write of the responsibility engine: evaluating rules into tasks, and each task transition.

Each function is keyword-only with the acting user explicit, runs in one transaction, locks the task row
(``select_for_update``), checks the model's guard and the actor's right, saves with ``update_fields`` and writes
the action log. HTML views, API views, admin actions, Celery tasks and other apps' services all call these:

- ``duties.services.evaluation``: ``rule_save``, ``tasks_evaluate`` (the entry point for other apps) and
  ``tasks_evaluate_many`` (the same for a batch of subjects: an import), ``tasks_recount``
  (due dates counted again from a subject's date that changed);
- ``duties.services.tasks``: ``task_start``, ``task_complete`` (and the next occurrence of a periodic duty),
  ``task_reassign``, ``task_cancel``, ``tasks_mark_overdue``, ``tasks_settle`` (a subject's workflow closes the
  tasks of its finished steps, by rule key), and the heads' bulk actions;
The files attached as evidence are checked as uploads of kind "evidence" (``crowdsafe.common.files``); at most
``EVIDENCE_MAX_FILES`` per task.
"""

from duties.services.evaluation import rule_save, tasks_evaluate, tasks_evaluate_many, tasks_recount
from duties.services.tasks import (
    EVIDENCE_MAX_FILES,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    BulkResult,
    add_months,
    task_bulk_reassign,
    task_bulk_start,
    task_cancel,
    task_complete,
    task_reassign,
    task_start,
    tasks_mark_overdue,
    tasks_settle,
)

__all__ = [
    "EVIDENCE_MAX_FILES",
    "NOTE_MAX_LENGTH",
    "REASON_MAX_LENGTH",
    "BulkResult",
    "add_months",
    "rule_save",
    "task_bulk_reassign",
    "task_bulk_start",
    "task_cancel",
    "task_complete",
    "task_reassign",
    "task_start",
    "tasks_evaluate",
    "tasks_evaluate_many",
    "tasks_mark_overdue",
    "tasks_recount",
    "tasks_settle",
]
