"""Issue 20 point 7: an ordinary hazard found by a department (the fire brigade) and fixed by the venue operator is
not closed by the operator alone: it awaits the finding department's confirmation (复查), which is told (not
urgently) when the unit reports it fixed. Service, page and API, with the finding department (allowed), a partner
who sees the hazard (the supervising township, the operator: refused) and an outsider (404)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from crowdsafe.audit.selectors import timeline_for
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.choices import DepartmentKind, Role
from notifications.models import Message
from risk import services
from tests.factories import DepartmentFactory, UserFactory, member
from tests.risk.conftest import hazard, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def fire(city):
    """文峰区消防救援大队 and one of its firefighters."""
    department = DepartmentFactory(
        name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng
    )
    user = member(UserFactory(username="u_fire"), role=Role.STAFF, department=department).user
    return department, user


def fixed_by_operator(h, operator):
    return services.hazard_close(hazard=h, actor=operator.user, note="已清理展架", photos=[photo("fixed.jpg")])


def test_a_hazard_found_by_the_fire_brigade_records_the_finding_department(venue, fire):
    department, firefighter = fire
    assert hazard(venue, firefighter).found_by_department == department


def test_a_hazard_found_on_patrol_has_no_finding_department_and_the_operator_closes_it(venue, users, operator):
    h = hazard(venue, users.grid_worker)
    assert h.found_by_department is None
    assert fixed_by_operator(h, operator).state == "closed"


def test_the_operator_alone_cannot_close_what_the_fire_brigade_found(venue, fire, operator):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    h.refresh_from_db()
    assert h.state == "awaiting_confirmation"
    assert h.closed_at is None
    assert [e.verb for e in timeline_for(subject=h)][:1] == ["reported_fixed"]


def test_the_finding_department_is_told_not_urgently_when_the_operator_reports_it_fixed(venue, fire, operator):
    department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    message = Message.objects.get(department=department)
    assert not message.urgent
    assert h.title in message.title
    assert firefighter.notifications.filter(message=message).exists()


def test_the_finding_department_confirms_the_closure(venue, fire, operator):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    services.hazard_confirm_closure(hazard=h, actor=firefighter, confirmed=True, note="复查合格")
    h.refresh_from_db()
    assert h.state == "closed"
    assert h.closed_by == firefighter
    assert timeline_for(subject=h)[0].verb == "closure_confirmed"


def test_a_refusal_needs_a_reason_and_sends_the_hazard_back_to_the_unit(venue, fire, operator):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    with pytest.raises(DomainError) as err:
        services.hazard_confirm_closure(hazard=h, actor=firefighter, confirmed=False, note="")
    assert err.value.field == "note"
    services.hazard_confirm_closure(hazard=h, actor=firefighter, confirmed=False, note="通道仍有杂物")
    h.refresh_from_db()
    assert h.state == "open"
    entry = timeline_for(subject=h)[0]
    assert (entry.verb, entry.reason) == ("closure_refused", "通道仍有杂物")


def test_the_supervising_township_and_the_operator_cannot_confirm_for_the_finder(venue, fire, operator, users):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    for someone in (users.township_officer, operator.user):
        with pytest.raises(PermissionDeniedError):
            services.hazard_confirm_closure(hazard=h, actor=someone, confirmed=True)
    h.refresh_from_db()
    assert h.state == "awaiting_confirmation"


def test_when_the_finding_department_fixes_it_itself_it_is_closed_at_once(venue, fire):
    _department, firefighter = fire
    h = hazard(venue, firefighter)
    services.hazard_close(hazard=h, actor=firefighter, note="当场清理", photos=[photo("fixed.jpg")])
    h.refresh_from_db()
    assert h.state == "closed"


def test_a_major_hazard_reported_fixed_tells_the_finding_department(venue, fire, operator):
    department, firefighter = fire
    h = hazard(venue, firefighter, level="major")
    services.hazard_submit_plan(
        hazard=h,
        actor=operator.user,
        data={
            "goal": "清除堆放物",
            "measures": "移除展架",
            "funds_yuan": "0",
            "people": "张三",
            "deadline": h.rectification_deadline,
            "interim_measures": "专人值守",
        },
    )
    services.hazard_report_fixed(hazard=h, actor=operator.user, note="已整改", photos=[photo("fixed.jpg")])
    assert Message.objects.filter(department=department, urgent=False).exists()


# --- the page ------------------------------------------------------------------------------------------------


def page(user, h):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client, client.get(reverse("risk:hazard_detail", args=[h.pk]))


def test_the_hazard_page_offers_the_confirmation_to_the_finding_department_only(venue, fire, operator):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    client, response = page(firefighter, h)
    assert 'data-step="confirm-closure"' in response.content.decode()
    assert "文峰区消防救援大队" in response.content.decode()
    _, response = page(operator.user, h)
    assert 'data-step="confirm-closure"' not in response.content.decode()
    client.post(reverse("risk:hazard_confirm_closure", args=[h.pk]), {"decision": "confirm", "note": ""})
    h.refresh_from_db()
    assert h.state == "closed"


def test_the_operator_is_told_the_finding_department_confirms_the_closure(venue, fire, operator):
    _department, firefighter = fire
    h = hazard(venue, firefighter)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(operator.user)
    response = client.post(
        reverse("risk:hazard_fix", args=[h.pk]), {"note": "已清理", "photos": [photo("after.jpg")]}, follow=True
    )
    assert "the department that found the hazard confirms its closure" in response.content.decode()


# --- the API: owner, partner, outsider -------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def confirm_url(h) -> str:
    return f"/api/v1/risk/hazards/{h.pk}/confirm-closure/"


def test_the_finding_department_confirms_through_the_api(venue, fire, operator):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    response = api(firefighter).post(confirm_url(h), {"confirmed": True, "note": "复查合格"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "closed"


def test_a_partner_who_sees_the_hazard_is_refused_by_the_api(venue, fire, operator, users):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    for someone in (users.township_officer, operator.user):
        response = api(someone).post(confirm_url(h), {"confirmed": True}, format="json")
        assert response.status_code == 403
    refused = api(firefighter).post(confirm_url(h), {"confirmed": False, "note": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "note"


def test_an_outsider_gets_404_from_the_api(venue, fire, operator, users):
    _department, firefighter = fire
    h = fixed_by_operator(hazard(venue, firefighter), operator)
    response = api(users.outsider).post(confirm_url(h), {"confirmed": True}, format="json")
    assert response.status_code == 404
