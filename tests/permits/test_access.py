"""Who sees which applications: organizers their organisation's; departments what they license and what they
are asked to inspect (a guardian grant, removed when their inspection is recorded); everyone else 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from permits import selectors, services
from permits.choices import EventKind
from permits.models import SiteInspection
from tests.helpers.access import assert_scoped_access
from tests.permits.conftest import build_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    return complete_application


def _status(user, url):
    client = Client()
    client.force_login(user)
    return client.get(url).status_code


def test_an_organizer_from_another_organisation_gets_404(permit_city, submitted):
    users = permit_city.users
    for url in (
        reverse("permits:application_detail", args=[submitted.pk]),
        reverse("permits:application_edit", args=[submitted.pk]),
        reverse("v1:permit-application-detail", args=[submitted.pk]),
        reverse("permits:material_download", args=[submitted.materials.first().pk]),
    ):
        assert_scoped_access(url, owner=users.organizer, outsider=permit_city.other_organizer)


def test_the_licensing_department_sees_it_and_another_police_bureau_gets_404(permit_city, submitted):
    for url in (
        reverse("permits:application_detail", args=[submitted.pk]),
        reverse("permits:workspace", args=[submitted.pk]),
        reverse("v1:permit-application-detail", args=[submitted.pk]),
    ):
        assert_scoped_access(url, owner=permit_city.users.staff, outsider=permit_city.beiguan_staff)


def test_a_draft_is_seen_only_by_its_organizers(permit_city, complete_application):
    url = reverse("permits:application_detail", args=[complete_application.pk])
    assert _status(permit_city.users.organizer, url) == 200
    assert _status(permit_city.users.staff, url) == 404
    assert _status(permit_city.users.leader, url) == 404


def test_the_territorys_leader_sees_submitted_applications(permit_city, submitted):
    assert_scoped_access(
        reverse("permits:application_detail", args=[submitted.pk]),
        owner=permit_city.users.leader,
        outsider=permit_city.users.outsider,
    )


def test_a_department_asked_to_inspect_sees_the_application_until_its_inspection_is_recorded(permit_city, submitted):
    users = permit_city.users
    url = reverse("permits:application_detail", args=[submitted.pk])
    # Before the inspection: fire rescue has not been asked.
    assert _status(permit_city.fire_staff, url) == 404
    services.application_accept(application=submitted, actor=users.staff)
    services.application_start_review(application=submitted, actor=users.staff)
    services.application_start_inspection(application=submitted, actor=users.staff)
    fire = SiteInspection.objects.get(application=submitted, department=permit_city.wenfeng_fire)
    assert_scoped_access(url, owner=users.staff, partner=permit_city.fire_staff, outsider=permit_city.beiguan_staff)
    inspection_url = reverse("permits:inspection", args=[fire.pk])
    assert_scoped_access(inspection_url, owner=permit_city.fire_staff, outsider=permit_city.beiguan_staff)
    material_url = reverse("permits:material_download", args=[submitted.materials.first().pk])
    assert _status(permit_city.fire_staff, material_url) == 200
    services.inspection_record(inspection=fire, actor=permit_city.fire_staff, passed=True, findings="符合")
    assert _status(permit_city.fire_staff, url) == 404
    assert _status(permit_city.fire_staff, material_url) == 404
    # Its own inspection record stays open to it.
    assert _status(permit_city.fire_staff, inspection_url) == 200


def test_a_department_not_asked_to_inspect_gets_404(permit_city, stadium):
    users = permit_city.users
    application = build_application(
        organizer=users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        kind=EventKind.SPORTS,  # no culture & tourism inspection for sport
    )
    services.application_submit(application=application, actor=users.organizer)
    services.application_accept(application=application, actor=users.staff)
    services.application_start_review(application=application, actor=users.staff)
    services.application_start_inspection(application=application, actor=users.staff)
    housing = SiteInspection.objects.get(application=application, department=permit_city.wenfeng_housing)
    for url in (
        reverse("permits:application_detail", args=[application.pk]),
        reverse("v1:permit-application-detail", args=[application.pk]),
        reverse("permits:inspection", args=[housing.pk]),
    ):
        assert_scoped_access(url, owner=permit_city.housing_staff, outsider=permit_city.culture_staff)


def test_the_selector_scopes_the_list(permit_city, submitted, stadium):
    other = build_application(
        organizer=permit_city.other_organizer,
        organisation=permit_city.other_org,
        venue=stadium.venue,
        name="北关展销会",
        complete=False,
    )
    assert list(selectors.application_list(user=permit_city.users.organizer)) == [submitted]
    assert list(selectors.application_list(user=permit_city.other_organizer)) == [other]
    assert list(selectors.application_list(user=permit_city.users.staff)) == [submitted]
    assert list(selectors.application_list(user=permit_city.beiguan_staff)) == []
    assert list(selectors.review_queue(user=permit_city.users.staff)) == [submitted]
    assert list(selectors.review_queue(user=permit_city.users.organizer)) == []
