"""The API keeps its schema (issue 18 point 7): a bounded schemathesis run over every operation of /api/v1/.

What it does, and why it stays bounded and deterministic:

- the demo city is seeded once; two roles sign in with tokens: a department's staff member (demo_staff, who
  sees and acts on most records) and an organizer (demo_organizer, outside government, who sees only their
  own applications);
- each operation's path parameters are, where the API lists one, a real object of the demo city found by
  walking the API itself (``/gatherings/`` → the first gathering's id, then ``/gatherings/<id>/`` for a nested
  list), so the answers carry data, not only 404s;
- per role and operation: one plain call (GET and DELETE, no query), a few generated positive cases and, for
  operations that change state, a negative one (bad input must be a 4xx);
- every call runs inside a savepoint that is rolled back, so each case starts from the same seeded state whatever
  ran before it (writes are exercised, their effects never accumulate), and Hypothesis runs with a fixed seed;
- the checks are the two the issue asks for: no 5xx (``not_a_server_error``) and every answer matching the
  response schema (``response_schema_conformance``). Every failure is collected and the test fails listing them.

The schema is served in-process (WSGI) from /api/schema/, which needs a signed-in caller (the token).
"""

from __future__ import annotations

import io
import logging
import re
import time
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.django_db

# The demo city, as scripts/run loads it (the documents' PDFs are not rendered: no commit happens in a test).
DEMO_COMMANDS = (
    "seed_demo",
    "seed_demo_venues",
    "seed_demo_permits",
    "seed_demo_drills",
    "seed_demo_events",
    "seed_demo_notices",
    "seed_demo_risk",
    "seed_demo_notifications",
)
ROLES = ("demo_staff", "demo_organizer")
SEED = 20260718
POSITIVE_EXAMPLES = 1  # generated cases per operation and role (besides the plain call of a GET or DELETE)
NEGATIVE_EXAMPLES = 1  # per state-changing operation and role
CHECKS = [not_a_server_error, response_schema_conformance]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def keep_the_connection() -> None:
    """A real request closes the database connection when it ends; inside a test that would end the test's
    transaction, so (as Django's test client does) the connection is left open. Called before every call, as the
    test client connects the handler again after each of its own requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, called in the test's own thread and database transaction."""
    keep_the_connection()
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class Lists:
    """The API's answers to one caller's GETs, each path read once (the seeded data never change: every case is
    rolled back), as the walk below asks for the same lists again for every operation under them."""

    def __init__(self, client: APIClient) -> None:
        self.client = client
        self.answers: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        """The JSON of a 200 answer, None for any other status."""
        if path not in self.answers:
            response = self.client.get(path)
            self.answers[path] = response.json() if response.status_code == 200 else None
        return self.answers[path]


def _first(lists: Lists, path: str, segment: str) -> dict[str, Any] | None:
    """The first object of the list at ``path``, or of the list ``segment`` in the object at ``path`` (a nested
    part, e.g. an application's ``materials``); None when there is none."""
    data = lists.get(path)
    if data is None:
        return None
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = data.get(segment.replace("-", "_"))
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return None


def real_path_parameters(lists: Lists, template: str) -> dict[str, Any]:
    """Path parameters of ``template`` naming real objects the caller can list, found segment by segment through
    the API; those that cannot be found this way are left to the generator."""
    found: dict[str, Any] = {}
    parts = template.strip("/").split("/")

    def path(upto: int) -> str:
        text = "/" + "/".join(parts[:upto]) + "/"
        for name, value in found.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    for index, part in enumerate(parts):
        match = re.fullmatch(r"\{(\w+)\}", part)
        if not match or match.group(1) in found:
            continue
        name, segment = match.group(1), parts[index - 1]
        # The list the parameter is taken from, or the list of that name inside the object before it.
        item = _first(lists, path(index), segment) or _first(lists, path(index - 1), segment)
        if item is None:
            break
        found[name] = item.get(name, item.get("id"))
        # Parameters named like the item's own fields (a risk register row's subject_type and subject_id).
        for other in re.findall(r"\{(\w+)\}", template):
            if other not in found and other in item:
                found[other] = item[other]
    return {name: value for name, value in found.items() if value is not None}


def record(failures: dict[str, str], role: str, case: Any, response: Any, error: BaseException, raised: str) -> None:
    errors = error.exceptions if isinstance(error, FailureGroup) else (error,)
    for failure in errors:
        title = getattr(failure, "title", type(failure).__name__)
        message = str(getattr(failure, "message", failure))
        key = f"{role} {case.operation.label}: {title}: {message.splitlines()[0] if message else ''}"
        failures.setdefault(
            key,
            f"{key}\n  status {response.status_code}; path parameters {case.path_parameters}; query {case.query}; "
            f"body {str(case.body)[:300]}\n  {message[:1500]}\n  answer: {response.content[:600]!r}\n{raised}",
        )


def can_be_made_invalid(operation: Any, path_parameters: dict[str, Any]) -> bool:
    """Whether a negative case of ``operation`` exists: it has a body, a query, header or cookie parameter of its
    own (not the token or session cookie schemathesis makes of the security schemes: any string is a valid one), or
    a path parameter left to the generator (a fixed one is sent as given, never negated). When it has none,
    Hypothesis drew ~460 cases, rejected each ("nothing negated") and gave up (Unsatisfiable) without a request: 29
    runs (e.g. POST …/{id}/submit/ on a real object), ~20 s of the test's ~45 s of requests (issue 19 point 3)."""

    def own(parameters: Any) -> bool:
        return any("x-original-security-type" not in parameter.definition for parameter in parameters)

    return bool(
        len(operation.body)
        or own(operation.query)
        or own(operation.headers)
        or own(operation.cookies)
        or any(parameter.name not in path_parameters for parameter in operation.path_parameters)
    )


def run_operation(
    operation: Any, *, token: str, role: str, path_parameters: dict[str, Any], failures: dict[str, str]
) -> int:
    """Run one operation's cases for one role; return how many requests were made."""
    headers = {"Authorization": f"Token {token}"}
    calls = 0

    def call(case: Any) -> None:
        nonlocal calls
        calls += 1
        # Each case starts from the seeded state: what it wrote is rolled back before the next one.
        keep_the_connection()
        raised: list[str] = []

        def on_exception(sender: Any, request: Any = None, **kwargs: Any) -> None:
            raised.append(traceback.format_exc(limit=-8))

        got_request_exception.connect(on_exception)
        try:
            with transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
        finally:
            got_request_exception.disconnect(on_exception)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as error:
            record(failures, role, case, response, error, "".join(raised))

    method = operation.method.upper()
    if method in {"GET", "DELETE"} and set(re.findall(r"\{(\w+)\}", operation.path)) <= set(path_parameters):
        call(operation.Case(path_parameters=path_parameters or None))

    modes = [(GenerationMode.POSITIVE, POSITIVE_EXAMPLES)]
    if method in WRITES and can_be_made_invalid(operation, path_parameters):
        modes.append((GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES))
    for mode, examples in modes:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

        @seed(SEED)
        @hypothesis_settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def generated(case: Any) -> None:
            call(case)

        try:
            generated()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (no body, no query, its path fixed to a real object).
            if mode is not GenerationMode.NEGATIVE:
                raise
    return calls


def test_every_operation_keeps_its_schema_and_never_answers_5xx(wsgi_app, settings):
    started = time.monotonic()
    logging.disable(logging.CRITICAL)  # thousands of 4xx would be logged, and the failures are listed below
    try:
        for command in DEMO_COMMANDS:
            call_command(command, *(["--no-progress"] if command == "seed_demo" else []), stdout=io.StringIO())
        seeded = time.monotonic()
        users = get_user_model().objects
        tokens = {role: Token.objects.get_or_create(user=users.get(username=role))[0].key for role in ROLES}
        keep_the_connection()
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", wsgi_app, headers={"Authorization": f"Token {tokens[ROLES[0]]}"}
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        failures: dict[str, str] = {}
        requests = with_real_ids = 0
        for role in ROLES:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[role]}")
            lists = Lists(client)
            for operation in operations:
                path_parameters = real_path_parameters(lists, operation.path)
                with_real_ids += bool(path_parameters)
                requests += run_operation(
                    operation, token=tokens[role], role=role, path_parameters=path_parameters, failures=failures
                )
    finally:
        logging.disable(logging.NOTSET)
    print(
        f"\nschemathesis: {len(operations)} operations × {len(ROLES)} roles, {requests} requests "
        f"({with_real_ids} operation runs on real objects) in {time.monotonic() - seeded:.1f} s "
        f"after seeding the demo city in {seeded - started:.1f} s"
    )
    assert len(operations) > 100
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures.values())
