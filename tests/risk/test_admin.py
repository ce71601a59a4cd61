"""The admin: administrators move the risk matrix's boundaries (refused when a score would be left without a
level); the other risk records are read-only there."""

from __future__ import annotations

import pytest
from django.test import Client

from crowdsafe.errors import PermissionDeniedError
from risk import services
from risk.models import RiskBand

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(users):
    users.admin.is_staff = True
    users.admin.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    users.admin.user_permissions.add(*Permission.objects.filter(content_type__app_label="risk"))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.admin)
    return client


def test_an_administrator_moves_a_band_boundary_in_the_admin(admin_client):
    blue = RiskBand.objects.get(level="blue")
    url = f"/admin/risk/riskband/{blue.pk}/change/"
    assert admin_client.get(url).status_code == 200
    # Blue up to 4 alone overlaps yellow (4–8): refused with a message, nothing changes.
    response = admin_client.post(url, {"min_score": 1, "max_score": 4})
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert RiskBand.objects.get(pk=blue.pk).max_score == 3
    # On the list page the shared boundary moves in one go: blue 1–4, yellow 5–8.
    rows = list(RiskBand.objects.order_by("min_score"))
    data = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4", "_save": "Save"}
    new = {"blue": (1, 4), "yellow": (5, 8), "orange": (9, 16), "red": (20, 25)}
    for i, row in enumerate(rows):
        low, high = new[row.level]
        data.update({f"form-{i}-id": row.pk, f"form-{i}-min_score": low, f"form-{i}-max_score": high})
    response = admin_client.post("/admin/risk/riskband/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert services.level_of(4) == "blue"
    assert services.level_of(5) == "yellow"
    # A set that leaves 4 without a level is refused as a whole.
    data.update({"form-0-max_score": 3})
    response = admin_client.post("/admin/risk/riskband/", data)
    assert response.status_code == 200
    assert services.level_of(4) == "blue"


def test_only_administrators_set_the_bands(users):
    with pytest.raises(PermissionDeniedError):
        services.bands_update(
            bands={"blue": (1, 4), "yellow": (5, 8), "orange": (9, 16), "red": (20, 25)}, actor=users.leader
        )


def test_the_other_risk_records_are_read_only_in_the_admin(admin_client):
    for model in ("riskassessment", "hazard", "assessmentcampaign", "subjectrisklevel"):
        assert admin_client.get(f"/admin/risk/{model}/").status_code == 200
        assert admin_client.get(f"/admin/risk/{model}/add/").status_code == 403
