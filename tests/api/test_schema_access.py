"""The OpenAPI schema and its pages need a sign-in (issue 18 point 7): the test settings run with DEBUG false, as
production does. A visitor gets a 401/403 from the schema and is sent to the sign-in form by the pages; a signed-in
person (session) or an API client (token) gets them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_test_settings_run_as_production_does():
    assert settings.DEBUG is False


def test_a_visitor_gets_no_schema(client):
    response = client.get("/api/schema/")
    assert response.status_code in {401, 403}
    assert b"openapi" not in response.content


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_a_visitor_is_sent_to_the_sign_in_form_from_the_docs_pages(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse(settings.LOGIN_URL)}?next={url}"


def test_a_signed_in_person_reads_the_schema_and_its_pages(client, users):
    client.login(username=users.staff.username, password=PASSWORD)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_an_api_client_reads_the_schema_with_its_token(users):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=users.staff).key}")
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
