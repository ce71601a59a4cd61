"""Issue 16's acceptance with real parts: a real Celery worker on the real Redis broker sends the deliveries, SMS
to the file backend, PostgreSQL. The township commander asks the district (文峰区) to take over; the district's
on-duty head gets an urgent SMS with their own acknowledgment link. Nobody acknowledges: the escalation scan, run
with a clock past ALERTS_ACK_MINUTES, sends it again to the on-duty head and passes it up the chain to the next
person, who receives it by SMS too. The on-duty head then accepts from the incident page: command moves up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertTarget
from alerts.services import alerts_escalate
from response import services
from response.models import Incident, IncidentLevel
from tests.alerts.conftest import _english, alerted  # noqa: F401  (autouse: ALERTS_ACK_MINUTES = 5)
from tests.integration.conftest import wait_for
from tests.integration.test_alerts_acceptance import sms_file, texts_to, token_in, worker
from tests.response.conftest import response_city

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

__all__ = ["alerted", "response_city", "sms_file", "worker"]

PHONE = "13900000101"


def test_an_unacknowledged_higher_level_request_is_resent_up_the_chain_and_accepted(
    city, users, response_city, worker, sms_file
):
    rc = response_city
    head = rc.county_emergency_head
    head.phone = PHONE
    head.save(update_fields=["phone"])
    incident = services.incident_open(
        actor=rc.officer, jurisdiction=city.street, title="东大街人员聚集", level=IncidentLevel.objects.get(code="II")
    )
    request = services.escalation_request(incident=incident, actor=rc.officer, reason="现场警力不足")
    alert = Alert.objects.get(rule__key="response.higher_level", subject_id=request.pk)
    target = AlertTarget.objects.get(alert=alert, user=head)

    # The head may also have had the opening's alert: the request's SMS is the one with its own link.
    def mine() -> list[str]:
        return [t for t in texts_to(sms_file, PHONE) if "/alerts/a/" in t and token_in(t) == target.token]

    wait_for(lambda: mine(), timeout=120, what="the on-duty head's SMS of the request")
    assert len(mine()) == 1

    later = timezone.now() + dt.timedelta(minutes=6)  # past ALERTS_ACK_MINUTES (5): the beat's scan
    alerts_escalate(now=later)
    target.refresh_from_db()
    assert target.escalated_at == later
    up = AlertTarget.objects.filter(alert=alert, escalated_from=target)
    assert up.exists(), "the request was not passed up the chain"
    wait_for(lambda: len(mine()) == 2, timeout=120, what="the head's second SMS of the request")
    for next_person in up.select_related("user"):
        phone = next_person.user.phone
        wait_for(lambda p=phone: texts_to(sms_file, p), timeout=120, what="the next person's SMS")

    client = Client()
    client.force_login(head)
    assert client.post(f"/incidents/{incident.pk}/accept/", {"confirm": "on"}).status_code == 302
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.commander == head and incident.command_jurisdiction == city.wenfeng
