"""The risk register (风险底数): subjects by current level, a subject's risk page with its level history, the map
coloured by level, and the .xlsx export."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from crowdsafe.org.access import get_scope
from crowdsafe.org.maps import map_config
from crowdsafe.org.selectors import territory_suggestions
from risk import access, selectors, spreadsheets
from risk.filters import RegisterFilterSet
from risk.models import Hazard
from risk.subjects import subject_for, subject_url_by_id
from risk.views.common import paginate, query_without_page


def _filters(request) -> RegisterFilterSet:
    return RegisterFilterSet(request.GET)


@login_required
def register(request):
    filters = _filters(request)
    page = paginate(request, selectors.register_list(user=request.user, filters=filters))
    for row in page.object_list:
        row.subject_url = subject_url_by_id(row.subject_type, row.subject_id)
    return render(
        request,
        "risk/register.html",
        {
            "form": filters.form,
            "page": page,
            "filtered": filters.is_filtered(),
            "counts": selectors.register_counts(user=request.user),
            "query": query_without_page(request),
            "territories": territory_suggestions(user=request.user),
        },
    )


@login_required
def register_map(request):
    filters = _filters(request)
    points, count = selectors.map_points(user=request.user, filters=filters)
    return render(
        request,
        "risk/register_map.html",
        {
            "form": filters.form,
            "points": points,
            "count": count,
            "counts": selectors.register_counts(user=request.user),
            "query": query_without_page(request),
            "risk_map": map_config(
                layers=[
                    {
                        "type": "points",
                        "key": "register",
                        "name": gettext("Risk register"),
                        "data_id": "risk-points",
                        "count_attr": "markers",
                    }
                ],
                boundaries_url=reverse("org:boundaries"),
                css="risk-map",
            ),
            "territories": territory_suggestions(user=request.user),
        },
    )


@login_required
def register_export(request):
    """The filtered register as .xlsx: one sheet of current levels, one of the level history."""
    filters = _filters(request)
    rows = selectors.register_list(user=request.user, filters=filters)
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    spreadsheets.write_register(rows, output)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        filename=f"risk-register-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
def subject_risk(request, subject_type: str, subject_id: int):
    """A subject's risk page: its current level, level history, assessments and hazards (404 when the user may
    not see the subject in its own app)."""
    info = subject_for(user=request.user, subject_type=subject_type, subject_id=subject_id)
    user = request.user
    return render(
        request,
        "risk/subject.html",
        {
            "info": info,
            "current": selectors.current_level(subject_type=subject_type, subject_id=info.pk),
            "history": selectors.level_history(subject_type=subject_type, subject_id=info.pk),
            "assessments": selectors.assessments_of(user=user, subject_type=subject_type, subject_id=info.pk),
            "hazards": list(
                selectors.hazard_list(
                    user=user, filters={"status": "all", "subject_type": subject_type, "subject_id": info.pk}
                )[:50]
            ),
            "can_assess": access.assessor_role(get_scope(user), info) is not None,
            "can_report_hazard": access.can_report_hazard(
                get_scope(user), Hazard(jurisdiction_path=info.jurisdiction_path, organisation=info.organisation)
            ),
            "today": timezone.localdate(),
            "open_targets": list(selectors.open_targets_for_venue(venue_id=info.pk)) if subject_type == "venue" else [],
        },
    )
