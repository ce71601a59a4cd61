"""The file-system broker of the no-server run (scripts/run) keeps every folder under var/, which git ignores.

kombu's file-system transport writes its exchange table to ``control_folder``, by default a ``control`` folder in
the current directory; that folder was once committed at the repository's root. The settings now put it under
``var/celery/control`` and make the broker's folders on start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

PROBE = r"""
import json, os
import django
django.setup()
from django.conf import settings
from kombu import Exchange, Queue
from crowdsafe.celery import app

options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
with app.connection_for_write() as connection:
    Queue("probe", Exchange("probe", type="direct"), routing_key="probe")(connection.default_channel).declare()
print(json.dumps({"broker": settings.CELERY_BROKER_URL, "options": options, "cwd": sorted(os.listdir("."))}))
"""


def run_locally(var_dir: Path, cwd: Path) -> dict:
    """The settings as scripts/run sees them (no REDIS_URL), in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="crowdsafe.settings",
        CROWDSAFE_VAR_DIR=str(var_dir),
        DEBUG="true",
        PYTHONPATH=str(ROOT),
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_file_system_brokers_folders_all_live_under_var_and_are_made_when_needed(tmp_path):
    var_dir, cwd = tmp_path / "var", tmp_path / "elsewhere"
    cwd.mkdir()
    probe = run_locally(var_dir, cwd)
    assert probe["broker"] == "filesystem://"
    folders = {key: Path(probe["options"][key]) for key in ("data_folder_in", "processed_folder", "control_folder")}
    assert folders["control_folder"] == var_dir / "celery" / "control"
    for folder in folders.values():
        assert folder.is_relative_to(var_dir) and folder.is_dir()
    # Declaring a queue writes the exchange table under var/, nothing in the current directory.
    assert (folders["control_folder"] / "probe.exchange").exists()
    assert probe["cwd"] == []


def test_no_broker_folder_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "control", "var"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()
