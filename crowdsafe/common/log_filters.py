"""Logging filters used by ``settings.LOGGING``."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404


class NoTracebackForClientErrors(logging.Filter):
    """A refused request (403 PermissionDenied, 404) is ordinary: Django's ``django.request`` and
    ``django.security.*`` records of it keep their one line and lose the traceback, which would otherwise bury the
    real errors in the log. 5xx records and every other exception keep their traceback."""

    QUIET = (PermissionDenied, Http404)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.QUIET):
            status = getattr(record, "status_code", None)
            if status is None or 400 <= status < 500:
                record.exc_info = None
                record.exc_text = None
        return True
