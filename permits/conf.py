"""The permit app's settings, read when used (so that tests and the admin's environment can change them).

- ``PERMITS_CITY_LEVEL_FROM`` (default 5000): from this many expected in a session, the city-level public
  security licenses (Order 505 Art. 12 says "5000人以上"; whether exactly 5,000 is in is ambiguous, so it is a
  setting: 5001 sends exactly 5,000 to the county).
- ``PERMITS_PROMISED_DAYS`` / ``PERMITS_PROMISED_UNIT`` (default 7 working days): the locally promised decision
  deadline where no jurisdiction up the tree has its own (``permits.models.PromisedDeadline``).
- ``PERMITS_CORRECTION_DAYS`` (default 10): calendar days an organizer is given to correct an application,
  unless the reviewer sets another date.

The size limits of materials and inspection photos are those of every upload of their kind ("document",
"photo"): ``settings.UPLOAD_LIMITS`` (``crowdsafe.common.files``).
"""

from __future__ import annotations

from django.conf import settings

from crowdsafe.workdays.choices import DeadlineUnit
from permits.rules import DEFAULT_CITY_LEVEL_FROM


def city_level_from() -> int:
    return int(getattr(settings, "PERMITS_CITY_LEVEL_FROM", DEFAULT_CITY_LEVEL_FROM))


def promised_default() -> tuple[int, str]:
    return (
        int(getattr(settings, "PERMITS_PROMISED_DAYS", 7)),
        str(getattr(settings, "PERMITS_PROMISED_UNIT", DeadlineUnit.WORKING_DAYS)),
    )


def correction_days() -> int:
    return int(getattr(settings, "PERMITS_CORRECTION_DAYS", 10))
