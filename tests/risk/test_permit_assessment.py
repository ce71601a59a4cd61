"""A large event's risk assessment: the organizer assesses its own event (主办方自评) and the licensing department
reviews it — returning it with reasons, then signing it off; the application's current level is kept by the risk
app (nothing is written into the permits app)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crowdsafe.errors import PermissionDeniedError
from duties.models import Task
from risk import services
from risk.models import SubjectRiskLevel
from tests.risk.conftest import FACTORS_RED, assess

pytestmark = pytest.mark.django_db

permits_models = pytest.importorskip("permits.models")
if not hasattr(permits_models, "PermitApplication"):  # pragma: no cover - before the permits app landed
    pytest.skip("the permits app has no PermitApplication yet", allow_module_level=True)

from tests.permits.conftest import build_application, permit_city, stadium  # noqa: E402, F401 - fixtures


@pytest.fixture
def application(permit_city, stadium, users, city):  # noqa: F811
    from permits import services as permit_services

    application = build_application(organizer=users.organizer, organisation=city.organisation, venue=stadium.venue)
    permit_services.application_submit(application=application, actor=users.organizer)
    permit_services.application_accept(application=application, actor=users.staff)
    application.refresh_from_db()
    return application


def test_the_organizer_assesses_and_the_licensing_department_reviews(application, users, city, permit_city):  # noqa: F811
    own = assess(application, users.organizer, factors={"online_hype": 2})
    assert own.assessor_kind == "self"
    assert own.expected_attendance == 3000  # the largest session, from the application
    assert own.organisation == city.organisation
    services.assessment_submit(assessment=own, actor=users.organizer)
    own.refresh_from_db()
    assert own.review_department == city.wenfeng_police
    review = Task.objects.get(subject_type="risk_assessment", subject_id=own.pk, rule__key="risk.assessment_review")
    assert review.responsible_department == city.wenfeng_police
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=own, actor=users.organizer)
    with pytest.raises(PermissionDeniedError):
        services.assessment_sign_off(assessment=own, actor=permit_city.beiguan_staff)
    # The department's review finds the organizer's assessment too low and returns it.
    services.assessment_return(assessment=own, actor=users.staff, reason="未考虑夜间散场和周边地铁站客流叠加")
    services.assessment_update(
        assessment=own,
        actor=users.organizer,
        data={"factors": FACTORS_RED, "controls": ["stewards", "barriers", "one_way", "flow_limiting"]},
    )
    services.assessment_submit(assessment=own, actor=users.organizer)
    services.assessment_sign_off(assessment=own, actor=users.staff, note="同意，按方案落实")
    own.refresh_from_db()
    current = SubjectRiskLevel.objects.get(subject_type="permit_application", subject_id=application.pk)
    assert (current.level, current.assessment_id) == (own.level, own.pk)
    review.refresh_from_db()
    assert review.status == "done"
    # The escalation duty of the organizer (谁主办谁负责) when the level is orange or red.
    if own.level in {"orange", "red"}:
        assert Task.objects.filter(
            subject_type="risk_assessment",
            subject_id=own.pk,
            rule__key="risk.escalation_responsible_unit",
            responsible_organisation=city.organisation,
        ).exists()


def test_an_organizer_of_another_event_and_an_outsider_see_nothing(application, users, permit_city):  # noqa: F811
    own = assess(application, users.organizer)
    for user in (permit_city.other_organizer, users.outsider):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("risk:assessment_detail", args=[own.pk])).status_code == 404
        assert client.get(reverse("risk:subject", args=["permit_application", application.pk])).status_code == 404
        with pytest.raises(PermissionDeniedError):
            assess(application, user)


def test_the_application_page_shows_the_risk_block(application, users):
    own = assess(application, users.organizer)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.organizer)
    page = client.get(reverse("permits:application_detail", args=[application.pk])).content.decode()
    assert 'data-panel="risk_assessment"' in page
    assert reverse("risk:assessment_detail", args=[own.pk]) in page
