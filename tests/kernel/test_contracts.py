"""Cross-app contracts fail loudly (issue 13 point 1; docs/architecture.md, docs/contracts/).

An app uses another through imports at module top, never behind ``except ImportError``: a broken notices app must
stop the platform, not let a permit be approved without its decision document (《许可决定书》), which the law
requires (Order 505 Art. 14). The module walk runs in a subprocess with ``notices.services`` (or
``notices.selectors``) made unimportable, so that the test process keeps its own imports."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from crowdsafe.errors import DomainError
from notices.selectors import notices_for
from permits import documents, services
from permits.choices import ApplicationState
from tests.permits.conftest import (  # noqa: F401 - fixtures of the permit decision
    build_application,
    permit_city,
    stadium,
    through_inspection,
)

ROOT = Path(settings.BASE_DIR)

# Run in a fresh interpreter: a finder that refuses the broken module (and records who asked for it), Django's
# setup, then every module of every project package imported one by one. A module either never asks for the broken
# module, or its import fails with ImportError; one that asks and imports all the same has swallowed the error.
WALK = r"""
import importlib, importlib.abc, json, os, pkgutil, sys

broken, packages = sys.argv[1], sys.argv[2:]
asked = []


class Broken(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname == broken or fullname.startswith(broken + "."):
            asked.append(fullname)
            raise ImportError(f"{fullname} is broken on purpose (tests/kernel/test_contracts.py)", name=fullname)
        return None


def walk(path, prefix):
    # Without importing the packages on the way (pkgutil.walk_packages would, and skip a failing one's modules).
    for info in pkgutil.iter_modules(path, prefix):
        yield info.name
        if info.ispkg:
            yield from walk([os.path.join(path[0], info.name.rsplit(".", 1)[1])], info.name + ".")


sys.meta_path.insert(0, Broken())
import django

result = {"setup": None, "setup_asked": [], "modules": {}}
try:
    django.setup()
except ImportError as exc:
    result["setup"] = repr(exc)
result["setup_asked"] = list(asked)
if result["setup"] is None:
    for package in packages:
        root = importlib.import_module(package)
        for name in [package, *walk(list(root.__path__), package + ".")]:
            del asked[:]
            try:
                importlib.import_module(name)
                outcome = "ok"
            except ImportError:
                outcome = "ImportError"
            except Exception as exc:  # reported, and the test fails on it
                outcome = f"{type(exc).__name__}: {exc}"
            result["modules"][name] = {"outcome": outcome, "asked": bool(asked)}
print(json.dumps(result))
"""


def project_packages() -> list[str]:
    """The top-level packages of the project's apps (the kernel ``crowdsafe`` and every domain app)."""
    names = {app.split(".")[0] for app in settings.INSTALLED_APPS}
    return sorted(name for name in names if (ROOT / name / "__init__.py").exists())


def import_all_with_broken(module: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "crowdsafe.settings_test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", WALK, module, *project_packages()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _outcomes(result: dict) -> dict[str, str]:
    if result["setup"] is not None:  # the platform does not even start: every module fails loudly
        return {}
    assert result["setup_asked"] == [], "an app's ready() swallowed the broken import"
    return {name: r["outcome"] for name, r in result["modules"].items()}


@pytest.mark.parametrize(
    ("broken", "consumers"),
    [
        (
            "notices.services",
            # The permit decision service, and every other issuer of documents, cannot even be imported; nor can
            # the URLconf, so the web server does not start.
            [
                "permits.documents",
                "permits.services",
                "permits.services.review",
                "drills.services.notices",
                "risk.services.hazards",
                "crowdsafe.urls",
            ],
        ),
        (
            "notices.selectors",
            # The pages that list a record's documents.
            ["permits.views.common", "drills.views", "risk.views.hazards", "crowdsafe.urls"],
        ),
    ],
)
def test_every_app_module_fails_loudly_with_a_broken_notices_import(broken, consumers):
    result = import_all_with_broken(broken)
    outcomes = _outcomes(result)
    if not outcomes:
        return
    assert len(outcomes) > 100, "the walk found too few modules to mean anything"
    swallowed = sorted(name for name, r in result["modules"].items() if r["asked"] and r["outcome"] == "ok")
    assert swallowed == [], f"these modules asked for {broken} and carried on without it"
    odd = {name: outcome for name, outcome in outcomes.items() if outcome not in ("ok", "ImportError")}
    assert odd == {}
    assert {name: outcomes[name] for name in consumers} == dict.fromkeys(consumers, "ImportError")


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)


def test_no_app_module_catches_an_import_error():
    """The guard, wherever it sits (module level or in a function called later), is the silent fallback."""
    found = []
    for package in project_packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ExceptHandler) and node.type is not None and _catches_import_error(node):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


# --- the permit decision and its document ----------------------------------------------------------------------


@pytest.fixture
def ready_for_decision(permit_city, stadium):  # noqa: F811 - the fixtures imported above
    application = build_application(
        organizer=permit_city.users.organizer, organisation=permit_city.city.organisation, venue=stadium.venue
    )
    return through_inspection(application, permit_city)


def _approve(application, permit_city):  # noqa: F811
    return services.application_decide(
        application=application,
        actor=permit_city.users.head,
        outcome="approve",
        approved_capacity=2500,
        conditions=["设置隔离护栏"],
    )


@pytest.mark.django_db
def test_a_notices_import_broken_at_decision_time_never_lets_a_permit_be_approved_without_its_decision(
    ready_for_decision,
    permit_city,  # noqa: F811
    monkeypatch,
):
    """Any later ``from notices.services import ...`` fails (a module found ``None`` in sys.modules raises
    ImportError). Approved and documented, or neither — never approved without the decision."""
    monkeypatch.setitem(sys.modules, "notices.services", None)
    with contextlib.suppress(ImportError):
        _approve(ready_for_decision, permit_city)
    monkeypatch.undo()
    ready_for_decision.refresh_from_db()
    approved = ready_for_decision.state == ApplicationState.APPROVED
    documented = notices_for(ready_for_decision).filter(kind="permit_approval").exists()
    assert (approved, documented) in ((True, True), (False, False))
    assert approved  # the notices contract was bound at start-up: the decision and its document are issued


@pytest.mark.django_db
def test_the_decision_is_refused_and_rolled_back_when_its_document_cannot_be_issued(
    ready_for_decision,
    permit_city,  # noqa: F811
    monkeypatch,
):
    def cannot_issue(**kwargs):
        raise DomainError("the notices service refused")

    monkeypatch.setattr(documents, "notice_issue", cannot_issue)
    with pytest.raises(DomainError):
        _approve(ready_for_decision, permit_city)
    ready_for_decision.refresh_from_db()
    assert ready_for_decision.state == ApplicationState.INSPECTION
    assert not notices_for(ready_for_decision).filter(kind="permit_approval").exists()


def test_every_contract_cited_in_the_code_is_a_file_of_the_repository():
    """Docstrings point to docs/ in the repository, not to files outside it (CONTRACTS.md, NOTICES_API.md)."""
    cited: dict[str, list[str]] = {}
    outside = []
    for package in [*project_packages(), "tests"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == Path(__file__):
                continue
            text = path.read_text(encoding="utf-8")
            where = str(path.relative_to(ROOT))
            for name in re.findall(r"docs/[\w/.-]+\.md", text):
                cited.setdefault(name, []).append(where)
            if re.search(r"\b(CONTRACTS|NOTICES_API)\.md|/work/brief", text):
                outside.append(where)
    assert outside == []
    contracts = {f"docs/contracts/{name}.md" for name in ("subjects", "notices", "panels", "notify")}
    assert contracts <= set(cited)
    assert {name: files for name, files in cited.items() if not (ROOT / name).is_file()} == {}
