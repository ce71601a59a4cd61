"""Helpers shared by the permit pages."""

from __future__ import annotations

from crowdsafe.common.admin import add_domain_error
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from notices.selectors import notices_for
from permits.access import is_head, is_organizer, is_reviewer
from permits.choices import ApplicationState
from permits.panels import render_application_panels


def state_labels() -> dict[str, str]:
    """Each state's label in the active language, read once per page (``get_state_display`` per row is slow)."""
    return {value: str(label) for value, label in ApplicationState.choices}


def add_error(form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put each problem of a domain error next to its field when the form has it, above the form otherwise (the
    kernel's ``add_domain_error``: every problem at once)."""
    add_domain_error(form, exc, aliases={k: (v,) for k, v in (aliases or {}).items()})


def roles(user, application) -> dict:
    scope = get_scope(user)
    return {
        "is_organizer": is_organizer(scope, application),
        "is_reviewer": is_reviewer(scope, application),
        "is_head": is_head(scope, application),
    }


def notices_context(application) -> dict:
    """The documents issued about the application (notices' ``notices_for``, docs/contracts/notices.md)."""
    return {"notices": list(notices_for(application))}


def panels(request, application):
    return render_application_panels(request, application)
