"""The local settings of the permit review a city's administrator keeps: the promised decision deadline per
jurisdiction (承诺办结时限) and where a refusal may be reviewed or litigated."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Jurisdiction
from crowdsafe.workdays.choices import DeadlineUnit
from permits.models import PromisedDeadline
from permits.rules import promise_error

MAX_PROMISED_DAYS = 60


def can_edit_local_settings(*, actor, jurisdiction: Jurisdiction | None = None) -> bool:
    """Superusers, and administrators of a city for the jurisdictions in it."""
    scope = get_scope(actor)
    if scope.is_superuser:
        return True
    if jurisdiction is None:
        return bool(scope.admin_paths)
    return any(jurisdiction.path.startswith(path) for path in scope.admin_paths)


def promised_deadline_save(
    *,
    jurisdiction: Jurisdiction,
    days: int,
    unit: str,
    actor,
    review_authority: str = "",
    court: str = "",
) -> PromisedDeadline:
    """Set the promised decision deadline of a jurisdiction (and below): applications accepted from now on are
    due ``days`` working or calendar days after acceptance. Applications already accepted keep their dates."""
    if not can_edit_local_settings(actor=actor, jurisdiction=jurisdiction):
        raise PermissionDeniedError(_("Only an administrator of this city may change its promised deadlines."))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_PROMISED_DAYS:
        raise DomainError(_("Enter a number of days from 1 to %(max)d.") % {"max": MAX_PROMISED_DAYS}, field="days")
    if unit not in DeadlineUnit.values:
        raise DomainError(_("Use working or calendar days."), field="unit")
    if message := promise_error(days, unit):
        raise DomainError(message, field="days")
    with transaction.atomic():
        row, created = PromisedDeadline.objects.select_for_update().get_or_create(
            jurisdiction=jurisdiction,
            defaults={"days": days, "unit": unit, "review_authority": review_authority, "court": court},
        )
        before = f"{row.days}:{row.unit}"
        if not created:
            row.days, row.unit = days, unit
            row.review_authority, row.court = review_authority.strip(), court.strip()
            row.save()
        log_action(
            actor=actor,
            subject=row,
            verb="created" if created else "updated",
            from_state="" if created else before,
            to_state=f"{days}:{unit}",
            data={"jurisdiction": jurisdiction.code},
        )
    return row


def promised_deadline_delete(*, row: PromisedDeadline, actor) -> None:
    if not can_edit_local_settings(actor=actor, jurisdiction=row.jurisdiction):
        raise PermissionDeniedError(_("Only an administrator of this city may change its promised deadlines."))
    with transaction.atomic():
        log_action(actor=actor, subject=row, verb="deleted", from_state=f"{row.days}:{row.unit}")
        row.delete()
