from __future__ import annotations

import pytest

from crowdsafe.workdays.cache import calendar_cache_clear


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test starts with an empty per-process calendar copy, so query counts do not depend on test order."""
    calendar_cache_clear()
    yield
    calendar_cache_clear()


# The real-worker fixture of tests/integration, for the test of the nightly sync on a worker.
from tests.integration.conftest import celery_worker_process  # noqa: E402, F401
