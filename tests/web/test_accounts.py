"""Sign in, sign out and password change: Django's views with our templates."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a-new-Pass-phrase-2026"


def test_the_sign_in_page_has_a_focused_form_and_no_password_reset_link(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert "autofocus" in html
    assert 'autocomplete="current-password"' in html
    # There is no e-mail set-up: no link to a reset page that could not work.
    assert "reset" not in html.lower()


def test_a_user_signs_in_and_lands_on_the_home_page(client, users):
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(users.leader.pk)


def test_sign_in_goes_on_to_the_page_that_asked_for_it(client, users):
    target = reverse("org:jurisdiction_list")
    response = client.get(target)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={target}"
    response = client.post(reverse("login"), {"username": "u_leader", "password": PASSWORD, "next": target})
    assert response.url == target


def test_a_wrong_password_shows_the_form_again_with_an_error(client, users):
    response = client.post(reverse("login"), {"username": "u_leader", "password": "wrong-password"})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_signed_in_user_opening_the_sign_in_page_goes_home(login, users):
    response = login(users.staff).get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_sign_out_is_post_only(login, users):
    client = login(users.staff)
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in client.session
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'class="message message-success"' in page.content.decode()


def test_the_home_page_offers_sign_out_as_a_post_form(login, users):
    html = login(users.staff).get(reverse("home")).content.decode()
    assert f'method="post" action="{reverse("logout")}"' in html


def test_a_user_changes_their_password(login, users):
    client = login(users.staff)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    done = client.get(response.url)
    assert done.status_code == 200
    assert 'data-result="password-changed"' in done.content.decode()
    users.staff.refresh_from_db()
    assert users.staff.check_password(NEW)
    # Still signed in on this device after the change.
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_current_password_changes_nothing(login, users):
    client = login(users.staff)
    response = client.post(
        reverse("password_change"),
        {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    users.staff.refresh_from_db()
    assert users.staff.check_password(PASSWORD)


def test_password_pages_need_a_signed_in_user(client):
    for name in ("password_change", "password_change_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
