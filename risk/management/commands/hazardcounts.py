"""``manage.py hazardcounts``: verify the hazard list's counters against a recount of the hazards
(``risk.counts``); ``--rebuild`` recounts them, ``--compact`` folds them. Exit status 1 when the verification finds a
difference."""

from __future__ import annotations

from crowdsafe.common.counters import CountersCommand
from risk.counts import HAZARD_COUNTERS


class Command(CountersCommand):
    help = "Verify the hazard list's counters against the hazards; --rebuild recounts them, --compact folds them."
    counters = HAZARD_COUNTERS
    counted = "hazards"
