"""Real Celery worker processes on the real Redis broker, reading the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class WorkerProcess:
    def __init__(self, name: str, log: Path):
        self.name = name
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, *, concurrency: int = 2) -> WorkerProcess:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crowdsafe.settings_test",
            # The worker is not a test process: point its *default* database at the test database.
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crowdsafe",
                "worker",
                f"--hostname={self.name}@%h",
                f"--concurrency={concurrency}",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: "ready." in self.log.read_text(errors="replace"), timeout=60, what=f"{self.name} ready")
        return self

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path):
    """Start one real worker; yields it; stops it (and shows its log when the test failed)."""
    from crowdsafe.celery import app

    app.control.purge()  # a clean queue of this run's own
    worker = WorkerProcess("w1", tmp_path / "worker.log").start()
    yield worker
    worker.stop()
