"""Links to pages that other apps provide at fixed paths. The shell shows a link only once its page is there,
so a half-installed feature never leaves a dead link."""

from __future__ import annotations

from functools import cache

from django.urls import Resolver404, resolve

# The working-day calculator (crowdsafe.workdays), mounted at /calendar/ by crowdsafe/urls.py.
CALENDAR_PATH = "/calendar/"


@cache
def page_exists(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def calendar_url() -> str | None:
    return CALENDAR_PATH if page_exists(CALENDAR_PATH) else None
