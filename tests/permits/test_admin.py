"""The permit admin: the promised deadline per jurisdiction, edited by the city's administrators through the
service (logged); the applications read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from permits.models import PromisedDeadline
from permits.services.local import promised_deadline_save

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_admin(users):
    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.admin)
    return client


def test_a_city_administrator_sets_a_promised_deadline_in_the_admin(city_admin, city):
    response = city_admin.post(
        "/admin/permits/promiseddeadline/add/",
        {"jurisdiction": city.wenfeng.pk, "days": "3", "unit": "working", "review_authority": "", "court": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = PromisedDeadline.objects.get(jurisdiction=city.wenfeng)
    assert (row.days, row.unit) == (3, "working")
    assert ActionLog.objects.filter(subject_id=row.pk, verb="created", to_state="3:working").exists()
    assert city_admin.get("/admin/permits/permitapplication/").status_code == 200


def test_only_administrators_of_the_city_may_set_it(users, city):
    with pytest.raises(PermissionDeniedError):
        promised_deadline_save(jurisdiction=city.wenfeng, days=3, unit="working", actor=users.staff)
    with pytest.raises(PermissionDeniedError):
        promised_deadline_save(jurisdiction=city.mhk_town, days=3, unit="working", actor=users.admin)
    with pytest.raises(DomainError):
        promised_deadline_save(jurisdiction=city.wenfeng, days=0, unit="working", actor=users.admin)
    superuser = get_user_model().objects.create_superuser("root", password="x" * 12)
    promised_deadline_save(jurisdiction=city.mhk_town, days=5, unit="calendar", actor=superuser)
    assert PromisedDeadline.objects.get(jurisdiction=city.mhk_town).unit == "calendar"


def test_the_admin_refuses_a_promise_later_than_the_statutory_7_working_days(city_admin, city):
    response = city_admin.post(
        "/admin/permits/promiseddeadline/add/",
        {"jurisdiction": city.wenfeng.pk, "days": "8", "unit": "working", "review_authority": "", "court": ""},
    )
    assert response.status_code == 200
    assert "may not be later than the statutory one" in response.content.decode()
    assert not PromisedDeadline.objects.filter(jurisdiction=city.wenfeng).exists()


def test_the_service_refuses_a_promise_later_than_the_statutory_one(users, city):
    with pytest.raises(DomainError):
        promised_deadline_save(jurisdiction=city.wenfeng, days=10, unit="calendar", actor=users.admin)


def test_the_settings_check_refuses_a_default_promise_later_than_the_law(settings):
    from permits.apps import check_promised_default

    settings.PERMITS_PROMISED_DAYS, settings.PERMITS_PROMISED_UNIT = 7, "working"
    assert check_promised_default(None) == []
    settings.PERMITS_PROMISED_DAYS = 10
    [error] = check_promised_default(None)
    assert error.id == "permits.E001"
