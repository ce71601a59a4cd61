"""Pages of risk assessments: list, new (of a subject), detail with the sign-off actions, edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from risk import access, selectors, services
from risk.choices import AssessmentState
from risk.filters import AssessmentFilterSet
from risk.forms import AssessmentForm, NoteForm, ReasonForm
from risk.models import CampaignTarget
from risk.scoring import CONTROLS_BY_KEY, FACTORS, suggest
from risk.subjects import subject_for, subject_load, subject_url_by_id
from risk.views.common import add_domain_error, paginate, query_without_page, run_action


@login_required
def assessment_list(request):
    filters = AssessmentFilterSet(request.GET)
    page = paginate(request, selectors.assessment_list(user=request.user, filters=filters))
    for assessment in page.object_list:
        assessment.subject_url = subject_url_by_id(assessment.subject_type, assessment.subject_id)
    return render(
        request,
        "risk/assessment_list.html",
        {"form": filters.form, "page": page, "filtered": filters.is_filtered(), "query": query_without_page(request)},
    )


def _campaign_target(request, info):
    pk = request.GET.get("campaign_target") or request.POST.get("campaign_target")
    if not pk or info.subject_type != "venue":
        return None
    try:
        return CampaignTarget.objects.select_related("campaign").get(pk=int(pk), venue_id=info.pk)
    except (CampaignTarget.DoesNotExist, ValueError, TypeError):
        return None


@login_required
def assessment_create(request):
    """A new assessment of ``?subject_type=…&subject_id=…`` (404 when the subject is not visible)."""
    params = request.POST if request.method == "POST" else request.GET
    info = subject_for(
        user=request.user, subject_type=params.get("subject_type", ""), subject_id=params.get("subject_id")
    )
    if access.assessor_role(get_scope(request.user), info) is None:
        raise PermissionDenied(_("You may not assess this."))
    target = _campaign_target(request, info)
    moment = info.starts_at
    hints = services.factor_hints(info, expected_attendance=info.expected_attendance, assessed_for=moment)
    initial = {
        "assessed_on": timezone.localdate(),
        "assessed_for": timezone.localtime(moment) if moment else None,
        "expected_attendance": info.expected_attendance,
        "scenario": target.campaign.name if target else "",
    }
    form = AssessmentForm(request.POST or None, hints=hints, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                subject=info, actor=request.user, data=form.service_data(), campaign_target=target
            )
        except DomainError as exc:
            add_domain_error(form, exc, {"factors": None})
        else:
            messages.success(request, _("Draft saved. Check the ratings, then submit it for sign-off."))
            return redirect("risk:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "risk/assessment_form.html",
        {"form": form, "info": info, "assessment": None, "target": target, "subject_url": info.url},
    )


def _working(assessment) -> list[str]:
    return suggest(assessment.factors, assessment.controls).working


@login_required
def assessment_detail(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    user = request.user
    factors = [
        {
            "factor": factor,
            "score": assessment.factors.get(factor.key, 0),
            "text": factor.scale[assessment.factors.get(factor.key, 0)],
        }
        for factor in FACTORS
    ]
    controls = [CONTROLS_BY_KEY[key].label for key in assessment.controls if key in CONTROLS_BY_KEY]
    may_edit = access.can_edit_assessment(get_scope(user), assessment)
    may_review = access.can_review(get_scope(user), assessment)
    return render(
        request,
        "risk/assessment_detail.html",
        {
            "assessment": assessment,
            "factors": factors,
            "controls": controls,
            "working": _working(assessment),
            "subject_url": subject_url_by_id(assessment.subject_type, assessment.subject_id),
            "can_edit": may_edit and assessment.can_edit(),
            "can_submit": may_edit and assessment.can_submit(),
            "can_withdraw": may_edit and assessment.can_withdraw(),
            "can_review": may_review and assessment.can_sign_off(),
            "hazards": list(assessment.hazards.select_related("venue").order_by("-found_on", "-id")[:20]),
            "can_report_hazard": access.can_report_hazard(get_scope(user), assessment),
            "reason_form": ReasonForm(),
            "withdraw_form": ReasonForm(prefix="withdraw"),
            "note_form": NoteForm(),
            "current": selectors.current_level(subject_type=assessment.subject_type, subject_id=assessment.subject_id),
        },
    )


@login_required
def assessment_edit(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    if not access.can_edit_assessment(get_scope(request.user), assessment):
        raise PermissionDenied(_("Only the assessor's side may change this assessment."))
    if not assessment.can_edit():
        messages.error(request, _("Only a draft or a returned assessment can be changed."))
        return redirect("risk:assessment_detail", pk=assessment.pk)
    try:
        info = subject_load(assessment.subject_type, assessment.subject_id)
    except Http404:
        info = None
    hints = (
        services.factor_hints(
            info, expected_attendance=assessment.expected_attendance, assessed_for=assessment.assessed_for
        )
        if info
        else {}
    )
    form = AssessmentForm(request.POST or None, hints=hints, initial=AssessmentForm.initial_for(assessment))
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_update(assessment=assessment, actor=request.user, data=form.service_data())
        except DomainError as exc:
            add_domain_error(form, exc, {"factors": None})
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("risk:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "risk/assessment_form.html",
        {
            "form": form,
            "info": info,
            "assessment": assessment,
            "target": None,
            "subject_url": subject_url_by_id(assessment.subject_type, assessment.subject_id),
        },
    )


def _back(assessment) -> str:
    return reverse("risk:assessment_detail", args=[assessment.pk])


@login_required
@require_POST
def assessment_submit(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    return run_action(
        request,
        lambda: services.assessment_submit(assessment=assessment, actor=request.user),
        success=_("Submitted for sign-off."),
        back=_back(assessment),
    )


@login_required
@require_POST
def assessment_sign_off(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.assessment_sign_off(assessment=assessment, actor=request.user, note=note),
        success=_("Signed off: the level is recorded and the rules applied."),
        back=_back(assessment),
    )


@login_required
@require_POST
def assessment_return(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.assessment_return(assessment=assessment, actor=request.user, reason=reason),
        success=_("Returned to the assessor."),
        back=_back(assessment),
    )


@login_required
@require_POST
def assessment_withdraw(request, pk: int):
    assessment = selectors.assessment_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST, prefix="withdraw")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(
        request,
        lambda: services.assessment_withdraw(assessment=assessment, actor=request.user, reason=reason),
        success=_("Assessment withdrawn."),
        back=_back(assessment),
    )


STATE_BADGES = {
    AssessmentState.DRAFT: "badge-muted",
    AssessmentState.SUBMITTED: "badge-due",
    AssessmentState.RETURNED: "badge-overdue",
    AssessmentState.SIGNED_OFF: "badge-done",
    AssessmentState.WITHDRAWN: "badge-muted",
}
