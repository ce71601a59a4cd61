"""HTML rendered once and kept in process memory, by a key that says everything it depends on (issue 19).

Django renders a template node by node: the page shell (header, navigation, language switch, footer) and a list's
filter fields cost more CPU than most pages' own rows, yet they show the same HTML for every request that has the
same language, roles, navigation or filter values. ``HtmlCache`` keeps such HTML by a key built from exactly those
inputs; a key that misses one would show one user another's HTML, so each key is tested against the uncached
rendering (tests/web/test_shell_cache.py, tests/kernel/test_filtersets.py).

What differs on every request (the CSRF token, the path, the user's name) is rendered as a placeholder and put in
afterwards (``fill``), escaped as the template would have escaped it. What must be exact per request and may
change at any time (an unread count) is never put in a cached fragment.

Each cache is bounded: when full it is forgotten all at once (the keys are few: languages × role sets × pages).
``clear_all()`` forgets every cache (tests; a deploy restarts the processes anyway).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_CACHES: list[HtmlCache] = []


class HtmlCache:
    """A bounded dict of rendered HTML (``SafeString``), by key."""

    def __init__(self, name: str, max_entries: int = 1000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._html: dict[Hashable, SafeString] = {}
        _CACHES.append(self)

    def get(self, key: Hashable, render: Callable[[], str]) -> SafeString:
        """The HTML kept for ``key``, or ``render()`` kept for it."""
        html = self._html.get(key)
        if html is None:
            html = mark_safe(render())
            if len(self._html) >= self.max_entries:
                self._html.clear()
            self._html[key] = html
        return html

    def clear(self) -> None:
        self._html.clear()

    def __len__(self) -> int:
        return len(self._html)


def clear_all() -> None:
    for cache in _CACHES:
        cache.clear()


def site_key() -> tuple:
    """What every rendered fragment depends on besides its own inputs: the language (translations, formats), the
    URLs (``{% url %}``: the URLconf and the script prefix) and the static files' URL (``{% static %}``)."""
    return (get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), settings.STATIC_URL)


def placeholder(name: str) -> str:
    """A marker that no escaping changes and no page text contains, put in a fragment where a per-request value
    goes; ``fill`` replaces it."""
    return f"cs0ph0{name}0ph0cs"


_PLACEHOLDER = re.compile(r"cs0ph0(\w+?)0ph0cs")


def fill(html: str, values: Mapping[str, str]) -> SafeString:
    """``html`` with each placeholder replaced by its value (already escaped), in one pass."""
    return mark_safe(_PLACEHOLDER.sub(lambda m: values[m.group(1)], html))


@receiver(setting_changed)
def _forget_on_setting_changed(**kwargs: object) -> None:
    # A setting changed (tests' override_settings): languages, templates, static files may all differ.
    clear_all()


@receiver(file_changed)
def _forget_on_template_changed(sender: object, file_path: object, **kwargs: object) -> None:
    # runserver reloads a changed template without restarting; its fragments must go too. Returns None: Django
    # goes on with its own handling (a restart for Python files).
    if str(file_path).endswith((".html", ".txt")):
        clear_all()
