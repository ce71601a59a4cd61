"""Helpers the gathering services share: permission checks, validation, the risk fields, duties."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from duties.services import tasks_evaluate, tasks_settle
from events import access
from events.choices import RiskSource
from events.duties import ALL_KEYS
from events.models import Gathering
from events.triage import TriageResult, render_reasons

# The language the stored reasons are written in (the UI's first language); readers see the facts rendered
# in their own.
STORED_LANGUAGE = "zh-hans"


def check_work(*, actor, gathering: Gathering) -> None:
    if not access.can_work(actor_scope(actor), gathering):
        raise PermissionDeniedError(_("You may see this gathering but not record field work on it."))


def check_manage(*, actor, gathering: Gathering) -> None:
    if not access.can_manage(actor_scope(actor), gathering):
        raise PermissionDeniedError(
            _("Only the township, the leaders of the territory and public security may do this.")
        )


def refuse(message) -> None:
    raise DomainError(message, code="invalid_state")


def clean_reason(reason: str, *, field: str = "reason", message=None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message or _("Give the reason."), field=field)
    if len(reason) > 2000:
        raise DomainError(_("The reason is too long (at most 2,000 characters)."), field=field)
    return reason


def full_clean(obj, *, exclude: list[str] | None = None) -> None:
    """Model validation as a domain error naming its field, with every problem found."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError.from_validation_error(exc) from exc


def stored_reasons(facts: list[dict]) -> list[str]:
    with translation.override(STORED_LANGUAGE):
        return render_reasons(facts)


def apply_triage(gathering: Gathering, result: TriageResult, *, actor) -> None:
    """Set the risk fields from an automatic pre-level (no save)."""
    gathering.risk_level = result.level
    gathering.risk_facts = result.facts
    gathering.risk_reasons = stored_reasons(result.facts)
    gathering.risk_source = RiskSource.TRIAGE
    gathering.risk_set_at = timezone.now()
    gathering.risk_set_by = actor if getattr(actor, "pk", None) else None
    gathering.risk_assessment_id = None


RISK_FIELDS = [
    "risk_level",
    "risk_facts",
    "risk_reasons",
    "risk_source",
    "risk_set_at",
    "risk_set_by",
    "risk_assessment_id",
]


def evaluate(gathering: Gathering, *, actor, events=("updated",)) -> None:
    """Evaluate the responsibility rules for the gathering (inside the caller's transaction)."""
    for event in events:
        tasks_evaluate(subject=gathering, event=event, actor=actor)


def settle_all(gathering: Gathering, *, actor, outcome: str, note: str) -> None:
    """Close the gathering's outstanding tasks made by the events rules."""
    tasks_settle(subject=gathering, keys=list(ALL_KEYS), actor=actor, outcome=outcome, note=note)


def locked(gathering: Gathering) -> Gathering:
    """The gathering's row, locked for the rest of the transaction (venue and grid joined, not locked)."""
    return (
        Gathering.objects.select_for_update(of=("self",))
        .select_related("venue", "grid", "organizer")
        .get(pk=gathering.pk)
    )
