"""A transactional test (browser, real worker, concurrency) leaves the database exactly as migrate left it for the
next test in the same process (tests/conftest.py ``_empty_and_restore``, which empties the tables with DELETE
rather than TRUNCATE since issue 19 point 3): what it wrote is gone, including the rows the database's own triggers
write (the task counters) and the append-only action log, and the migrated reference rows it changed or deleted
are back as they were, same ids."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import TransactionTestCase

from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.services import log_action
from crowdsafe.org.choices import JurisdictionLevel
from duties.models import ResponsibilityRule, Task, TaskCount
from tests.duties.conftest import make_tasks
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory


def migrated_state() -> dict[str, object]:
    return {
        "rules": sorted(ResponsibilityRule.objects.values_list("pk", "name", "is_active")),
        "action_log": ActionLog.objects.count(),
        "tasks": Task.objects.count(),
        "counters": TaskCount.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_transactional_tests_teardown_leaves_the_database_as_migrate_left_it():
    migrated = migrated_state()
    assert migrated["tasks"] == 0 and migrated["counters"] == 0
    city = JurisdictionFactory(code="410500", name="安阳市", level=JurisdictionLevel.CITY, parent=None)
    department = DepartmentFactory(jurisdiction=city)
    rule = ResponsibilityRule.objects.order_by("pk").first()
    make_tasks(3, rule_name=rule.name, jurisdiction=city, department=department)
    with transaction.atomic():
        log_action(actor=UserFactory(), subject=city, verb="created")
    ResponsibilityRule.objects.filter(pk=rule.pk).update(name="改过的规则", is_active=False)
    ResponsibilityRule.objects.order_by("-pk").first().delete()
    assert Task.objects.count() == 3 and TaskCount.objects.exists()
    assert ActionLog.objects.count() > migrated["action_log"]

    # The teardown every transactional test ends with (pytest-django calls it after the test; here, to look at
    # what it leaves): tests/conftest.py puts _empty_and_restore in Django's place for the whole session.
    TransactionTestCase._fixture_teardown(SimpleNamespace(_databases_names=lambda include_mirrors: [DEFAULT_DB_ALIAS]))

    assert migrated_state() == migrated
