"""The sign-in lockout check (django-axes) as the first authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request (the web sign-in page, the token endpoint).

    An ``authenticate`` call without a request does not come from a visitor (a management command, the test
    client's ``login``): there is no address to count, and django-axes would refuse it outright.
    """

    def authenticate(
        self, request: Any = None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
