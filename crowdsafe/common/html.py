"""HTML written in Python for the list pages' rows (issue 19): the same output as ``django.utils.html``'s
``conditional_escape``, ``format_html`` and ``format_html_join``, without their per-value cost.

A list page writes 50 rows of about fifteen values each. Through ``format_html_join`` each value passes
``conditional_escape`` (a ``hasattr`` for ``__html__``), then ``escape``'s lazy-string wrapper (``keep_lazy``: it
looks through every argument for a lazy string), then ``SafeString``; each row is made safe once more. That was a
third of a list's own Python time (bench/run: ~3 ms of the city's hazard list at 10k). Here a plain ``str`` goes
straight to ``html.escape`` (which is what Django's ``escape`` calls), anything with ``__html__`` is trusted as
Django trusts it, anything else is written with ``str()`` and escaped: the bytes are those of the Django functions
(tests/kernel/test_html.py compares them value by value).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe


def escape(value: object) -> str:
    """``conditional_escape(value)`` as a plain ``str``: HTML-safe text, ``__html__`` kept as it says."""
    if value.__class__ is str:
        return html.escape(value)  # type: ignore[arg-type]
    method = getattr(value, "__html__", None)
    if method is not None:
        return method()
    return html.escape(str(value))


def format_words(*words: object) -> list[str]:
    """Words (translated column names …) escaped once, ready to sit inside a format string whose ``{}`` are the
    row's values: a brace in a translation is doubled, so it is written, not read as a placeholder."""
    return [escape(word).replace("{", "{{").replace("}", "}}") for word in words]


def format_html(format_string: str, *values: object) -> SafeString:
    """``django.utils.html.format_html``: ``format_string`` (trusted) with each value escaped."""
    return mark_safe(format_string.format(*map(escape, values)))


def format_rows(separator: str, row_format: str, rows: Iterable[Iterable[object]]) -> SafeString:
    """``django.utils.html.format_html_join``: ``row_format`` (trusted) for each row of values, each value
    escaped, joined by ``separator``."""
    return mark_safe(separator.join([row_format.format(*map(escape, row)) for row in rows]))
