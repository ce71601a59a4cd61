"""The manifest of a backup (scripts/backup) and its check after a restore (scripts/restore): for every table of
the public schema its row count and an MD5 of all its rows (each row as PostgreSQL prints it, sorted), for every
file of the media folder its size and SHA-256. psycopg2 only, no Django."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import quote

import psycopg2
from psycopg2 import sql

# Every row as PostgreSQL prints it, sorted, hashed: equal digests mean equal tables whatever the physical order.
ROWS_DIGEST = "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"


def url_of(db: dict, *, name: str | None = None) -> str:
    """A libpq URL (as pg_dump and psycopg2 take it) of a Django database's server and ``name`` (default its own)."""
    user = quote(db.get("USER") or "postgres")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{quote(name or db['NAME'])}"


def connect(url: str):
    return psycopg2.connect(url)


def database_state(cursor) -> dict[str, dict]:
    """Row count and MD5 of the rows of every table, read in the cursor's transaction."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    state: dict[str, dict] = {}
    for (table,) in cursor.fetchall():
        cursor.execute(
            sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
            ).format(sql.Identifier(table))
        )
        rows, digest = cursor.fetchone()
        state[table] = {"rows": rows, "md5": digest}
    return state


def media_state(folder: Path) -> dict[str, dict]:
    files: dict[str, dict] = {}
    if not folder.is_dir():
        return files
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        files[str(path.relative_to(folder))] = {"size": path.stat().st_size, "sha256": digest.hexdigest()}
    return files


def differences(expected: dict, found: dict) -> list[str]:
    problems = []
    for kind, label in (("tables", "table"), ("files", "file")):
        for name, want in expected[kind].items():
            got = found[kind].get(name)
            if got is None:
                problems.append(f"{label} {name}: missing")
            elif got != want:
                problems.append(f"{label} {name}: expected {want}, found {got}")
    for name in sorted(set(found["files"]) - set(expected["files"])):
        problems.append(f"file {name}: not in the backup")
    return problems
