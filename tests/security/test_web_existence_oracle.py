"""No existence oracle on the web pages (issue 18 point 6, the web part): for a user of another city, every page
and action URL that names an object by an integer id answers a missing id and an existing id outside their scope
alike, status and body, and reads no form before the scope check (an empty POST gives the same 404, not a form
error for one and a 404 for the other).

The routes are found by walking the URL resolver (everything but the API, tested in tests/api, and the admin), so a
new page is covered the day it is added; the existing ids are the first rows of every table the demo city fills."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.api.test_existence_oracle import MISSING, existing_ids, outsider  # noqa: F401

pytestmark = pytest.mark.django_db

# Pages every signed-in user may read whatever the id (reference data, not scoped): there is nothing to leak.
VISIBLE_TO_EVERY_USER: set[str] = set()


def web_routes_with_ids() -> list[str]:
    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    return sorted(
        {
            route
            for route in walk(get_resolver().url_patterns, "/")
            if "<int:" in route
            and not route.startswith(("/api/", "/admin/", "/i18n/"))
            and route not in VISIBLE_TO_EVERY_USER
        }
    )


def url(route: str, pk: int) -> str:
    return re.sub(r"<\w+:\w+>", "x", re.sub(r"<int:\w+>", str(pk), route))


def body(response, path: str) -> bytes:
    """The page, with what changes from one response to the next (the CSP nonce, the CSRF token) and the address
    the user typed (the page echoes it, in the language switch's "next") put back to one value."""
    content = re.sub(rb'nonce="[^"]*"', b'nonce=""', response.content)
    content = re.sub(rb'"X-CSRFToken": "[^"]*"', b"csrf", content)
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"csrf", content)
    return content.replace(path.encode(), b"<path>")


def test_the_walk_finds_the_pages_and_actions():
    routes = web_routes_with_ids()
    assert "/venues/<int:pk>/" in routes
    assert "/permits/<int:pk>/review/" in routes
    assert len(routes) > 40


def test_a_missing_id_and_an_out_of_scope_id_get_the_same_404(outsider):  # noqa: F811
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(outsider)
    # An id may also be that of a jurisdiction, department or organisation the outsider may see in the directory,
    # or of a checklist template (reference data every government user reads) (ids of different tables coincide):
    # such an id proves nothing, so it is left out.
    from crowdsafe.org.models import Department, Jurisdiction, Organisation
    from inspections.models import ChecklistTemplate

    seen = set(ChecklistTemplate.objects.values_list("pk", flat=True))
    for model in (Jurisdiction, Department, Organisation):
        seen |= set(model.objects.visible_to(outsider).values_list("pk", flat=True))
    ids = [pk for pk in existing_ids() if pk not in seen]
    assert ids
    differences = []
    for route in web_routes_with_ids():
        for method in ("get", "post"):
            call = getattr(client, method)
            missing = call(url(route, MISSING))
            if missing.status_code < 400:  # e.g. a form error flashed and redirected before the lookup
                differences.append(f"{method.upper()} {url(route, MISSING)}: {missing.status_code} for a missing id")
                continue
            for pk in ids:
                response = call(url(route, pk))
                if (response.status_code, body(response, url(route, pk))) != (
                    missing.status_code,
                    body(missing, url(route, MISSING)),
                ):
                    differences.append(
                        f"{method.upper()} {url(route, pk)}: {response.status_code} but missing: {missing.status_code}"
                    )
                    break
    assert not differences, "\n".join(differences)
