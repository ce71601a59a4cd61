"""Which templates a block of code renders (Django's test signal), for tests that a cached rendering renders none."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.test.signals import template_rendered


@contextmanager
def rendered_templates() -> Iterator[list[str]]:
    """The names of the templates rendered inside the block, in order."""
    names: list[str] = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)
