"""Assessment campaigns (风险评估专项行动): launch one over the venues of some kinds in a territory, add venues
that appeared since (launching again), close it.

Launching makes one ``CampaignTarget`` per venue (the unique (campaign, venue) key makes a second launch add
only the new venues) and, through the responsibility engine, one task per target ("campaign_target" rules of
``risk/migrations/0002``: the venue's township, or the campaign's department). A campaign of up to
``RISK_CAMPAIGN_INLINE_TARGETS`` venues (setting, default 100) gets its tasks in the launching request; a larger
one (a city-wide baseline refresh) in a Celery task enqueued on commit, in batches, so that the page answers at
once and polls the progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.org.access import actor_scope, ancestor_paths, get_scope
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Department, Jurisdiction
from duties.services import tasks_evaluate, tasks_settle
from risk import access
from risk.choices import CampaignAssignment, CampaignPurpose, CampaignState, TargetStatus
from risk.models import AssessmentCampaign, CampaignTarget
from risk.services.assessments import CAMPAIGN_KEYS
from risk.services.common import clean_text, deny, refuse

ASSIGN_BATCH = 200


# Up to this many venues the tasks are made in the launching request; the engine makes about 20–35 ms worth of
# queries per venue on a busy machine (bench/bench_risk.py), so 100 keeps the request within a few seconds.
INLINE_TARGETS = 100


def inline_limit() -> int:
    return int(getattr(settings, "RISK_CAMPAIGN_INLINE_TARGETS", INLINE_TARGETS))


def _venues(campaign: AssessmentCampaign):
    from venues.models import Venue

    qs = Venue.objects.filter(is_active=True, jurisdiction_path__startswith=campaign.territory_path)
    if campaign.venue_kinds:
        qs = qs.filter(kind__in=campaign.venue_kinds)
    return qs


def _township_paths(paths: Sequence[str]) -> dict[str, Jurisdiction]:
    """Township of each path (its ancestor at township level), in one query."""
    wanted = {a for path in paths for a in ancestor_paths(path)} | set(paths)
    townships = Jurisdiction.objects.filter(path__in=sorted(wanted), level=JurisdictionLevel.TOWNSHIP)
    return {t.path: t for t in townships}


def _township_for(path: str, townships: dict[str, Jurisdiction]) -> Jurisdiction | None:
    for candidate in [*ancestor_paths(path), path]:
        if candidate in townships:
            return townships[candidate]
    return None


def _add_targets(campaign: AssessmentCampaign) -> int:
    """Targets for the campaign's venues that have none yet; returns how many were added."""
    existing = set(CampaignTarget.objects.filter(campaign=campaign).values_list("venue_id", flat=True))
    venues = [(pk, path) for pk, path in _venues(campaign).values_list("pk", "jurisdiction_path") if pk not in existing]
    if not venues:
        return 0
    townships = _township_paths([path for _pk, path in venues])
    rows = []
    for pk, path in venues:
        township = _township_for(path, townships)
        rows.append(
            CampaignTarget(
                campaign=campaign, venue_id=pk, jurisdiction_path=path, township=township, status=TargetStatus.PENDING
            )
        )
    # ignore_conflicts: a launch racing another one for the same campaign adds each venue once.
    CampaignTarget.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _refresh_counts(campaign: AssessmentCampaign) -> None:
    campaign.target_count = (
        CampaignTarget.objects.filter(campaign=campaign).exclude(status=TargetStatus.CANCELLED).count()
    )
    campaign.unassigned_count = CampaignTarget.objects.filter(
        campaign=campaign, tasks_made=False, status=TargetStatus.PENDING
    ).count()
    campaign.save(update_fields=["target_count", "unassigned_count"])


def campaign_assign_targets(*, campaign_id: int, actor=None, batch_size: int = ASSIGN_BATCH) -> int:
    """Make the tasks of the campaign's targets that have none yet, ``batch_size`` targets per transaction; the
    Celery task's body, and the inline path of a small launch. Idempotent: a target is marked once its task is
    made, and the engine's dedupe key makes one task per target whatever the number of runs."""
    total = 0
    while True:
        with transaction.atomic():
            # SKIP LOCKED: two workers running this for one campaign take different targets.
            batch = list(
                CampaignTarget.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("campaign__assigned_department", "venue__grid", "venue__operator")
                .filter(campaign_id=campaign_id, tasks_made=False, status=TargetStatus.PENDING)
                .order_by("pk")[:batch_size]
            )
            for target in batch:
                tasks_evaluate(subject=target, event="created", actor=actor)
            CampaignTarget.objects.filter(pk__in=[t.pk for t in batch]).update(tasks_made=True)
            AssessmentCampaign.objects.filter(pk=campaign_id).update(
                unassigned_count=F("unassigned_count") - len(batch)
            )
        total += len(batch)
        if len(batch) < batch_size:
            break
    AssessmentCampaign.objects.filter(pk=campaign_id, unassigned_count__lt=0).update(unassigned_count=0)
    return total


def _launch_targets(campaign: AssessmentCampaign, actor) -> int:
    added = _add_targets(campaign)
    _refresh_counts(campaign)
    if campaign.unassigned_count <= inline_limit():
        campaign_assign_targets(campaign_id=campaign.pk, actor=actor)
        campaign.refresh_from_db(fields=["unassigned_count"])
    else:
        from risk.tasks import assign_campaign_targets

        actor_id = getattr(actor, "pk", None)
        transaction.on_commit(lambda: assign_campaign_targets.delay(campaign.pk, actor_id))
    return added


def _launcher(actor, territory: Jurisdiction):
    """The department or territory in whose name ``actor`` launches over ``territory``."""
    if actor is None:
        return None, territory
    scope = get_scope(actor)
    department = scope.department_covering(territory.path)
    if department is not None:
        return department, None
    for membership in scope.memberships:
        if (
            membership.role in access.TERRITORY_ROLES
            and membership.jurisdiction_id
            and territory.path.startswith(membership.jurisdiction.path)
        ):
            return None, membership.jurisdiction
    return None, territory if scope.is_superuser else None


def campaign_launch(
    *,
    actor,
    name: str,
    territory: Jurisdiction,
    purpose: str,
    deadline: dt.date,
    venue_kinds: Sequence[str] = (),
    assignment: str = CampaignAssignment.TERRITORIAL,
    assigned_department: Department | None = None,
    description: str = "",
) -> AssessmentCampaign:
    """Launch a campaign over the active venues of ``venue_kinds`` (all kinds when empty) in ``territory``, due
    by ``deadline``; each venue gets a task for its township (属地) or for ``assigned_department``."""
    from venues.choices import VenueKind

    name = clean_text(name, field="name", required=True, max_length=200, message=_("Name the campaign."))
    description = clean_text(description, field="description")
    if not access.can_launch_campaign(actor_scope(actor), territory):
        deny(_("%(territory)s is outside your territory.") % {"territory": territory.name})
    if purpose not in CampaignPurpose.values:
        raise DomainError(_("Choose the purpose of the campaign."), field="purpose")
    kinds = sorted(set(venue_kinds or []))
    unknown = [k for k in kinds if k not in VenueKind.values]
    if unknown:
        raise DomainError(_("Unknown kind of venue: %(kinds)s.") % {"kinds": ", ".join(unknown)}, field="venue_kinds")
    if not isinstance(deadline, dt.date) or deadline < timezone.localdate():
        raise DomainError(_("The deadline cannot be in the past."), field="deadline")
    if assignment not in CampaignAssignment.values:
        raise DomainError(_("Choose who assesses the venues."), field="assignment")
    if assignment == CampaignAssignment.DEPARTMENT:
        if assigned_department is None:
            raise DomainError(_("Choose the department that assesses the venues."), field="assigned_department")
        if not assigned_department.is_active:
            raise DomainError(
                _("%(department)s is not active.") % {"department": assigned_department}, field="assigned_department"
            )
    else:
        assigned_department = None
    department, jurisdiction = _launcher(actor, territory)
    campaign = AssessmentCampaign(
        name=name,
        purpose=purpose,
        description=description,
        territory=territory,
        territory_path=territory.path,
        venue_kinds=kinds,
        deadline=deadline,
        assignment=assignment,
        assigned_department=assigned_department,
        launched_by_department=department,
        launched_by_jurisdiction=jurisdiction,
        created_by=actor,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                campaign.save()
        except IntegrityError as exc:  # the same name in the same territory, e.g. a form sent twice
            raise DomainError(
                _(
                    "%(territory)s already has a campaign named “%(name)s”: open it and launch it again to add "
                    "new venues."
                )
                % {"territory": territory.name, "name": name},
                field="name",
            ) from exc
        added = _launch_targets(campaign, actor)
        log_action(
            actor=actor,
            subject=campaign,
            verb="launched",
            to_state=campaign.state,
            data={"venues": added, "kinds": kinds, "deadline": deadline.isoformat()},
        )
    return campaign


def campaign_relaunch(*, campaign: AssessmentCampaign, actor) -> int:
    """Launch again: venues that appeared since get their target and task; nothing is duplicated. Returns how
    many venues were added."""
    with transaction.atomic():
        # The lock serialises two re-launches; the unique key would stop duplicates anyway.
        campaign = AssessmentCampaign.objects.select_for_update().select_related("territory").get(pk=campaign.pk)
        if not access.can_launch_campaign(actor_scope(actor), campaign.territory):
            deny(_("%(territory)s is outside your territory.") % {"territory": campaign.territory.name})
        if not campaign.is_open:
            refuse(_("The campaign is closed."))
        added = _launch_targets(campaign, actor)
        log_action(actor=actor, subject=campaign, verb="relaunched", to_state=campaign.state, data={"venues": added})
    return added


def campaign_close(*, campaign: AssessmentCampaign, actor, reason: str = "") -> AssessmentCampaign:
    """Close the campaign: the items not assessed are cancelled with their tasks."""
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        campaign = AssessmentCampaign.objects.select_for_update().select_related("territory").get(pk=campaign.pk)
        if not access.can_launch_campaign(actor_scope(actor), campaign.territory):
            deny(_("%(territory)s is outside your territory.") % {"territory": campaign.territory.name})
        if not campaign.is_open:
            refuse(_("The campaign is already closed."))
        pending = list(
            CampaignTarget.objects.select_for_update().filter(campaign=campaign, status=TargetStatus.PENDING)
        )
        note = reason or _("The campaign was closed.")
        for target in pending:
            tasks_settle(subject=target, keys=CAMPAIGN_KEYS, actor=actor, outcome="cancelled", note=note)
        CampaignTarget.objects.filter(pk__in=[t.pk for t in pending]).update(status=TargetStatus.CANCELLED)
        campaign.state = CampaignState.CLOSED
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["state", "closed_at"])
        log_action(
            actor=actor,
            subject=campaign,
            verb="closed",
            from_state=CampaignState.OPEN,
            to_state=campaign.state,
            reason=reason,
            data={"cancelled_items": len(pending)},
        )
    return campaign
