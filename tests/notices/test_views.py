"""The documents' pages: the scoped, filtered list; a document's page, which polls until its PDF is ready; the
access-checked download; revocation by heads; the staff's preview of each kind; the task assignment sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.services import grant_to_department
from notices.choices import NoticeKind, NoticeStatus
from notices.models import Notice
from tests.factories import UserFactory, member
from tests.helpers.access import assert_scoped_access
from tests.notices.conftest import issue, issue_rendered

K = NoticeKind


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def beiguan_staff(city):
    return member(UserFactory(username="beiguan_staff"), role="staff", department=city.beiguan_police).user


@pytest.fixture
def order(city, venue):
    """A rectification order of 文峰分局 about the venue (in 东大街社区's grid), addressed to its operator."""
    return issue_rendered(K.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)


def numbers(user, **params) -> set[str]:
    response = client_for(user).get(reverse("notices:list"), params)
    assert response.status_code == 200
    return {n.number for n in response.context["page"].object_list}


def test_the_list_shows_each_user_the_documents_of_their_departments_territory_and_organisation(
    city, users, venue, operator, order, beiguan_staff
):
    # Staff and heads of the issuer, the township officer and leader of the venue's territory, the city police
    # and the operator addressed: all see it. The 北关 police, another operator and 梅河口 do not.
    for user in (users.staff, users.head, users.township_officer, users.grid_worker, users.leader, users.admin):
        assert numbers(user) == {order.number}, user
    assert numbers(operator.user) == {order.number}
    for user in (beiguan_staff, operator.other_user, users.outsider, users.organizer):
        assert numbers(user) == set(), user


def test_a_department_granted_the_document_sees_it(city, users, order, beiguan_staff):
    grant_to_department(obj=order, codename="view_notice", department=city.beiguan_police, actor=None)
    assert numbers(beiguan_staff) == {order.number}


def test_the_list_filters_by_kind_issuer_and_date(city, users, venue):
    order = issue(K.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)
    acceptance = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    city_decision = issue(K.PERMIT_APPROVAL, issuer=city.city_police, subject=venue)
    Notice.objects.filter(pk=order.pk).update(issued_on=dt.date(2026, 1, 15))
    user = users.leader
    assert numbers(user, kind=K.ACCEPTANCE) == {acceptance.number}
    assert numbers(user, issuer=city.city_police.pk) == {city_decision.number}
    today = timezone.localdate().isoformat()
    assert numbers(user, date_from=today) == {acceptance.number, city_decision.number}
    assert numbers(user, date_from="2026-01-01", date_to="2026-01-31") == {order.number}
    assert numbers(user, q="许") == {city_decision.number}
    # A period ending before it starts is an error on the form, not a 500.
    response = client_for(user).get(reverse("notices:list"), {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]


def test_the_list_has_an_empty_state_and_a_fixed_number_of_queries(city, users, venue, django_assert_max_num_queries):
    response = client_for(users.staff).get(reverse("notices:list"))
    assert b"No documents yet." in response.content
    for _ in range(12):
        issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    client = client_for(users.staff)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notices:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 12


def test_the_document_page_polls_until_the_pdf_is_ready(city, users, venue):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    client = client_for(users.staff)
    page = client.get(notice.get_absolute_url())
    assert page.status_code == 200
    assert b'data-pdf-ready="no"' in page.content
    assert reverse("notices:pdf_status", args=[notice.pk]).encode() in page.content
    assert b'hx-trigger="every 2s"' in page.content
    # The download link answers with a message rather than a broken file.
    response = client.get(notice.download_url)
    assert response.status_code == 302

    from notices.services import notice_render

    notice_render(notice_id=notice.pk)
    fragment = client.get(reverse("notices:pdf_status", args=[notice.pk]))
    assert b'data-pdf-ready="yes"' in fragment.content
    assert b"hx-trigger" not in fragment.content  # polling stops
    notice.refresh_from_db()
    assert notice.sha256.encode() in fragment.content


def test_the_download_serves_the_stored_pdf_to_those_who_may_see_it(city, users, operator, order):
    response = client_for(operator.user).get(order.download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == order.pdf.open("rb").read()
    assert response["X-Content-SHA256"] == order.sha256
    attachment = client_for(users.staff).get(order.download_url + "?download=1")
    assert "attachment" in attachment["Content-Disposition"]
    assert_scoped_access(order.download_url, owner=users.staff, partner=operator.user, outsider=users.outsider)
    assert_scoped_access(
        order.download_url, owner=users.head, partner=users.township_officer, outsider=operator.other_user
    )


def test_the_document_page_is_scoped(city, users, operator, order):
    assert_scoped_access(order.get_absolute_url(), owner=users.staff, partner=operator.user, outsider=users.outsider)
    status_url = reverse("notices:pdf_status", args=[order.pk])
    assert_scoped_access(status_url, owner=users.staff, partner=operator.user, outsider=operator.other_user)


def test_a_head_revokes_from_the_page_and_staff_cannot(city, users, order):
    staff = client_for(users.staff)
    assert b'data-section="revoke"' not in staff.get(order.get_absolute_url()).content
    response = staff.post(reverse("notices:revoke", args=[order.pk]), {"reason": "错误"}, follow=True)
    assert b"Only a head of the issuing department" in response.content
    order.refresh_from_db()
    assert order.status == NoticeStatus.ISSUED

    head = client_for(users.head)
    assert b'data-section="revoke"' in head.get(order.get_absolute_url()).content
    response = head.post(reverse("notices:revoke", args=[order.pk]), {"reason": ""}, follow=True)
    assert b"Give the reason" in response.content
    response = head.post(reverse("notices:revoke", args=[order.pk]), {"reason": "隐患已当场整改"}, follow=True)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == NoticeStatus.REVOKED
    assert b"data-revoked" in response.content
    assert "隐患已当场整改".encode() in response.content


def test_an_outsider_cannot_revoke_what_they_cannot_see(city, users, order):
    response = client_for(users.outsider).post(reverse("notices:revoke", args=[order.pk]), {"reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("kind", [K.PERMIT_APPROVAL, K.TASK_ASSIGNMENT])
def test_staff_preview_a_kind_as_html_and_as_a_draft_pdf(city, users, kind):
    client = client_for(users.staff)
    url = reverse("notices:kind_preview", args=[kind])
    page = client.get(url)
    assert page.status_code == 200
    assert "安阳市公安局文峰分局".encode() in page.content
    assert b'srcdoc="&lt;!doctype html&gt;' in page.content  # the whole document, escaped into the attribute
    pdf = client.get(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert not Notice.objects.exists()  # nothing issued, no number taken


def test_only_department_staff_preview(users):
    assert client_for(users.leader).get(reverse("notices:kind_preview", args=[K.ACCEPTANCE])).status_code == 403
    assert client_for(users.staff).get(reverse("notices:kind_preview", args=["memo"])).status_code == 404


def test_a_fire_brigade_sees_why_it_cannot_issue_a_permit_decision(city):
    fire_staff = member(UserFactory(username="fire_staff"), role="staff", department=city.mhk_fire).user
    page = client_for(fire_staff).get(reverse("notices:kind_preview", args=[K.PERMIT_APPROVAL]))
    assert page.status_code == 200
    assert b"public security organ" in page.content


def test_the_verification_link_on_the_page_leads_to_the_public_page(city, users, order):
    page = client_for(users.staff).get(order.get_absolute_url())
    assert order.verify_url.encode() in page.content
    assert order.verify_url == f"/v/{order.verify_code}"


def test_the_nav_shows_documents_to_government_and_outside_users(users, operator):
    for user in (users.staff, users.grid_worker, operator.user, users.organizer):
        page = client_for(user).get(reverse("home"))
        assert reverse("notices:list").encode() in page.content, user


def test_a_malformed_filter_is_an_error_on_the_form_not_a_500(city, users, venue):
    issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    response = client_for(users.staff).get(reverse("notices:list"), {"issuer": "abc", "date_from": "yesterday"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"issuer", "date_from"}
    assert len(response.context["page"].object_list) == 1


def test_the_subject_include_lists_the_subjects_documents(city, venue):
    from django.template.loader import render_to_string

    from notices.selectors import notices_for

    empty = render_to_string("notices/_subject_notices.html", {"notices": []})
    assert "No documents issued about this record." in empty
    order = issue_rendered(K.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)
    html = render_to_string("notices/_subject_notices.html", {"notices": notices_for(venue)})
    assert order.number in html
    assert order.download_url in html
