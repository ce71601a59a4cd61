"""Sign-in lockouts (django-axes) on the web sign-in page: guessing stops working, even with the right password
in the end; the lockout is explained in Chinese, written to the action log, and undone from the admin."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation

from crowdsafe.accounts.lockout import VERB_LOCKED_OUT, VERB_UNLOCKED
from crowdsafe.audit.models import ActionLog
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _guess(client: Client, username: str, times: int, **extra):
    for n in range(times):
        client.post(reverse("login"), {"username": username, "password": f"wrong-{n}"}, **extra)


def test_seventy_wrong_passwords_then_the_right_one_does_not_sign_in(client, users):
    _guess(client, "u_leader", 70)
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_lockout_holds_for_the_account_from_another_address(users):
    _guess(Client(REMOTE_ADDR="10.1.0.1"), "u_leader", 10)
    other = Client(REMOTE_ADDR="10.1.0.2")
    response = other.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in other.session


def test_the_lockout_holds_for_the_address_with_other_accounts(users):
    client = Client(REMOTE_ADDR="10.1.0.3")
    for n in range(10):
        client.post(reverse("login"), {"username": f"nobody{n}", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "u_staff", "password": PASSWORD})
    assert response.status_code == 429


def test_a_changed_x_forwarded_for_does_not_escape_the_address_lockout_when_no_proxy_is_trusted(users, settings):
    settings.TRUSTED_PROXY_IP_HEADER = ""
    client = Client(REMOTE_ADDR="10.1.0.4")
    for n in range(10):
        client.post(
            reverse("login"), {"username": f"nobody{n}", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
    response = client.post(
        reverse("login"), {"username": "u_staff", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429


def test_the_lockout_page_says_why_in_chinese(client, users):
    _guess(client, "u_leader", 10)
    with translation.override("zh-hans"):
        response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert "登录失败次数过多" in html
    assert "30" in html  # the cool-off, in minutes
    assert 'name="username"' in html  # still the sign-in page, not a bare text


def test_the_lockout_is_in_the_action_log_of_the_account(client, users):
    _guess(client, "u_leader", 10)
    entry = ActionLog.objects.get(verb=VERB_LOCKED_OUT)
    assert entry.subject == users.leader
    assert entry.data["username"] == "u_leader"
    assert entry.data["ip_address"] == "127.0.0.1"


def test_an_administrator_unlocks_in_the_admin_and_the_unlock_is_logged(client, users, django_user_model):
    _guess(client, "u_leader", 10)
    root = django_user_model.objects.create_superuser("root", password="root-Pass-2026")
    admin_client = Client()
    admin_client.force_login(root)
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(users.leader.pk)
    unlock = ActionLog.objects.get(verb=VERB_UNLOCKED)
    assert unlock.actor == root
    assert unlock.subject == users.leader
