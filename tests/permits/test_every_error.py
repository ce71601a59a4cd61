"""Permit application forms say everything at once (issue 20 point 3): the application services (create, update,
submit) report every problem of the input in one answer — next to each field on the page, every reason of a refused
submission, a list under "errors" in the API's 400 — instead of the first one per attempt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from crowdsafe.errors import DomainError
from permits import services as permit_services
from permits.choices import ApplicationState
from permits.models import PermitApplication
from tests.forms.conftest import signed_in
from tests.permits.conftest import build_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def _future(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


# --- permit applications --------------------------------------------------------------------------------------


def test_the_permit_application_service_reports_every_problem_at_once(permit_city, stadium):
    with pytest.raises(DomainError) as caught:
        permit_services.application_create(
            organisation=permit_city.city.organisation,
            actor=permit_city.users.organizer,
            event_name="  ",
            event_kind="circus",
            safety_person_phone="1",
            safety_person_id_number="410502198001010010",
        )
    fields = [field for field, _message in caught.value.problems]
    assert fields == ["event_name", "event_kind", "safety_person_phone", "safety_person_id_number"]
    assert not PermitApplication.objects.exists()


def test_a_draft_update_reports_every_problem_at_once(permit_city, stadium):
    draft = build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        complete=False,
    )
    with pytest.raises(DomainError) as caught:
        permit_services.application_update(
            application=draft,
            actor=permit_city.users.organizer,
            data={"event_name": "长" * 200, "safety_person_name": "名" * 70, "plan_mode": "sung"},
        )
    assert [field for field, _m in caught.value.problems] == ["event_name", "safety_person_name", "plan_mode"]
    draft.refresh_from_db()
    assert draft.event_name == "洹河之夜音乐会"


def _late_and_incomplete(permit_city, stadium):
    """Filed 19 days before its first session (Art. 13: 20) and nothing but the sessions given."""
    return build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        days_ahead=19,
        complete=False,
    )


def test_a_submission_names_what_is_missing_and_what_the_regulation_refuses_together(permit_city, stadium):
    application = _late_and_incomplete(permit_city, stadium)
    with pytest.raises(DomainError) as caught:
        permit_services.application_submit(application=application, actor=permit_city.users.organizer)
    assert caught.value.code == "incomplete"
    messages = [str(m) for _f, m in caught.value.problems]
    assert len(messages) == 2, messages
    assert "Still missing" in messages[0]
    assert "Order 505 Art. 13" in messages[1]
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_the_submit_button_shows_every_reason(permit_city, stadium):
    application = _late_and_incomplete(permit_city, stadium)
    client = signed_in(permit_city.users.organizer)
    response = client.post(reverse("permits:application_submit", args=[application.pk]), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("Still missing" in m for m in shown), shown
    assert any("Order 505 Art. 13" in m for m in shown), shown


def test_the_submit_api_lists_every_reason(permit_city, stadium):
    application = _late_and_incomplete(permit_city, stadium)
    response = api(permit_city.users.organizer).post(reverse("v1:permit-submit", args=[application.pk]))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "incomplete"
    details = [e["detail"] for e in body["errors"]]
    assert len(details) == 2 and "Order 505 Art. 13" in details[1], body
