"""Error pages render in the layout; 500.html needs no context at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.template import loader
from django.test import RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_a_404_in_the_layout(client, users, login):
    for c in (client, login(users.staff)):
        response = c.get("/no/such/page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert 'class="site-header"' in html
        assert 'class="error-code">404<' in html


def test_the_404_page_keeps_the_signed_in_shell(users, login):
    html = login(users.staff).get("/no/such/page/").content.decode()
    assert 'data-nav="home"' in html


def test_the_403_page(rf: RequestFactory, users):
    request = rf.get("/somewhere/")
    request.user = users.staff
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert 'class="error-code">403<' in response.content.decode()


def test_the_500_page_renders_without_any_context():
    html = loader.get_template("500.html").render()
    assert 'class="error-code">500<' in html
    assert 'class="site-header"' in html
    assert "csrfmiddlewaretoken" not in html  # no forms that could not work without a request


def test_the_500_handler_uses_it(rf: RequestFactory):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert 'class="error-code">500<' in response.content.decode()
