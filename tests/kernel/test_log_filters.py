"""The log says an ordinary 403 in one line, without a traceback (issue 20 point 8); real errors keep theirs."""

from __future__ import annotations

import io
import logging

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _console_handler() -> logging.Handler:
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    return handler


def test_a_refused_page_is_logged_in_one_line_without_a_traceback(client):
    client.force_login(UserFactory())  # no membership: may not log gatherings
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = client.get("/gatherings/new/")
    finally:
        handler.setStream(previous)
    assert response.status_code == 403
    text = stream.getvalue()
    assert "Forbidden (Permission denied): /gatherings/new/" in text
    assert "Traceback" not in text and text.count("\n") == 1


def test_a_server_error_keeps_its_traceback():
    handler = _console_handler()
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
        record.exc_info = sys.exc_info()
        record.status_code = 500
    stream = io.StringIO()
    copy = logging.StreamHandler(stream)
    copy.setFormatter(handler.formatter)
    for log_filter in handler.filters:
        copy.addFilter(log_filter)
    copy.handle(record)
    assert "Traceback" in stream.getvalue()
