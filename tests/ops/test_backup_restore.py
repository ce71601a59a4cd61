"""Backup and restore (scripts/backup, scripts/restore): a backup of a database with records and files, restored
into a fresh database and an empty folder, has every record and every file; the restore's own check finds a
difference when there is one, and it never restores over an existing database."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from events.models import Gathering
from notices.choices import NoticeKind
from notices.models import Notice
from tests.events.conftest import report
from tests.notices.conftest import issue_rendered, operator, venue

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["operator", "venue"]

ROOT = Path(__file__).resolve().parents[2]


def url(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


def run(script: str, *args, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        # The plain settings with this test's database and media folder (the test settings pin MEDIA_ROOT).
        "DJANGO_SETTINGS_MODULE": "crowdsafe.settings",
        "DEBUG": "true",
        "DATABASE_URL": url(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(media),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture
def fresh_database():
    name = f"test_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    yield name
    admin = psycopg2.connect(url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def backup(city, users, venue, settings, tmp_path) -> Path:
    """A backup of the test database with a rendered document (its PDF under MEDIA_ROOT) and a gathering."""
    issue_rendered(NoticeKind.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)
    report(users.grid_worker, venue=venue, estimated_attendance_max=200)
    (Path(settings.MEDIA_ROOT) / "permits" / "materials").mkdir(parents=True, exist_ok=True)
    (Path(settings.MEDIA_ROOT) / "permits" / "materials" / "安全工作方案.pdf").write_bytes(b"%PDF-1.4 plan\n")
    made = run("backup", "--output", tmp_path / "backups", media=Path(settings.MEDIA_ROOT))
    assert made.returncode == 0, made.stderr[-3000:]
    folder = Path(made.stdout.strip().splitlines()[-1])
    assert {p.name for p in folder.iterdir()} == {"database.dump", "media.tar.gz", "manifest.json"}
    return folder


def test_a_backup_restored_into_a_fresh_database_has_every_record_and_file(backup, fresh_database, settings, tmp_path):
    restored_media = tmp_path / "restored-media"
    result = run("restore", backup, "--database", fresh_database, "--media-root", restored_media, media=tmp_path / "x")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "restore check ok" in result.stdout

    # Checked here again, independently of the manifest: the same rows in every table, the same file bytes.
    live = psycopg2.connect(url(connection.settings_dict["NAME"]))
    copy = psycopg2.connect(url(fresh_database))
    with live.cursor() as a, copy.cursor() as b:
        a.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        tables = [row[0] for row in a.fetchall()]
        assert len(tables) > 50
        for table in tables:
            query = f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
            a.execute(query)
            b.execute(query)
            assert a.fetchone() == b.fetchone(), table
        b.execute("SELECT pdf, sha256 FROM notices_notice")
        [(pdf, sha256)] = b.fetchall()
        b.execute("SELECT count(*) FROM events_gathering")
        assert b.fetchone()[0] == Gathering.objects.count() == 1
    live.close()
    copy.close()
    assert hashlib.sha256((restored_media / pdf).read_bytes()).hexdigest() == sha256 == Notice.objects.get().sha256
    assert (restored_media / "permits" / "materials" / "安全工作方案.pdf").read_bytes() == b"%PDF-1.4 plan\n"
    originals = sorted(p.relative_to(settings.MEDIA_ROOT) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert sorted(p.relative_to(restored_media) for p in restored_media.rglob("*") if p.is_file()) == originals


def test_the_restore_check_names_what_differs(backup, fresh_database, tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["tables"]["events_gathering"]["rows"] += 1  # as if a gathering had been lost on the way
    manifest["files"]["permits/materials/计划.pdf"] = {"size": 1, "sha256": "0" * 64}
    (backup / "manifest.json").write_text(json.dumps(manifest))
    result = run("restore", backup, "--database", fresh_database, "--media-root", tmp_path / "m", media=tmp_path / "x")
    assert result.returncode == 1
    assert "table events_gathering: expected" in result.stdout
    assert "file permits/materials/计划.pdf: missing" in result.stdout
    assert "restore check FAILED: 2 differences" in result.stdout


def test_it_never_restores_over_an_existing_database_or_into_a_folder_with_files(backup, tmp_path):
    existing = connection.settings_dict["NAME"]
    result = run("restore", backup, "--database", existing, "--media-root", tmp_path / "m", media=tmp_path / "x")
    assert result.returncode != 0 and f"database {existing} exists" in result.stderr
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    result = run("restore", backup, "--database", "test_never_made", "--media-root", full, media=tmp_path / "x")
    assert result.returncode != 0 and "is not empty" in result.stderr
    assert (full / "keep.txt").read_text() == "mine"
