"""The public verification page (/v/<code>): the real code shows the issuer, number, date, subject and the
SHA-256 of the stored PDF; a changed or unknown code is reported as not found; a revoked document as revoked,
with when and why; too many requests get a clear 429 page."""

from __future__ import annotations

import random

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.choices import NoticeKind
from notices.models import VERIFY_ALPHABET
from notices.selectors import normalise_code
from tests.notices.conftest import issue_rendered


def visitor() -> Client:
    """An anonymous visitor from an address of its own, so that rate-limit counters never mix between tests."""
    return Client(REMOTE_ADDR=f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}")


@pytest.fixture
def decision(city, venue):
    return issue_rendered(NoticeKind.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue)


def test_the_real_code_shows_the_document_and_the_hash_of_its_pdf(decision):
    response = visitor().get(decision.verify_url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-verdict="genuine"' in content
    assert decision.issuer.name in content
    assert decision.number in content
    assert decision.issued_on.isoformat() in content
    assert decision.subject_label in content
    assert decision.title in content
    assert decision.sha256 in content
    assert len(decision.sha256) == 64


def test_a_changed_code_is_not_found(decision):
    code = decision.verify_code
    changed = code[:-1] + next(ch for ch in VERIFY_ALPHABET if ch != code[-1])
    response = visitor().get(reverse("notice_verify", args=[changed]))
    assert response.status_code == 404
    content = response.content.decode()
    assert 'data-verdict="unknown"' in content
    assert "Not found" in content
    assert decision.number not in content and decision.sha256 not in content


@pytest.mark.parametrize("code", ["x", "0000-0000-0000", "ABCDEFGHJKMN" * 3, "' OR 1=1 --"])
def test_malformed_codes_are_not_found_without_an_error(db, code):
    response = visitor().get(reverse("notice_verify", args=[code]))
    assert response.status_code == 404
    assert b'data-verdict="unknown"' in response.content


def test_the_code_may_be_typed_in_groups_and_lower_case(decision):
    typed = decision.verify_code_display.lower()
    assert normalise_code(typed) == decision.verify_code
    response = visitor().get(reverse("notice_verify_form"), {"code": typed}, follow=True)
    assert response.status_code == 200
    assert decision.number in response.content.decode()


def test_the_form_page_asks_for_a_code(db):
    response = visitor().get(reverse("notice_verify_form"))
    assert response.status_code == 200
    assert b'name="code"' in response.content
    assert b"data-verdict" not in response.content


def test_a_revoked_document_is_shown_as_revoked_with_date_and_reason(users, decision):
    services.notice_revoke(notice=decision, actor=users.head, reason="活动取消，许可决定撤销")
    decision.refresh_from_db()
    response = visitor().get(decision.verify_url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-verdict="revoked"' in content
    assert "活动取消，许可决定撤销" in content
    assert timezone.localtime(decision.revoked_at).date().isoformat() in content
    assert 'data-verdict="genuine"' not in content


def test_the_page_is_public_and_shows_no_staff_details(decision):
    content = visitor().get(decision.verify_url).content.decode()
    assert decision.recipient not in content  # the addressee is not published
    assert "login" not in content.lower().split("<main", 1)[1]


def test_too_many_requests_get_a_clear_429_page(settings, decision):
    settings.NOTICES_VERIFY_RATE = "3/h"  # per hour: no window boundary falls inside the test
    client = visitor()
    for _ in range(3):
        assert client.get(decision.verify_url).status_code == 200
    response = client.get(decision.verify_url)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert b"Too many requests" in response.content
    # Guessing codes on the form page counts too; another visitor is not affected.
    assert client.get(reverse("notice_verify_form")).status_code == 429
    assert visitor().get(decision.verify_url).status_code == 200
