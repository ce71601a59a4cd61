"""Reads of leaders' pages and reports from a read replica (issue 19 point 4: how it grows past one machine).

A replica is configured by ``CROWDSAFE_REPLICA_DATABASE_URL`` (settings: the ``replica`` alias). Without it
there is no such alias and everything runs on ``default``, as before.

What reads from it is chosen, not guessed: a selector whose rows may be a second or so old (a leader's figures,
the attention list, a report) returns its queryset through ``replica_reads(qs)``, or a whole view or function runs
``with replica():`` / under ``@replica`` — its reads then go to the replica, unless they are inside a transaction
on ``default`` (a service reading what it is about to change reads the primary). Everything else — every write,
every read of a service, every ordinary page — uses ``default``: a user always sees their own change at once.

``ReplicaRouter`` (``DATABASE_ROUTERS``) sends every write to ``default`` (also the save of a row read from the
replica), lets rows of both aliases relate (they are the same database, one of them behind), and migrates
``default`` only (the replica follows it by streaming replication)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

REPLICA = "replica"
DEFAULT = "default"
_reading_replica: ContextVar[bool] = ContextVar("crowdsafe_reading_replica", default=False)
F = TypeVar("F", bound=Callable[..., Any])
Q = TypeVar("Q", bound=QuerySet)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def read_alias() -> str:
    """The alias a replica-tolerant read uses now: the replica when there is one and no transaction is open on
    ``default`` (whose reads must see its own writes), else ``default``."""
    if not replica_configured() or connections[DEFAULT].in_atomic_block:
        return DEFAULT
    return REPLICA


def replica_reads(queryset: Q) -> Q:
    """``queryset`` reading from the replica when there is one (see ``read_alias``)."""
    alias = read_alias()
    return queryset if alias == DEFAULT else queryset.using(alias)


@contextlib.contextmanager
def replica() -> Iterator[None]:
    """Every read inside goes to the replica when there is one (writes still go to ``default``)."""
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_view(func: F) -> F:
    """A view (or any function) whose reads go to the replica when there is one."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    """``default`` for every write and migration; the replica for the reads inside ``replica()``."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading_replica.get():
            return read_alias()
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {DEFAULT, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if db == REPLICA:
            return False
        return None
