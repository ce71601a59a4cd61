"""Pages of the official documents: the scoped list, a document's page (its PDF once rendered, polled with htmx
until then), download, revocation, the staff's preview of each kind, the task assignment sheet, and the public
verification page (rate-limited). Thin: reads through ``notices.selectors``, writes through ``notices.services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope, get_scoped_or_404
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department
from notices import selectors, services
from notices.choices import NoticeKind
from notices.demo import sample_context, sample_recipient
from notices.filters import NoticeFilterSet
from notices.forms import RevokeForm, TaskSheetForm, VerifyForm
from notices.models import Notice

PAGE_SIZE = 50


# --- list, detail, download, revoke ------------------------------------------------------------------------


@login_required
def notice_list(request):
    filters = NoticeFilterSet(request.GET, issuers=list(selectors.issuer_choices(user=request.user)))
    page = Paginator(selectors.notice_list(user=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/notice_list.html",
        {
            "form": filters.form,
            "page": page,
            "filtered": filters.is_filtered(),
            "preview_kinds": NoticeKind.choices if _preview_departments(request.user) else [],
        },
    )


@login_required
def notice_detail(request, pk: int):
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(
        request,
        "notices/notice_detail.html",
        {
            "notice": notice,
            "may_revoke": notice.can_revoke() and services.can_revoke(get_scope(request.user), notice),
            "revoke_form": RevokeForm(),
            "subject_url": _subject_url(notice),
        },
    )


@login_required
@never_cache
def notice_pdf_status(request, pk: int):
    """The PDF box of a document's page; htmx polls it until the PDF is rendered."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    return render(request, "notices/_pdf_status.html", {"notice": notice})


@login_required
def notice_download(request, pk: int):
    """The stored PDF, to those who may see the document; never rendered again here."""
    notice = selectors.notice_get(user=request.user, pk=pk)
    if not notice.pdf:
        messages.info(request, _("The PDF is still being prepared; this page shows it as soon as it is ready."))
        return redirect(notice)
    try:
        handle = notice.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The stored PDF is missing.")) from exc
    response = FileResponse(
        handle,
        as_attachment=request.GET.get("download") == "1",
        filename=f"{notice.number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = notice.sha256
    return response


@login_required
@require_POST
def notice_revoke(request, pk: int):
    notice = selectors.notice_get(user=request.user, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the document."))
        return redirect(notice)
    try:
        services.notice_revoke(notice=notice, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The document %(number)s was revoked.") % {"number": notice.number})
    return redirect(notice)


def _subject_url(notice: Notice) -> str | None:
    subject = notice.subject
    getter = getattr(subject, "get_absolute_url", None)
    if getter is not None:
        try:
            return getter()
        except Exception:  # a subject without a page of its own
            return None
    if notice.subject_type.app_label == "duties" and notice.subject_type.model == "task":
        return reverse("duties:detail", args=[notice.subject_id])
    return None


# --- preview of each kind (drafts) -------------------------------------------------------------------------


def _preview_departments(user) -> list[Department]:
    """The departments whose documents the user may issue, hence preview (staff and heads)."""
    scope = get_scope(user)
    ids = {m.department_id for m in scope.memberships if m.role in (Role.STAFF, Role.HEAD) and m.department_id}
    return list(Department.objects.filter(pk__in=sorted(ids), is_active=True).select_related("jurisdiction"))


@login_required
def kind_preview(request, kind: str):
    """A draft of ``kind`` with sample contents, issued by one of the user's departments: what the document will
    look like (HTML on the page, or the draft PDF with ``?format=pdf``). Nothing is stored, no number taken."""
    if kind not in NoticeKind.values:
        raise Http404
    departments = _preview_departments(request.user)
    if not departments:
        raise PermissionDenied(_("Only department staff preview documents."))
    chosen = request.GET.get("issuer")
    issuer = next((d for d in departments if str(d.pk) == chosen), departments[0])
    draft = {
        "kind": kind,
        "issuer": issuer,
        "recipient": sample_recipient(kind),
        "context": sample_context(kind, today=timezone.localdate()),
        "copy_to": [],
    }
    try:
        if request.GET.get("format") == "pdf":
            return _draft_pdf_response(services.notice_draft_pdf(**draft), kind)
        html = services.notice_draft_html(**draft)
    except DomainError as exc:
        return render(
            request,
            "notices/kind_preview.html",
            {"kind": NoticeKind(kind), "error": exc.message, "departments": departments, "issuer": issuer},
        )
    return render(
        request,
        "notices/kind_preview.html",
        {"kind": NoticeKind(kind), "html": html, "departments": departments, "issuer": issuer},
    )


def _draft_pdf_response(content: bytes, kind: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{kind}.pdf"'
    return response


# --- the task assignment sheet (任务交办单) ------------------------------------------------------------------


def _sheet_task(request, task_pk: int):
    from duties import selectors as duty_selectors

    task = get_scoped_or_404(
        duty_selectors.task_list(user=request.user).select_related(
            "responsible_department__jurisdiction", "responsible_person", "rule"
        ),
        pk=task_pk,
    )
    if not services.can_issue_task_sheet(get_scope(request.user), task):
        raise PermissionDenied(_("Only a head of the department holding the task issues its assignment sheet."))
    return task


@login_required
def task_sheet(request, task_pk: int):
    """Preview (HTML, or the draft PDF) and issue the task assignment sheet of one task."""
    task = _sheet_task(request, task_pk)
    form = TaskSheetForm(request.POST or None, initial={"recipient": services.task_sheet_default_recipient(task)})
    html = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            if request.POST.get("action") == "issue":
                notice = services.task_sheet_issue(task=task, actor=request.user, **values)
                messages.success(request, _("Task assignment sheet %(number)s issued.") % {"number": notice.number})
                return redirect(notice)
            draft = services.task_sheet_draft(task=task, **values)
            if request.POST.get("action") == "pdf":
                return _draft_pdf_response(services.notice_draft_pdf(**draft), "task_assignment")
            html = services.notice_draft_html(**draft)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    elif request.method == "GET":
        html = services.notice_draft_html(
            **services.task_sheet_draft(task=task, recipient=form.initial["recipient"], note="", contact="")
        )
    return render(
        request,
        "notices/task_sheet.html",
        {"task": task, "form": form, "html": html, "issued": list(selectors.notices_for(task))},
    )


# --- public verification -----------------------------------------------------------------------------------


def _verify_rate(group, request) -> str:
    return settings.NOTICES_VERIFY_RATE


def _limited(request) -> HttpResponse:
    response = render(request, "notices/ratelimited.html", status=429)
    response["Retry-After"] = "60"
    return response


@never_cache
@ratelimit(key="ip", rate=_verify_rate, group="notices.verify", block=False)
def verify_form(request):
    """The public page where anyone types the code printed on a document."""
    if getattr(request, "limited", False):
        return _limited(request)
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = selectors.normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("notice_verify", code=code)
    return render(request, "notices/verify.html", {"form": form, "searched": False})


@never_cache
@ratelimit(key="ip", rate=_verify_rate, group="notices.verify", block=False)
def verify(request, code: str):
    """Public: whether a document with this code was issued here, by whom, when, its number and subject and the
    SHA-256 of its stored PDF — or that no such document exists (an unknown or altered code)."""
    if getattr(request, "limited", False):
        return _limited(request)
    notice = selectors.notice_by_code(code)
    status = 200 if notice is not None else 404
    return render(
        request,
        "notices/verify.html",
        {"notice": notice, "code": code, "form": VerifyForm(initial={"code": code}), "searched": True},
        status=status,
    )
