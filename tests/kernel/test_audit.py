"""The action log is append-only and written in the same transaction as the change."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from crowdsafe.audit.models import ActionLog, AppendOnlyError
from crowdsafe.audit.selectors import timeline_for
from crowdsafe.audit.services import NotInTransactionError, log_action
from crowdsafe.org.services import jurisdiction_create, jurisdiction_rename
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_service_writes_who_what_from_to_and_why(city):
    actor = UserFactory(full_name="王主任")
    jurisdiction_rename(jurisdiction=city.street2, name="西大街道", actor=actor, reason="区划调整")

    entry = timeline_for(subject=city.street2)[0]
    assert (entry.actor, entry.actor_label, entry.verb) == (actor, "王主任", "renamed")
    assert (entry.from_state, entry.to_state, entry.reason) == ("西大街街道", "西大街道", "区划调整")


@pytest.mark.django_db(transaction=True)
def test_log_action_refuses_to_run_outside_a_transaction(city):
    assert not connection.in_atomic_block
    with pytest.raises(NotInTransactionError):
        log_action(actor=None, subject=city.street, verb="created")


def test_the_model_refuses_updates_and_deletes(city):
    entry = ActionLog.objects.filter(subject_id=city.street.pk).first()
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_database_refuses_updates_and_deletes_that_bypass_the_model(city):
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionLog.objects.all().update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        ActionLog.objects.all().delete()
    assert not ActionLog.objects.filter(reason="rewritten").exists()


def test_a_failed_change_leaves_no_log_entry(city):
    before = ActionLog.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - the duplicate code is refused by the service
        jurisdiction_create(code="410502001", name="重复", level="township", parent=city.wenfeng, actor=None)
    assert ActionLog.objects.count() == before
