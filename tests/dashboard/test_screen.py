"""The command-centre screen (issue 17 point 5): opened with a read-only, revocable screen token scoped to a
territory; nothing writable with it; leaders open it signed in; partners and outsiders get a 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from crowdsafe.audit.models import ActionLog
from dashboard.models import ScreenToken
from dashboard.services import screen_token_create, screen_token_revoke
from events.models import Gathering
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def wall(city, users):
    screen, token = screen_token_create(actor=users.leader, name="文峰区指挥中心", jurisdiction=city.wenfeng)
    return screen, token


def test_the_token_opens_its_territory_without_a_login(city, users, wall):
    _screen, token = wall
    red = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk=red.pk).update(risk_level="red")
    client = Client()
    page = client.get(reverse("dashboard:screen-token", args=[token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "文峰区" in html and 'data-figure="red-gatherings">1<' in html
    assert 'hx-trigger="every 30s"' in html and page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    data = client.get(reverse("dashboard:screen-token-data", args=[token]))
    assert data.status_code == 200 and 'data-figure="red-gatherings">1<' in data.content.decode()
    assert "_auth_user_id" not in client.session  # the token signs no one in
    assert client.get(reverse("dashboard:risk")).status_code == 302  # nothing else opens with it
    assert ScreenToken.objects.get().token_hash != token  # only the hash is kept


def test_nothing_is_writable_with_the_token(users, wall):
    _screen, token = wall
    client = Client(enforce_csrf_checks=False)
    logs = ActionLog.objects.count()
    for url in (reverse("dashboard:screen-token", args=[token]), reverse("dashboard:screen-token-data", args=[token])):
        for method in (client.post, client.put, client.patch, client.delete):
            assert method(url, {"name": "x"}).status_code == 405
    assert client.post(reverse("dashboard:matrix"), {"root": "410502"}).status_code in (302, 403, 405)
    assert ActionLog.objects.count() == logs and ScreenToken.objects.get().revoked_at is None


def test_revoked_unknown_and_out_of_rights_tokens_open_nothing(city, users, wall):
    screen, token = wall
    client = Client()
    assert client.get(reverse("dashboard:screen-token", args=["scr_nonsense"])).status_code == 404
    screen_token_revoke(screen=screen, actor=users.admin)
    assert client.get(reverse("dashboard:screen-token", args=[token])).status_code == 404
    assert client.get(reverse("dashboard:screen-token-data", args=[token])).status_code == 404
    # A leader may not make a token for a territory outside their own (partner's district, another city).
    from crowdsafe.errors import DomainError

    with pytest.raises(DomainError):
        screen_token_create(actor=users.leader, name="x", jurisdiction=city.mhk_town)
    with pytest.raises(DomainError):
        screen_token_create(actor=users.outsider, name="x", jurisdiction=city.mhk_town)


def test_signed_in_screen_owner_partner_outsider(city, users, client):
    client.force_login(users.leader)
    assert client.get(reverse("dashboard:screen")).status_code == 200
    assert client.get(reverse("dashboard:screen-data")).status_code == 200
    assert client.get(reverse("dashboard:screen"), {"root": "410503"}).status_code == 404  # partner district
    assert client.post(reverse("dashboard:screen")).status_code == 405
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard:screen")).status_code == 404
    assert client.get(reverse("dashboard:screen-data")).status_code == 404


def test_the_admin_makes_and_revokes_screen_tokens(city, users, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    add = reverse("admin:dashboard_screentoken_add")
    response = client.post(add, {"name": "市指挥中心", "jurisdiction": city.anyang.pk}, follow=True)
    assert response.status_code == 200
    screen = ScreenToken.objects.get(name="市指挥中心")
    assert "/dashboard/screen/scr_" in response.content.decode()  # the address, shown once
    changelist = reverse("admin:dashboard_screentoken_changelist")
    client.post(changelist, {"action": "revoke", "_selected_action": [screen.pk]})
    screen.refresh_from_db()
    assert screen.revoked_at is not None
