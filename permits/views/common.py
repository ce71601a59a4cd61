"""Helpers shared by the permit pages."""

from __future__ import annotations

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from permits import documents
from permits.access import is_head, is_organizer, is_reviewer
from permits.choices import ApplicationState
from permits.panels import render_application_panels

NOTICES_TEMPLATE = "notices/_subject_notices.html"


def state_labels() -> dict[str, str]:
    """Each state's label in the active language, read once per page (``get_state_display`` per row is slow)."""
    return {value: str(label) for value, label in ApplicationState.choices}


def add_error(form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a domain error next to its field when the form has it, above the form otherwise."""
    name = (aliases or {}).get(exc.field or "", exc.field)
    if name and name in form.fields:
        form.add_error(name, str(exc.message))
    else:
        form.add_error(None, str(exc.message))


def roles(user, application) -> dict:
    scope = get_scope(user)
    return {
        "is_organizer": is_organizer(scope, application),
        "is_reviewer": is_reviewer(scope, application),
        "is_head": is_head(scope, application),
    }


def notices_context(application) -> dict:
    """The documents issued about the application, when the notices app provides them."""
    if not documents.notices_available():
        return {"notices": None, "notices_template": None}
    try:
        get_template(NOTICES_TEMPLATE)
        from notices.selectors import notices_for
    except (TemplateDoesNotExist, ImportError):
        return {"notices": None, "notices_template": None}
    return {"notices": list(notices_for(application)), "notices_template": NOTICES_TEMPLATE}


def panels(request, application):
    return render_application_panels(request, application)
