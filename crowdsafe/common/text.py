"""Joining sentences into one: the clauses of a list of reasons end with a full stop ("。" or ".") when they stand
alone; joined by "；" the inner stops go ("A。；B。" reads badly), the last one stays."""

from __future__ import annotations

from collections.abc import Iterable

STOPS = ("。", ".", "；", ";")


def join_clauses(parts: Iterable[object], separator: str = "；") -> str:
    """``["甲。", "乙。"]`` → ``"甲；乙。"``: each clause's own stop dropped before the separator, the last kept."""
    clauses = [str(part).strip() for part in parts]
    clauses = [clause for clause in clauses if clause]
    if not clauses:
        return ""
    inner = [clause.rstrip("".join(STOPS)).rstrip() for clause in clauses[:-1]]
    return separator.join([*inner, clauses[-1]])
