"""A transactional test (browser, real worker, concurrency) leaves the database exactly as migrate left it for the
next test in the same process (tests/conftest.py ``_empty_and_restore``, which empties the tables with DELETE
rather than TRUNCATE since issue 19 point 3): what it wrote is gone, including the rows the database's own triggers
write (the task counters) and the append-only action log, and the migrated reference rows it changed or deleted
are back as they were, same ids. The two tests run in this order in one process: the file is one unit of work, and
both are transactional, as pytest-django runs the transactional tests after the others."""

from __future__ import annotations

import pytest
from django.db import transaction

from crowdsafe.audit.models import ActionLog
from crowdsafe.audit.services import log_action
from crowdsafe.org.choices import JurisdictionLevel
from duties.models import ResponsibilityRule, Task, TaskCount
from tests.duties.conftest import make_tasks
from tests.factories import DepartmentFactory, JurisdictionFactory, UserFactory

MIGRATED: dict[str, object] = {}


def migrated_state() -> dict[str, object]:
    return {
        "rules": sorted(ResponsibilityRule.objects.values_list("pk", "name", "is_active")),
        "action_log": ActionLog.objects.count(),
        "tasks": Task.objects.count(),
        "counters": TaskCount.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_writes_tasks_counters_log_entries_and_changes_reference_rows():
    MIGRATED.update(migrated_state())
    assert MIGRATED["tasks"] == 0 and MIGRATED["counters"] == 0
    city = JurisdictionFactory(code="410500", name="安阳市", level=JurisdictionLevel.CITY, parent=None)
    department = DepartmentFactory(jurisdiction=city)
    rule = ResponsibilityRule.objects.order_by("pk").first()
    make_tasks(3, rule_name=rule.name, jurisdiction=city, department=department)
    with transaction.atomic():
        log_action(actor=UserFactory(), subject=city, verb="created")
    ResponsibilityRule.objects.filter(pk=rule.pk).update(name="改过的规则", is_active=False)
    ResponsibilityRule.objects.order_by("-pk").first().delete()
    assert Task.objects.count() == 3 and TaskCount.objects.exists()
    assert ActionLog.objects.count() > MIGRATED["action_log"]


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_the_database_as_migrate_left_it():
    assert MIGRATED, "runs after the transactional test above, in the same process"
    assert migrated_state() == MIGRATED
