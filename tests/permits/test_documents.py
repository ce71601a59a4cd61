"""The review's documents, issued through the notices service inside each step's transaction: acceptance,
correction and non-acceptance notices, the permit decision (copied to the next level of public security) and
the refusal (naming where to seek review or sue)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from crowdsafe.errors import DomainError
from notices.models import Notice
from notices.selectors import notices_for
from permits import services
from tests.permits.conftest import through_inspection

pytestmark = pytest.mark.django_db


def _kinds(application):
    return [n.kind for n in notices_for(application).order_by("issued_at", "id")]


def test_acceptance_issues_the_acceptance_notice_with_both_deadlines(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    services.application_accept(application=complete_application, actor=permit_city.users.staff)
    complete_application.refresh_from_db()
    notice = notices_for(complete_application).get()
    assert notice.kind == "acceptance"
    assert notice.issuer == permit_city.city.wenfeng_police
    assert notice.recipient == permit_city.city.organisation.name
    assert notice.context["statutory_decision_due"] == complete_application.statutory_decision_due.isoformat()
    assert notice.context["promised_decision_due"] == complete_application.promised_decision_due.isoformat()
    assert notice.context["application_number"] == complete_application.number
    assert notice.number.endswith(f"〔{notice.year}〕1号")


def test_correction_and_non_acceptance_notices(permit_city, complete_application):
    users = permit_city.users
    services.application_submit(application=complete_application, actor=users.organizer)
    services.application_return_for_correction(application=complete_application, actor=users.staff, items="补充平面图")
    services.application_submit(application=complete_application, actor=users.organizer)
    services.application_not_accept(application=complete_application, actor=users.staff, reasons="材料虚假")
    assert _kinds(complete_application) == ["correction", "non_acceptance"]
    correction, refusal = notices_for(complete_application).order_by("issued_at", "id")
    assert correction.context["items"] == ["补充平面图"]
    assert refusal.context["reasons"] == ["材料虚假"]


def test_the_permit_decision_is_copied_to_the_next_level_of_public_security(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    with translation.override("en"):  # the head works in English; the document is in Chinese all the same
        services.application_decide(
            application=application,
            actor=permit_city.users.head,
            outcome="approve",
            approved_capacity=2500,
            conditions=["设置隔离护栏"],
        )
    notice = notices_for(application).filter(kind="permit_approval").get()
    assert notice.context["event_kind"] == "演唱会、音乐会等文艺演出活动"
    assert notice.copy_to == ["安阳市公安局"]
    assert notice.context["approved_capacity"] == 2500
    assert notice.context["conditions"][1:] == ["设置隔离护栏"]
    assert "安全检查" in notice.context["conditions"][0]
    assert notice.context["tickets_by_zone"][0]["zone"] == "东看台"
    assert notice.context["venue_name"] == "文峰体育中心体育场"


def test_the_refusal_names_where_to_seek_review_or_sue(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="refuse", reasons=["疏散通道宽度不足"]
    )
    notice = notices_for(application).filter(kind="permit_refusal").get()
    assert notice.context["review_authority"] == "安阳市文峰区人民政府"
    assert notice.context["court"] == "安阳市文峰区人民法院"
    assert notice.context["reasons"] == ["疏散通道宽度不足"]


def test_a_refused_step_issues_no_document_and_uses_no_number(permit_city, complete_application):
    application = through_inspection(complete_application, permit_city)
    before = Notice.objects.count()
    with pytest.raises(DomainError):
        services.application_decide(
            application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=9999
        )
    assert Notice.objects.count() == before
    services.application_decide(
        application=application, actor=permit_city.users.head, outcome="approve", approved_capacity=2000
    )
    approval = notices_for(application).get(kind="permit_approval")
    assert approval.serial == 1


def test_the_documents_are_listed_on_the_application_page(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    services.application_accept(application=complete_application, actor=permit_city.users.staff)
    notice = notices_for(complete_application).get()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(permit_city.users.organizer)
    html = client.get(reverse("permits:application_detail", args=[complete_application.pk])).content.decode()
    assert notice.number in html


def test_the_permit_decision_pdf_reads_right(permit_city, complete_application, settings):
    """Rendered as the worker would (the PDF is made after commit): the decision names the event, the approved
    capacity and the conditions. Page images go to tests/artifacts/ for a human to look at."""
    import io
    import shutil
    import subprocess
    from pathlib import Path

    from pypdf import PdfReader

    from notices.services import notice_render

    application = through_inspection(complete_application, permit_city)
    services.application_decide(
        application=application,
        actor=permit_city.users.head,
        outcome="approve",
        approved_capacity=2500,
        conditions=["各入口设置安检门并配足安检人员"],
    )
    notice = notice_render(notice_id=notices_for(application).get(kind="permit_approval").pk)
    content = notice.pdf.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    compact = "".join(text.split())
    for expected in ("洹河之夜音乐会", "2500", "各入口设置安检门并配足安检人员", "安阳市公安局"):
        assert expected in compact
    if shutil.which("pdftoppm"):
        artifacts = Path(__file__).resolve().parents[1] / "artifacts"
        artifacts.mkdir(exist_ok=True)
        pdf_path = artifacts / "permits-decision.pdf"
        pdf_path.write_bytes(content)
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(artifacts / "permits-decision")], check=True)
