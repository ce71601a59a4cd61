"""The owner / partner / outsider check (after healthchecks' Alice, Bob and Charlie).

Every scoped page or API URL gets one test that calls ``assert_scoped_access``: the owner and a partner
holding a grant may open it, an outsider gets 404 (not 403: they may not learn that the object exists).
"""

from __future__ import annotations

import json

from django.test import Client

ALLOWED = {200, 201, 204, 302}


def _status(url: str, user, method: str, data) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    call = getattr(client, method.lower())
    kwargs = {"data": data} if data is not None else {}
    if method.lower() in {"post", "put", "patch"}:
        kwargs["content_type"] = "application/json"
        kwargs["data"] = json.dumps(data or {})
    return call(url, **kwargs).status_code


def assert_scoped_access(url: str, *, owner, outsider, partner=None, method: str = "get", data=None) -> None:
    """Owner (and partner, when given) are let in; the outsider is told the object does not exist."""
    got = _status(url, owner, method, data)
    assert got in ALLOWED, f"owner {owner} got {got} for {method.upper()} {url}"
    if partner is not None:
        got = _status(url, partner, method, data)
        assert got in ALLOWED, f"partner {partner} got {got} for {method.upper()} {url}"
    got = _status(url, outsider, method, data)
    assert got == 404, f"outsider {outsider} got {got} (expected 404) for {method.upper()} {url}"
