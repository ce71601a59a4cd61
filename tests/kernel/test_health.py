from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_healthz_answers_ok_over_plain_http_without_login(client, settings):
    settings.SECURE_SSL_REDIRECT = True  # as in production: the health check must not be redirected to https
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
