"""Two heads of the licensing department deciding the same application at the same moment, each on its own
database connection (one thread each): exactly one decision is made; the other is refused by the guard after
waiting for the row lock."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError
from permits import services
from permits.choices import ApplicationState
from permits.models import PermitApplication, PermitCondition
from tests.permits.conftest import through_inspection

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_heads_deciding_at_once_make_exactly_one_decision(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    heads = [permit_city.users.head, permit_city.head2]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[str] = []
    connections: list[int] = []

    def decide(head, outcome):
        try:
            with translation.override("en"):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    connections.append(cursor.fetchone()[0])
                barrier.wait(timeout=30)
                services.application_decide(
                    application=PermitApplication.objects.get(pk=application.pk),
                    actor=head,
                    outcome=outcome,
                    approved_capacity=2000,
                    conditions=["设置安检口"],
                    reasons=["不符合条件"],
                )
                outcomes.append(outcome)
        except DomainError as exc:
            errors.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(heads[0], "approve")),
        threading.Thread(target=decide, args=(heads[1], "refuse")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(set(connections)) == 2  # two database connections
    assert len(outcomes) == 1 and errors == ["invalid_state"]
    application.refresh_from_db()
    decided = ActionLog.objects.filter(subject_id=application.pk, verb__in=["permit_approved", "permit_refused"])
    assert decided.count() == 1
    expected_state = ApplicationState.APPROVED if outcomes == ["approve"] else ApplicationState.REFUSED
    assert application.state == expected_state
    assert PermitCondition.objects.filter(application=application).count() == (1 if outcomes == ["approve"] else 0)
