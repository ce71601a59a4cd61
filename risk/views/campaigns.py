"""Pages of assessment campaigns: list, launch, progress (done / due / overdue per township and department) with
the venues, launch again, close."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction
from crowdsafe.org.selectors import department_list, territory_suggestions
from risk import access, selectors, services
from risk.filters import CampaignTargetFilterSet
from risk.forms import CampaignForm, ReasonForm
from risk.views.common import add_domain_error, paginate, query_without_page
from venues.choices import VenueKind


@login_required
def campaign_list(request):
    page = paginate(request, selectors.campaign_list(user=request.user, filters=request.GET))
    return render(
        request,
        "risk/campaign_list.html",
        {
            "page": page,
            "can_launch": access.can_launch_any_campaign(get_scope(request.user)),
            "query": query_without_page(request),
        },
    )


@login_required
def campaign_create(request):
    if not access.can_launch_any_campaign(get_scope(request.user)):
        raise PermissionDenied(_("You may not launch assessment campaigns."))
    departments = department_list(user=request.user).filter(is_active=True)
    initial = {
        "assignment": "territorial",
        "purpose": "holiday",
        "deadline": timezone.localdate() + dt.timedelta(days=14),
    }
    form = CampaignForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        territory = Jurisdiction.objects.filter(code=data["territory"].strip().upper()).first()
        if territory is None:
            form.add_error("territory", _("No territory has this code."))
        else:
            try:
                campaign = services.campaign_launch(
                    actor=request.user,
                    name=data["name"],
                    territory=territory,
                    purpose=data["purpose"],
                    deadline=data["deadline"],
                    venue_kinds=data["venue_kinds"],
                    assignment=data["assignment"],
                    assigned_department=data["assigned_department"],
                    description=data["description"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Campaign launched over %(n)d venues.") % {"n": campaign.target_count},
                )
                return redirect("risk:campaign_detail", pk=campaign.pk)
    territories = territory_suggestions(user=request.user, exclude=("grid", "community"))
    return render(request, "risk/campaign_form.html", {"form": form, "territories": territories})


@login_required
def campaign_detail(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    today = timezone.localdate()
    filters = CampaignTargetFilterSet(request.GET)
    targets = paginate(request, selectors.campaign_targets(campaign=campaign, filters=filters))
    return render(
        request,
        "risk/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign=campaign, today=today),
            "page": targets,
            "status": filters.valid("status") or "",
            "query": query_without_page(request),
            "can_manage": campaign.is_open and access.can_launch_campaign(get_scope(request.user), campaign.territory),
            "reason_form": ReasonForm(),
            "kind_labels": [str(VenueKind(k).label) for k in campaign.venue_kinds if k in VenueKind.values],
        },
    )


@login_required
def campaign_progress(request, pk: int):
    """The progress block alone (htmx polls it while a large campaign's tasks are being made)."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    return render(
        request,
        "risk/_campaign_progress.html",
        {"campaign": campaign, "progress": selectors.campaign_progress(campaign=campaign)},
    )


@login_required
@require_POST
def campaign_relaunch(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    try:
        added = services.campaign_relaunch(campaign=campaign, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Launched again: %(n)d new venues added.") % {"n": added})
    return redirect(reverse("risk:campaign_detail", args=[campaign.pk]))


@login_required
@require_POST
def campaign_close(request, pk: int):
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.campaign_close(campaign=campaign, actor=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Campaign closed."))
    return redirect(reverse("risk:campaign_detail", args=[campaign.pk]))
