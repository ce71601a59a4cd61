"""notice_issue, notice_render and notice_revoke: the contract other apps code against (docs/contracts/notices.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from notices import services
from notices.choices import NoticeKind, NoticeStatus
from notices.demo import sample_context, sample_recipient
from notices.models import VERIFY_ALPHABET, VERIFY_CODE_LENGTH, Notice
from notices.selectors import notices_for
from tests.factories import UserFactory
from tests.notices.conftest import issue, issue_rendered

K = NoticeKind


def test_issue_saves_the_document_with_its_number_parties_and_contents(city, users, venue, operator):
    notice = issue(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue, actor=users.staff)
    notice.refresh_from_db()
    assert notice.kind == K.PERMIT_APPROVAL
    assert notice.status == NoticeStatus.ISSUED
    assert notice.issuer == city.wenfeng_police
    assert notice.number == f"文公许〔{notice.year}〕1号"
    assert notice.title == "大型群众性活动安全许可决定书"
    assert notice.recipient == sample_recipient(K.PERMIT_APPROVAL)
    assert notice.subject == venue
    assert notice.subject_label == "安阳万达广场"
    # The subject's territory and organisation come from the responsibility engine's registry (a venue: its
    # grid and its operator).
    assert notice.subject_path == city.grid.path
    assert notice.issuer_path == city.wenfeng.path
    assert notice.recipient_organisation == operator.organisation
    assert notice.issued_by == users.staff
    # Dates are stored as ISO strings: the document renders the same for ever.
    assert notice.context["accepted_on"] == "2026-11-22"
    assert notice.context["sessions"] == sample_context(K.PERMIT_APPROVAL)["sessions"]
    assert len(notice.verify_code) == VERIFY_CODE_LENGTH
    assert set(notice.verify_code) <= set(VERIFY_ALPHABET)
    assert not notice.pdf  # rendered by the task, after commit


def test_issue_validates_the_context_and_names_the_missing_keys(city, venue):
    context = sample_context(K.PERMIT_REFUSAL)
    del context["court"], context["reasons"]
    with pytest.raises(DomainError) as caught:
        services.notice_issue(
            kind=K.PERMIT_REFUSAL,
            issuer=city.wenfeng_police,
            subject=venue,
            recipient="安阳市古城文化旅游发展有限公司",
            context=context,
            actor=None,
        )
    assert "reasons" in caught.value.message and "court" in caught.value.message
    assert caught.value.code == "missing_context"
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("approved_capacity", "many"),
        ("approved_capacity", -1),
        ("accepted_on", "2026-13-01"),
        ("sessions", []),
        ("sessions", "one session"),
        ("tickets_by_zone", [{"zone": "A区"}]),
        ("event_name", "   "),
    ],
)
def test_issue_refuses_a_value_of_the_wrong_type_naming_its_key(city, venue, key, value):
    with pytest.raises(DomainError) as caught:
        issue(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue, context={key: value})
    assert caught.value.field == key
    assert not Notice.objects.exists()


def test_dates_may_be_passed_as_dates_datetimes_or_iso_strings(city, venue):
    notice = issue(
        K.DRILL_NOTICE,
        issuer=city.mhk_fire,
        subject=venue,
        context={"drill_at": dt.datetime(2026, 12, 5, 9, 30)},
    )
    assert notice.context["drill_at"] == "2026-12-05T09:30+08:00"
    assert notice.title == "关于开展安阳万达广场人员聚集踩踏事故应急预案应急演练的通知"
    accepted = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, context={"accepted_on": "2026-11-27"})
    assert accepted.context["accepted_on"] == "2026-11-27"


def test_an_unknown_kind_is_refused(city, venue):
    with pytest.raises(DomainError):
        services.notice_issue(
            kind="memo", issuer=city.wenfeng_police, subject=venue, recipient="x", context={}, actor=None
        )


def test_permit_documents_are_issued_by_public_security_only(city, venue):
    with pytest.raises(DomainError) as caught:
        issue(K.PERMIT_APPROVAL, issuer=city.mhk_fire, subject=venue)
    assert caught.value.field == "issuer"
    # Other kinds come from any department.
    assert issue(K.RECTIFICATION_ORDER, issuer=city.mhk_fire, subject=venue).number.startswith("梅消责改〔")


def test_only_the_issuers_staff_issue_its_documents(city, users, venue):
    assert issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, actor=users.head)
    for outsider in (users.leader, users.township_officer, users.organizer, users.outsider):
        with pytest.raises(PermissionDeniedError):
            issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, actor=outsider)
    with pytest.raises(PermissionDeniedError):
        issue(K.ACCEPTANCE, issuer=city.beiguan_police, subject=venue, actor=users.staff)
    # None is a system actor: a service that has checked its own permission.
    assert issue(K.ACCEPTANCE, issuer=city.beiguan_police, subject=venue, actor=None)


def test_an_addressee_is_required(city, venue):
    with pytest.raises(DomainError) as caught:
        issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, recipient="：")
    assert caught.value.field == "recipient"


def test_issue_enqueues_the_rendering_on_commit(city, venue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    assert len(callbacks) == 1


def test_issue_records_the_act_on_the_document_and_on_its_subject(city, users, venue):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, actor=users.staff)
    on_notice = ActionLog.objects.get(subject_type=ContentType.objects.get_for_model(Notice), subject_id=notice.pk)
    assert (on_notice.verb, on_notice.actor, on_notice.data["number"]) == ("notice_issued", users.staff, notice.number)
    on_venue = ActionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(venue), subject_id=venue.pk, verb="notice_issued"
    ).get()
    assert notice.number in on_venue.reason


def test_a_permit_decision_is_copied_to_the_next_level_of_public_security(city, venue):
    notice = issue(K.PERMIT_REFUSAL, issuer=city.wenfeng_police, subject=venue, copy_to=["文峰区应急管理局"])
    assert notice.copy_to == ["文峰区应急管理局", "安阳市公安局"]
    # Not twice when the caller named it already; and other kinds are copied only where the caller says.
    again = issue(K.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue, copy_to=["安阳市公安局"])
    assert again.copy_to == ["安阳市公安局"]
    assert issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue).copy_to == []


def test_render_stores_the_pdf_with_its_hash_once(city, venue):
    import hashlib

    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    rendered = services.notice_render(notice_id=notice.pk)
    content = rendered.pdf.read()
    assert content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(content).hexdigest()
    assert (rendered.pdf_size, rendered.pages) == (len(content), 2)
    assert rendered.pdf.name == f"notices/{notice.year}/{notice.issuer_id}/{notice.verify_code}.pdf"
    first = (rendered.pdf.name, rendered.sha256, rendered.rendered_at)

    # A second run (a redelivered task, the periodic scan) changes nothing and renders nothing.
    again = services.notice_render(notice_id=notice.pk)
    again.refresh_from_db()
    assert (again.pdf.name, again.sha256, again.rendered_at) == first
    assert again.pdf.read() == content
    assert ActionLog.objects.filter(subject_id=notice.pk, verb="notice_rendered").count() == 1


def test_render_of_a_vanished_notice_does_nothing(db):
    assert services.notice_render(notice_id=987654) is None


def test_a_head_of_the_issuing_department_revokes_with_a_reason(city, users, venue):
    notice = issue_rendered(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    revoked = services.notice_revoke(notice=notice, actor=users.head, reason="申请人撤回申请")
    assert revoked.status == NoticeStatus.REVOKED
    assert revoked.revoked_by == users.head
    assert revoked.revoke_reason == "申请人撤回申请"
    assert revoked.revoked_at is not None
    assert revoked.pdf  # the document and its PDF stay
    entry = ActionLog.objects.get(subject_id=notice.pk, verb="notice_revoked")
    assert (entry.from_state, entry.to_state, entry.reason) == ("issued", "revoked", "申请人撤回申请")
    with pytest.raises(DomainError) as caught:
        services.notice_revoke(notice=notice, actor=users.head, reason="again")
    assert caught.value.code == "already_revoked"


def test_only_a_head_of_the_issuing_department_revokes(city, users, venue):
    from tests.factories import member

    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    other_head = member(UserFactory(), role="head", department=city.beiguan_police).user
    for actor in (users.staff, users.leader, users.admin, other_head, users.organizer):
        with pytest.raises(PermissionDeniedError):
            services.notice_revoke(notice=notice, actor=actor, reason="错误")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED


def test_a_revocation_needs_a_reason(city, users, venue):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    with pytest.raises(DomainError) as caught:
        services.notice_revoke(notice=notice, actor=users.head, reason="  ")
    assert caught.value.field == "reason"


def test_notices_for_lists_a_subjects_documents_newest_first(city, venue):
    first = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    second = issue(K.RECTIFICATION_ORDER, issuer=city.mhk_fire, subject=venue)
    issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=city.organisation)
    assert list(notices_for(venue)) == [second, first]


def test_a_document_about_an_organisation_is_addressed_to_it(city, venue):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=city.organisation)
    assert notice.recipient_organisation == city.organisation
    assert notice.subject_path == city.wenfeng_police.jurisdiction.path  # the issuer's territory


def test_the_caller_may_name_the_recipient_organisation(city, venue, operator):
    notice = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue, recipient_organisation=operator.other)
    assert notice.recipient_organisation == operator.other
