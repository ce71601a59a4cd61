"""``manage.py taskcounts``: verify the overview's task counters against a recount of the tasks (``duties.counts``);
``--rebuild`` recounts them, ``--compact`` folds them. Exit status 1 when the verification finds a difference."""

from __future__ import annotations

from crowdsafe.common.counters import CountersCommand
from duties.counts import TASK_COUNTERS


class Command(CountersCommand):
    help = "Verify the overview's task counters against the tasks; --rebuild recounts them, --compact folds them."
    counters = TASK_COUNTERS
    counted = "tasks"
