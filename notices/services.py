"""Issuing, rendering and revoking official documents. The contract other apps code against is
docs/contracts/notices.md: ``notice_issue`` (inside the caller's transaction) and ``notice_revoke``.

Issue: check the context, take the next number under the counter lock, save, and render the PDF in a Celery task
enqueued on commit. Render: once — a second run finds the PDF and does nothing; an issued document is never
re-rendered. Revoke: a recorded act with a reason, by a head of the issuing department; the document stays.
Drafts (``notice_draft_html`` / ``notice_draft_pdf``) are rendered on request and stored nowhere.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Department, Organisation
from duties.explain import explain_stored
from duties.subjects import UnknownSubjectError, registration_for
from notices.access import can_issue, can_issue_task_sheet, can_revoke
from notices.choices import NoticeKind, NoticeStatus
from notices.kinds import check_printable, normalise_context, spec_for
from notices.models import VERIFY_ALPHABET, VERIFY_CODE_LENGTH, Notice
from notices.numbering import format_number, next_level_public_security, prefix_for, take_serial
from notices.rendering import DocumentData, document_html, render_document, seal_data_uri

logger = logging.getLogger(__name__)

MAX_LIST_ITEMS = 30  # copy-to and attachment lists
MAX_REASON_LENGTH = 2000


# --- who may do what ---------------------------------------------------------------------------------------


# --- the subject --------------------------------------------------------------------------------------------


def _subject_facts(subject: models.Model, issuer: Department) -> tuple[str, str, Organisation | None]:
    """(label, jurisdiction path, organisation) of the subject, read through the responsibility engine's subject
    registry when the model is registered there, else from common attribute names; the issuer's territory when
    the subject has none of its own."""
    label, jurisdiction, organisation = str(subject), None, None
    try:
        registration = registration_for(subject)
    except UnknownSubjectError:  # a subject the responsibility engine does not know (an organisation, a notice)
        registration = None
    if registration is not None:
        label = registration.label(subject)
        jurisdiction = registration.jurisdiction(subject)
        organisation = registration.organisation(subject)
    else:
        jurisdiction = getattr(subject, "jurisdiction", None)
        organisation = getattr(subject, "responsible_organisation", None) or getattr(subject, "organisation", None)
        if isinstance(subject, Organisation):
            organisation = subject
    path = getattr(jurisdiction, "path", None) or issuer.jurisdiction.path
    if not isinstance(organisation, Organisation):
        organisation = None
    return str(label)[:255], path, organisation


def _check_issuer_kind(spec, issuer: Department) -> None:
    if spec.issuer_kinds is not None and issuer.kind not in spec.issuer_kinds:
        raise DomainError(
            _("A %(kind)s is issued by a public security organ, not by %(issuer)s.")
            % {"kind": NoticeKind(spec.kind).label, "issuer": issuer.name},
            field="issuer",
        )


def _clean_list(name: str, values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise DomainError(_("%(name)s must be a list of texts.") % {"name": name}, field=name)
    cleaned = [v.strip() for v in values if v and v.strip()]
    for value in cleaned:
        check_printable(name, value)
    if len(cleaned) > MAX_LIST_ITEMS:
        raise DomainError(_("At most %(n)d entries in %(name)s.") % {"n": MAX_LIST_ITEMS, "name": name}, field=name)
    return cleaned


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if not (v in seen or seen.add(v))]


def new_verify_code() -> str:
    return "".join(secrets.choice(VERIFY_ALPHABET) for _ in range(VERIFY_CODE_LENGTH))


# --- issue -------------------------------------------------------------------------------------------------


def notice_issue(
    *,
    kind: str,
    issuer: Department,
    subject: models.Model,
    recipient: str,
    context: Mapping[str, Any],
    actor,
    copy_to: list[str] | None = None,
    attachments: list[str] | None = None,
    recipient_organisation: Organisation | None = None,
) -> Notice:
    """Issue a document now: number it, save it, and render its PDF once the transaction commits.

    Call it inside the transaction of the decision it records (e.g. in ``permit_decide``), so that decision and
    document commit — or roll back, giving the number back — together. ``context`` holds the kind's keys
    (``notices.kinds.SPECS``); missing keys raise a DomainError naming them. ``copy_to`` is the 抄送 list; a
    permit decision is also copied to the public security organ one level up. ``recipient_organisation``
    (optional) is the outside organisation the document is addressed to, when the subject does not say it.
    """
    spec = spec_for(kind)
    recipient = (recipient or "").strip().rstrip("：:").strip()
    if not recipient:
        raise DomainError(_("Say to whom the document is addressed."), field="recipient")
    if len(recipient) > 255:
        raise DomainError(_("The addressee is too long (at most 255 characters)."), field="recipient")
    check_printable("recipient", recipient)
    if issuer is None or not issuer.is_active:
        raise DomainError(_("The issuing department is not active."), field="issuer")
    _check_issuer_kind(spec, issuer)
    if not can_issue(actor_scope(actor), issuer):
        raise PermissionDeniedError(
            _("Only the staff of %(issuer)s may issue its documents.") % {"issuer": issuer.name}
        )
    if subject is None or subject.pk is None:
        raise DomainError(_("A document must be about a saved record."), field="subject")
    normalised = normalise_context(kind, context)
    copy_list = _clean_list("copy_to", copy_to)
    if spec.copy_to_next_public_security:
        above = next_level_public_security(issuer)
        if above:
            copy_list.append(above)
    copy_list = _unique(copy_list)
    attachment_list = _clean_list("attachments", attachments)
    label, subject_path, organisation = _subject_facts(subject, issuer)
    if recipient_organisation is not None:
        organisation = recipient_organisation

    with transaction.atomic():
        issued_at = timezone.now()
        issued_on = timezone.localdate(issued_at)
        # The number is taken last, just before the insert, so that the counter row is locked for as short a
        # time as this function can make it (the caller's transaction may still hold it longer).
        serial = take_serial(issuer=issuer, kind=kind, year=issued_on.year)
        prefix = prefix_for(issuer, kind)
        notice = Notice(
            kind=kind,
            issuer=issuer,
            issuer_path=issuer.jurisdiction.path,
            subject_path=subject_path,
            prefix=prefix,
            year=issued_on.year,
            serial=serial,
            number=format_number(prefix, issued_on.year, serial),
            subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
            subject_id=subject.pk,
            subject_label=label,
            recipient=recipient,
            recipient_organisation=organisation,
            title=spec.title_for(normalised)[:255],
            context=normalised,
            copy_to=copy_list,
            attachments=attachment_list,
            issued_at=issued_at,
            issued_on=issued_on,
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _insert_with_fresh_code(notice)
        data = {"number": notice.number, "kind": kind, "notice_id": notice.pk}
        log_action(actor=actor, subject=notice, verb="notice_issued", to_state=NoticeStatus.ISSUED, data=data)
        log_action(
            actor=actor, subject=subject, verb="notice_issued", reason=f"{notice.number} {notice.title}", data=data
        )
        notice_id = notice.pk
        transaction.on_commit(lambda: _enqueue_render(notice_id))
    return notice


def _insert_with_fresh_code(notice: Notice, attempts: int = 5) -> None:
    """Insert the notice with a new random verification code; on the (astronomically rare) clash of two codes,
    draw again. The savepoint keeps the caller's transaction usable after the failed insert."""
    for attempt in range(attempts):
        notice.verify_code = new_verify_code()
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
            return
        except IntegrityError:
            clash = Notice.objects.filter(verify_code=notice.verify_code).exists()
            if not clash or attempt == attempts - 1:
                raise


def _enqueue_render(notice_id: int) -> None:
    from notices.tasks import render_notice

    try:
        render_notice.delay(notice_id)
    except Exception:  # a broker outage must not fail the request that issued the document
        # The document is issued and numbered; the periodic scan (notices.tasks.render_pending) renders it.
        logger.exception("Could not enqueue the rendering of notice %s; the periodic scan will pick it up", notice_id)


# --- render ------------------------------------------------------------------------------------------------


def notice_render(*, notice_id: int) -> Notice | None:
    """Render the issued document's PDF and store it with its SHA-256 — once.

    Idempotent: the row is locked, and a notice that already has its PDF is returned untouched, so a second
    delivery of the task (or the periodic scan racing the task) never renders or replaces an issued document.
    Returns None when the notice does not exist (rolled back since)."""
    with transaction.atomic():
        # Two workers may get the same notice (a redelivered task, the scan): the lock makes the second wait
        # for the first's commit and then see the stored PDF.
        notice = Notice.objects.select_for_update().select_related("issuer__jurisdiction").filter(pk=notice_id).first()
        if notice is None:
            return None
        if notice.pdf:
            return notice
        data = DocumentData.from_notice(notice)
        rendered = render_document(data)
        digest = hashlib.sha256(rendered.content).hexdigest()
        notice.pdf.save(f"{notice.verify_code}.pdf", ContentFile(rendered.content), save=False)
        notice.sha256 = digest
        notice.pdf_size = len(rendered.content)
        notice.pages = rendered.pages
        notice.sealed = data.seal_data_uri is not None
        notice.rendered_at = timezone.now()
        notice.save(update_fields=["pdf", "sha256", "pdf_size", "pages", "sealed", "rendered_at"])
        log_action(
            actor=None,
            subject=notice,
            verb="notice_rendered",
            data={"sha256": digest, "size": notice.pdf_size, "pages": notice.pages, "sealed": notice.sealed},
        )
    return notice


# --- revoke ------------------------------------------------------------------------------------------------


def notice_revoke(*, notice: Notice, actor, reason: str) -> Notice:
    """Revoke (撤销) an issued document, with the reason. The document and its PDF stay; the verification page
    says it was revoked, when and why. Only a head of the issuing department may."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking the document."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(
            _("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON_LENGTH}, field="reason"
        )
    with transaction.atomic():
        # Two heads revoking at once: the lock makes the second see the first's revocation and stop at the guard.
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if not can_revoke(actor_scope(actor), notice):
            raise PermissionDeniedError(_("Only a head of the issuing department may revoke its documents."))
        if not notice.can_revoke():
            raise DomainError(_("This document has already been revoked."), code="already_revoked")
        notice.status = NoticeStatus.REVOKED
        notice.revoked_at = timezone.now()
        notice.revoked_by = actor
        notice.revoke_reason = reason
        notice.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        log_action(
            actor=actor,
            subject=notice,
            verb="notice_revoked",
            from_state=NoticeStatus.ISSUED,
            to_state=NoticeStatus.REVOKED,
            reason=reason,
            data={"number": notice.number},
        )
        subject = notice.subject
        if subject is not None:
            log_action(actor=actor, subject=subject, verb="notice_revoked", reason=f"{notice.number}：{reason}")
    return notice


# --- the task assignment sheet (任务交办单) ------------------------------------------------------------------


def task_sheet_default_recipient(task) -> str:
    person = task.responsible_person
    return person.display_name if person is not None else task.holder_label


def _task_sheet_context(task, *, recipient: str, note: str, contact: str) -> dict[str, Any]:
    explanation = explain_stored(task.explanation_data) if task.explanation_data else task.explanation
    return {
        "task_id": task.pk,
        "duty_name": task.duty_name,
        "subject_label": task.subject_label,
        "holder": recipient,
        "due_date": task.due_date,
        "explanation": explanation or task.duty_name,
        "description": task.duty_description or "",
        "note": note or "",
        "contact": contact or "",
    }


def task_sheet_draft(*, task, recipient: str, note: str = "", contact: str = "") -> dict[str, Any]:
    """The arguments of ``notice_draft_html`` / ``notice_draft_pdf`` for the task's sheet."""
    return {
        "kind": NoticeKind.TASK_ASSIGNMENT,
        "issuer": task.responsible_department,
        "recipient": recipient,
        "context": _task_sheet_context(task, recipient=recipient, note=note, contact=contact),
    }


def task_sheet_issue(*, task, actor, recipient: str, note: str = "", contact: str = "") -> Notice:
    """Issue the task assignment sheet (任务交办单) of an outstanding task, by a head of its department."""
    if not can_issue_task_sheet(actor_scope(actor), task):
        raise PermissionDeniedError(_("Only a head of the department holding the task issues its assignment sheet."))
    return notice_issue(
        kind=NoticeKind.TASK_ASSIGNMENT,
        issuer=task.responsible_department,
        subject=task,
        recipient=recipient,
        context=_task_sheet_context(task, recipient=recipient, note=note, contact=contact),
        actor=actor,
    )


# --- drafts ------------------------------------------------------------------------------------------------


def _draft_data(
    *,
    kind: str,
    issuer: Department,
    recipient: str,
    context: Mapping[str, Any],
    copy_to: list[str] | None = None,
    attachments: list[str] | None = None,
) -> DocumentData:
    spec = spec_for(kind)
    _check_issuer_kind(spec, issuer)
    normalised = normalise_context(kind, context)
    copy_list = _clean_list("copy_to", copy_to)
    if spec.copy_to_next_public_security:
        above = next_level_public_security(issuer)
        if above:
            copy_list.append(above)
    return DocumentData(
        kind=kind,
        issuer=issuer,
        title=spec.title_for(normalised),
        recipient=(recipient or "").strip().rstrip("：:").strip(),
        context=normalised,
        copy_to=_unique(copy_list),
        attachments=_clean_list("attachments", attachments),
    )


def notice_draft_html(**kwargs) -> str:
    """The draft as HTML (for a preview on the page), with the same arguments as ``notice_issue`` less subject
    and actor. No number, date, QR code or seal; marked 草稿."""
    return document_html(_draft_data(**kwargs))


def notice_draft_pdf(**kwargs) -> bytes:
    """The draft as a PDF watermarked 草稿, without a number. Nothing is stored and no number is taken."""
    return render_document(_draft_data(**kwargs)).content


__all__ = [
    "can_issue",
    "can_issue_task_sheet",
    "can_revoke",
    "notice_draft_html",
    "notice_draft_pdf",
    "notice_issue",
    "notice_render",
    "notice_revoke",
    "seal_data_uri",
    "task_sheet_draft",
    "task_sheet_issue",
]
