"""The drill notice (演练通知) through the notices service (docs/contracts/notices.md): numbered, rendered as a PDF."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from crowdsafe.org.models import Department
from drills.access import can_manage_plan
from drills.choices import DrillStatus
from drills.models import Drill
from notices.choices import NoticeKind
from notices.services import notice_issue


def drill_participants(drill: Drill) -> list[str]:
    """Who takes part, as the notice lists them: the plan's owner, the departments, the units, the others."""
    names = [str(drill.plan.owner)]
    names += [d.name for d in drill.departments.all()]
    names += [u.name for u in drill.units.all()]
    names += [
        part.strip() for part in drill.other_units.replace("；", "、").replace(",", "、").split("、") if part.strip()
    ]
    if drill.public_participation:
        if drill.public_participants:
            names.append(_("%(n)d members of the public") % {"n": drill.public_participants})
        else:
            names.append(_("members of the public"))
    seen: set[str] = set()
    return [n for n in names if not (n in seen or seen.add(n))]


def drill_notice_issue(
    *,
    drill: Drill,
    actor,
    issuer: Department,
    recipient: str,
    requirements: Sequence[str],
    copy_to: Sequence[str] = (),
):
    """Issue the notice of a planned drill (kind ``drill_notice``) from ``issuer``: a department the actor works
    for, that manages the plan (its owner or the territory's emergency-management department) or takes part in the
    drill. The notice is numbered and saved in this transaction; its PDF is rendered after the commit."""
    requirements = [r.strip() for r in requirements if r and r.strip()]
    if not requirements:
        raise DomainError(_("List at least one requirement for the participants."), field="requirements")
    with transaction.atomic():
        # The lock keeps the drill as noticed: a cancellation or a change waits for the notice, then applies.
        locked = Drill.objects.select_for_update(of=("self",)).select_related("plan").get(pk=drill.pk)
        if locked.status != DrillStatus.PLANNED or locked.scheduled_for is None:
            raise DomainError(_("A drill notice is issued for a planned drill."), code="invalid_state")
        participates = locked.departments.filter(pk=issuer.pk).exists()
        if not (participates or can_manage_plan(actor_scope(actor), locked.plan)):
            raise PermissionDeniedError(_("You may see this drill but not issue its notice."))
        context = {
            "plan_name": locked.plan.title,
            "scenario": locked.scenario,
            "drill_at": locked.scheduled_for,
            "place": locked.place or locked.plan.scope_label,
            "participants": drill_participants(locked),
            "requirements": requirements,
        }
        return notice_issue(
            kind=NoticeKind.DRILL_NOTICE,
            issuer=issuer,
            subject=locked,
            recipient=recipient,
            context=context,
            actor=actor,
            copy_to=[c.strip() for c in copy_to if c and c.strip()],
            recipient_organisation=locked.plan.owner_organisation,
        )
