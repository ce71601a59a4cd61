"""Helpers the risk services share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError, PermissionDeniedError

TEXT_MAX = 5000


def refuse(message) -> None:
    raise DomainError(message, code="invalid_state")


def deny(message=None) -> None:
    raise PermissionDeniedError(message or _("You may not do this."))


def clean_text(value, *, field: str, required: bool = False, max_length: int = TEXT_MAX, message=None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(message or _("This field is required."), field=field)
    if len(text) > max_length:
        raise DomainError(_("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text


def full_clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation as a domain error naming its field (the first problem found)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc
