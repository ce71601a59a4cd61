"""Settings read from the environment: a value that cannot be read stops the start, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from crowdsafe.env import envbool, envint

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " on "])
def test_a_true_word_reads_as_true(monkeypatch, value):
    monkeypatch.setenv("CROWDSAFE_TEST_FLAG", value)
    assert envbool("CROWDSAFE_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off"])
def test_a_false_word_reads_as_false(monkeypatch, value):
    monkeypatch.setenv("CROWDSAFE_TEST_FLAG", value)
    assert envbool("CROWDSAFE_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", [None, "", "  "])
def test_an_unset_or_empty_boolean_is_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CROWDSAFE_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("CROWDSAFE_TEST_FLAG", value)
    assert envbool("CROWDSAFE_TEST_FLAG", True) is True
    assert envbool("CROWDSAFE_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["flase", "ture", "2", "y", "enabled"])
def test_a_misspelt_boolean_is_refused_naming_the_variable_and_the_accepted_words(monkeypatch, value):
    monkeypatch.setenv("CROWDSAFE_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        envbool("CROWDSAFE_TEST_FLAG", False)
    message = str(caught.value)
    assert "CROWDSAFE_TEST_FLAG" in message and repr(value) in message
    assert all(word in message for word in ("true", "false", "1", "0", "yes", "no", "on", "off"))


def test_a_whole_number_is_read_and_unset_is_the_default(monkeypatch):
    monkeypatch.setenv("CROWDSAFE_TEST_NUMBER", " 42 ")
    assert envint("CROWDSAFE_TEST_NUMBER", 7) == 42
    monkeypatch.setenv("CROWDSAFE_TEST_NUMBER", "")
    assert envint("CROWDSAFE_TEST_NUMBER", 7) == 7


@pytest.mark.parametrize("value", ["60s", "1.5", "ten"])
def test_a_number_that_is_not_whole_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("CROWDSAFE_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        envint("CROWDSAFE_TEST_NUMBER", 60)
    assert "CROWDSAFE_TEST_NUMBER" in str(caught.value) and "whole number" in str(caught.value)


def test_the_platform_refuses_to_start_with_debug_misspelt():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "crowdsafe.settings", "DEBUG": "flase"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DEBUG='flase'" in result.stderr


def test_the_scripts_keep_compiled_python_even_where_the_environment_says_not_to():
    """scripts/lib.sh (sourced by scripts/run and scripts/test) lets Python write __pycache__: with
    PYTHONDONTWRITEBYTECODE set, every pytest worker, Celery worker and manage.py process compiled the project again
    (issue 19 point 3: the test command's time)."""
    shown = subprocess.run(
        ["bash", "-c", 'source scripts/lib.sh; echo "[${PYTHONDONTWRITEBYTECODE-unset}]"'],
        cwd=ROOT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == "[unset]"


def test_the_kept_test_template_is_named_by_the_code_migrations_may_read(tmp_path):
    """scripts/test keeps the migrated test database between runs under a digest (scripts/lib.sh,
    test_template_name): a change to the project's code, its dependencies or its translations names another one
    (migrated afresh, never a stale one copied), a change to the tests or the benchmarks does not."""

    def name() -> str:
        return subprocess.run(
            ["bash", "-c", f"source {ROOT / 'scripts' / 'lib.sh'}; test_template_name"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    def write(path: str, text: str) -> None:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    write("app/migrations/0001_initial.py", "operations = []\n")
    write("tests/test_app.py", "CASES = 1\n")
    write("pyproject.toml", "[project]\n")
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=tmp_path, check=True)
    first = name()
    assert first.startswith("crowdsafe_test_tpl_") and name() == first
    write("tests/test_app.py", "CASES = 2\n")
    write("bench/run.py", "print()\n")
    assert name() == first
    write("app/migrations/0002_more.py", "operations = []\n")  # not even added to git yet
    second = name()
    assert second != first
    write("pyproject.toml", "[project]\nname = 'x'\n")
    assert name() not in (first, second)
