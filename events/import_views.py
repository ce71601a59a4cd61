"""The list's spreadsheet pages: export (the shape a township reports upward) and import with row-level
validation, on the venue import's pattern (a job, a progress block polled by htmx, the valid-rows choice)."""

from __future__ import annotations

import tempfile
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope, get_scoped_or_404
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction
from events import access, selectors, spreadsheets
from events.choices import MeasureKind
from events.forms import ImportForm
from events.models import Measure, choice_label
from events.services.imports import gathering_import_accept_valid_rows, gathering_import_start, import_progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_CHUNK = 2000


def _townships() -> dict[str, str]:
    return dict(Jurisdiction.objects.filter(level=JurisdictionLevel.TOWNSHIP).values_list("path", "name"))


def _measures_in_words(gatherings) -> dict[int, str]:
    """The measures applied to each of ``gatherings`` (a queryset), in words, in one query."""
    words: dict[int, list[str]] = defaultdict(list)
    measures = Measure.objects.filter(gathering__in=gatherings.values("pk")).order_by(
        "gathering_id", "applied_at", "id"
    )
    for gathering_id, kind in measures.values_list("gathering_id", "kind").iterator(chunk_size=EXPORT_CHUNK):
        words[gathering_id].append(choice_label(MeasureKind, kind))
    return {pk: "、".join(dict.fromkeys(names)) for pk, names in words.items()}


@login_required
def gathering_export(request):
    """The filtered list as .xlsx, in the import format (an export imports again)."""
    gatherings = selectors.gathering_list(user=request.user, filters=request.GET).order_by("starts_at", "id")
    measures = _measures_in_words(gatherings)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    spreadsheets.write_gatherings(
        gatherings.iterator(chunk_size=EXPORT_CHUNK), output, townships=_townships(), measures=measures
    )
    output.seek(0)
    filename = f"gatherings-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(output, as_attachment=True, filename=filename, content_type=XLSX)


@login_required
def import_start(request):
    if not access.can_report(get_scope(request.user)):
        raise PermissionDenied(_("You may not import gatherings."))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = gathering_import_start(
                actor=request.user,
                file=form.cleaned_data["file"],
                valid_rows_only=form.cleaned_data["valid_rows_only"],
                language=getattr(request, "LANGUAGE_CODE", None),
            )
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, str(exc.message))
        else:
            return redirect("events:import_detail", pk=job.pk)
    recent = selectors.import_job_list(user=request.user)[:10]
    headers = [c.header for c in spreadsheets.COLUMNS]
    required = [c.header for c in spreadsheets.COLUMNS if c.required]
    ignored = [c.header for c in spreadsheets.COLUMNS if c.key not in spreadsheets.IMPORTED]
    return render(
        request,
        "events/import_start.html",
        {"form": form, "recent": recent, "headers": headers, "required": required, "ignored": ignored},
    )


def _import_context(request, pk: int) -> dict:
    job = get_scoped_or_404(selectors.import_job_list(user=request.user), pk=pk)
    processed, total = import_progress(job)
    percent = 100 if job.is_finished else (int(processed * 100 / total) if total else 0)
    return {"job": job, "processed": processed, "total": total, "percent": min(percent, 100)}


@login_required
def import_detail(request, pk: int):
    return render(request, "events/import_detail.html", _import_context(request, pk))


@login_required
def import_progress_view(request, pk: int):
    """The status block alone, polled by htmx every second until the job has finished."""
    return render(request, "events/_import_status.html", _import_context(request, pk))


@login_required
@require_POST
def import_accept_valid_rows(request, pk: int):
    job = get_scoped_or_404(selectors.import_job_list(user=request.user), pk=pk)
    try:
        gathering_import_accept_valid_rows(job=job, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("events:import_detail", pk=job.pk)


@login_required
def import_template(request):
    """An empty workbook with the header row, and sheets listing the kinds and sources."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "群众自发性聚集活动清单"
    sheet.append([c.header for c in spreadsheets.COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for title, names in (("活动类型", spreadsheets.KIND_NAMES), ("信息来源", spreadsheets.SOURCE_NAMES)):
        extra = workbook.create_sheet(title)
        extra.append([title])
        for name in names.values():
            extra.append([name])
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="gatherings-template.xlsx"'
    workbook.save(response)
    return response
