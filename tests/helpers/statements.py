"""Statements in tests: how many times a ``crowdsafe.common.statements.Statement`` was built (compiled), to show that
a page's statement is compiled once per shape and then only run."""

from __future__ import annotations

from typing import Any

from django.db import connections

from crowdsafe.common.statements import Statement


def counted_builds(statement: Statement, monkeypatch: Any) -> list[dict]:
    """The values of each build of ``statement`` from now on, its compilations forgotten first (an earlier test
    compiled it on this connection)."""
    for alias in connections:
        connections[alias].__dict__.pop(statement._key, None)
    built: list[dict] = []
    real = statement.build
    monkeypatch.setattr(statement, "build", lambda **values: built.append(values) or real(**values))
    return built
