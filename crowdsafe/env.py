"""Small helpers that read settings from the environment (after healthchecks' ``envbool``/``envint``).

A value that cannot be read is a startup error naming the variable, never a silent default: ``DEBUG=flase``
once meant "not true", i.e. False, which hides the typo in development and turns a production switch off.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})
FALSE_VALUES = frozenset({"0", "false", "no", "off"})


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    """``name`` as a boolean: one of ``TRUE_VALUES`` or ``FALSE_VALUES`` (any case), or unset/empty for
    ``default``. Anything else raises ImproperlyConfigured."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_VALUES:
        return True
    if word in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name}={value!r} is not a boolean: use one of "
        f"{', '.join(sorted(TRUE_VALUES))} (true) or {', '.join(sorted(FALSE_VALUES))} (false), "
        "or leave it unset for the default."
    )


def envint(name: str, default: int) -> int:
    """``name`` as a whole number (surrounding spaces allowed), or unset/empty for ``default``. Anything else
    raises ImproperlyConfigured."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name}={value!r} is not a whole number (for example {default}); "
            "leave it unset for the default."
        ) from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
