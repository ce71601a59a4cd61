"""The admin: administrators set each issuer's 代字 and upload seal images; issued documents and the number
counters are read-only there (they change only through the services)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from notices.choices import NoticeKind
from notices.models import DepartmentSeal, NumberingScheme
from tests.factories import UserFactory
from tests.notices.conftest import issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("model", ["notice", "numberingscheme", "departmentseal", "numbercounter"])
def test_every_model_has_an_admin_list(admin_client, city, venue, model):
    issue(NoticeKind.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    assert admin_client.get(reverse(f"admin:notices_{model}_changelist")).status_code == 200


def test_documents_and_counters_are_read_only(admin_client, city, venue):
    notice = issue(NoticeKind.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    assert admin_client.get(reverse("admin:notices_notice_add")).status_code == 403
    response = admin_client.post(reverse("admin:notices_notice_change", args=[notice.pk]), {"number": "改号"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:notices_numbercounter_add")).status_code == 403


def test_an_admin_sets_a_prefix_and_refuses_a_malformed_one(admin_client, city, venue):
    url = reverse("admin:notices_numberingscheme_add")
    base = {"issuer": city.city_police.pk, "kind": NoticeKind.PERMIT_APPROVAL}
    response = admin_client.post(url, {**base, "prefix": "安公〔许"})
    assert response.status_code == 200
    assert not NumberingScheme.objects.exists()
    admin_client.post(url, {**base, "prefix": "安公治许"})
    assert NumberingScheme.objects.get().prefix == "安公治许"
    notice = issue(NoticeKind.PERMIT_APPROVAL, issuer=city.city_police, subject=venue)
    assert notice.number.startswith("安公治许〔")


def test_an_admin_uploads_a_seal_image(admin_client, city):
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (0, 0, 0, 0)).save(buffer, "PNG")
    response = admin_client.post(
        reverse("admin:notices_departmentseal_add"),
        {
            "department": city.wenfeng_police.pk,
            "image": SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png"),
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    seal = DepartmentSeal.objects.get()
    assert seal.uploaded_by.username == "root"
    page = admin_client.get(reverse("admin:notices_departmentseal_change", args=[seal.pk]))
    assert b"data:image/png;base64," in page.content
