"""Test settings: real PostgreSQL and Redis on localhost (scripts/test checks that both answer)."""

from __future__ import annotations

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "t" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from crowdsafe.settings import *  # noqa: F403

# A queue of this test process's own on the shared Redis, so parallel runs (two developers, or the xdist workers
# of one run) never take each other's tasks. Not put into os.environ: an xdist worker inherits the environment of
# the process that started it and must still get a queue of its own. A test that starts a Celery worker passes its
# own queue on in CELERY_QUEUE (tests/integration/conftest.py), which is read here.
TEST_RUN = os.environ.get("CELERY_QUEUE") or f"crowdsafe-test-{os.getpid()}"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = TEST_RUN
# Cache keys (rate limits, lockouts, the calendar's version token) of this process's own, shared with the Celery
# workers it starts, so two processes logging in the same fixture users never count each other's attempts.
CACHES["default"]["KEY_PREFIX"] = TEST_RUN  # noqa: F405

# A test database of this process's own, so that two test runs on one machine (two developers, or a developer
# and CI) never drop each other's database. Subprocesses of a test (Celery workers) get the name passed on.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CROWDSAFE_TEST_DB") or f"test_crowdsafe_{os.getpid()}"}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns on every request otherwise
