"""Personal information (《个人信息保护法》, PIPL): the one masking helper, who may see a full value, the logged reveal
and the retention of callers' numbers.

Masking (Art. 51: technical measures such as de-identification). Lists, exports and API lists show resident ID
numbers and phone numbers masked, always with the same helper:

- a resident ID number keeps its region (first 6) and last 4: ``410502********1234`` (the birth date is hidden);
- a mobile number keeps its first 3 and last 4: ``138****5678``; a shorter (landline) number its last 4.

Who may see a full value (Art. 6, the minimum necessary: only those whose job needs it), decided per role:

- **resident ID numbers** (the safety-responsible person of an application or an organisation, Order 505 Art. 13):
  the staff and heads of a *public security* department, the licensing authority that checks the identity; and
  the organizer's own people for their own organisation's records (it is their own entry). Nobody else: a
  leader's dashboard, a township or another department's reviewer works with the masked number.
- **phone numbers** (contact persons, venue responsible persons, callers): government staff who follow a record up
  by phone: department staff and heads, township officers and grid workers; and the organizer's own people for
  their own records. Leaders and administrators see masked numbers.

A full value is only ever shown on request (a button on the detail page, ``?reveal=1`` on an API detail), and each
reveal writes an action-log entry (verb ``pii_revealed``, the field named, never the value) in the same
transaction: who saw whose number, and when, is in the record's timeline.

Retention (Art. 19: kept no longer than the purpose needs). Callers' numbers (the 110 / 12345 tickets and public
reports) are blanked ``settings.CALLER_PHONE_RETENTION_DAYS`` days (default 180) after they were received, by a
daily beat task (``crowdsafe.common.tasks.caller_phones_expire``); each blanked number writes a ``pii_expired``
entry. Which fields are callers' numbers is a setting (``CALLER_PHONE_FIELDS``, app-label model names), so the
kernel names no domain app.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.choices import DepartmentKind, Role

logger = logging.getLogger(__name__)

RESIDENT_ID = "resident_id"
PHONE = "phone"
KINDS = {RESIDENT_ID: _("resident ID number"), PHONE: _("phone number")}

# Who may reveal what (see the module's docstring): the government roles, and for resident ID numbers the kind of
# department whose job is to check the identity.
PHONE_ROLES = frozenset({Role.STAFF, Role.HEAD, Role.TOWNSHIP_OFFICER, Role.GRID_WORKER})
RESIDENT_ID_ROLES = frozenset({Role.STAFF, Role.HEAD})
RESIDENT_ID_DEPARTMENT_KINDS = frozenset({DepartmentKind.PUBLIC_SECURITY})


def mask_phone(value: str | None) -> str:
    """138****5678: a mobile number's first three and last four digits; a shorter number only its last four."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 11:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return "*" * len(text)


def mask_resident_id(value: str | None) -> str:
    """410502********1234: the region code and the last four characters; the birth date is hidden."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) > 10:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    return "*" * max(len(text) - 4, 0) + text[-4:]


def mask(kind: str, value: str | None) -> str:
    return mask_resident_id(value) if kind == RESIDENT_ID else mask_phone(value)


def can_reveal(scope: Any, kind: str, *, organisation_id: int | None = None) -> bool:
    """Whether the user of ``scope`` may see a full value of ``kind``, on a record they may already see.
    ``organisation_id``: the organisation the record belongs to (its people may see their own entries)."""
    if scope.user_id is None:
        return False
    if organisation_id is not None and organisation_id in scope.organisation_ids:
        return True
    if kind == PHONE:
        return bool(scope.roles & PHONE_ROLES)
    return any(
        membership.role in RESIDENT_ID_ROLES
        and membership.department_id is not None
        and membership.department.kind in RESIDENT_ID_DEPARTMENT_KINDS
        and membership.department.is_active
        for membership in scope.memberships
    )


@dataclass(frozen=True)
class Revealed:
    """A full value shown to a user, its reveal logged."""

    field: str
    kind: str
    value: str


def reveal(*, subject: models.Model, field: str, kind: str, actor: Any) -> Revealed:
    """The full value of ``subject.<field>`` for ``actor``, logged (the field, never the value). The caller has
    checked ``can_reveal`` on a record ``actor`` may see."""
    from crowdsafe.audit.services import log_action

    value = str(getattr(subject, field) or "")
    with transaction.atomic():
        log_action(actor=actor, subject=subject, verb="pii_revealed", data={"field": field, "kind": kind})
    return Revealed(field=field, kind=kind, value=value)


# --- retention of callers' numbers ---------------------------------------------------------------------------


def caller_phones_expire(*, now: dt.datetime | None = None) -> int:
    """Blank every caller's number received more than ``CALLER_PHONE_RETENTION_DAYS`` days ago; one log entry per
    record. Idempotent: a blanked number is not selected again. Returns how many were blanked."""
    from crowdsafe.audit.services import log_action

    days = settings.CALLER_PHONE_RETENTION_DAYS
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    blanked = 0
    for label, phone_field, received_field in settings.CALLER_PHONE_FIELDS:
        try:
            model = apps.get_model(label)
        except LookupError:  # the app is not installed in this deployment
            continue
        with transaction.atomic():
            # skip_locked: a record being edited right now is left for tomorrow's run instead of waiting on it.
            rows = (
                model.objects.select_for_update(skip_locked=True)
                .filter(**{f"{received_field}__lt": cutoff})
                .exclude(**{phone_field: ""})
            )
            for row in rows:
                setattr(row, phone_field, "")
                row.save(update_fields=[phone_field])
                log_action(
                    actor=None,
                    subject=row,
                    verb="pii_expired",
                    reason=f"{days}",
                    data={"field": phone_field, "retention_days": days},
                )
                blanked += 1
    if blanked:
        logger.info("Blanked %d caller phone numbers older than %d days", blanked, days)
    return blanked


# --- the API ----------------------------------------------------------------------------------------------------


def shown(kind: str, value: Any, reveal: Any) -> str:
    """What an API answer shows of a ``kind`` value: in full when ``kind`` is in ``reveal`` (the serializer's
    ``context["reveal"]``), masked otherwise. ``masked_field``'s output, for a serializer that writes its items out."""
    text = str(value or "")
    return text if kind in reveal else mask(kind, text)


def masked_field(kind: str, **kwargs: Any) -> Any:
    """A read-only serializer field showing the value masked, unless the serializer's context says the caller asked
    for and may see full values of ``kind`` (``context["reveal"]``, a set of kinds the view has checked with
    ``can_reveal`` and logged with ``reveal``)."""
    from rest_framework import serializers

    class _Masked(serializers.CharField):
        def to_representation(self, value: Any) -> str:
            return shown(kind, value, self.context.get("reveal", ()))

    return _Masked(read_only=True, help_text=f"Masked ({kind}) unless the request says reveal=1.", **kwargs)


def reveal_kinds(*, request: Any, subject: models.Model, fields: dict[str, str], organisation_id: int | None) -> set:
    """For an API detail asked with ``?reveal=1``: the kinds of ``fields`` ({field: kind}) the caller may see in full,
    each shown field logged (``reveal``); a ``PermissionDenied`` (403) when they may see none of them. Without
    ``?reveal``: nothing revealed, nothing logged."""
    from django.core.exceptions import PermissionDenied

    from crowdsafe.org.access import get_scope

    if str(request.query_params.get("reveal", "")).lower() not in {"1", "true"}:
        return set()
    scope = get_scope(request.user)
    allowed = {kind for kind in set(fields.values()) if can_reveal(scope, kind, organisation_id=organisation_id)}
    if not allowed:
        raise PermissionDenied(_("Your role does not need these personal details in full."))
    from crowdsafe.audit.services import log_action

    with transaction.atomic():
        for field, kind in fields.items():
            # A related rows' field (``contacts.phone``) is logged as asked; the subject's own only when it has a value.
            if kind in allowed and ("." in field or getattr(subject, field, "")):
                log_action(
                    actor=request.user, subject=subject, verb="pii_revealed", data={"field": field, "kind": kind}
                )
    return allowed


def reveal_parameter(what: str) -> Any:
    """The OpenAPI ``reveal`` query parameter of an API detail showing ``what`` masked."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "reveal",
        bool,
        description=f"Show {what} in full, where the caller's role needs it; each reveal is logged. 403 for a role "
        "that may not see it.",
    )


# --- the web pages ----------------------------------------------------------------------------------------------

REVEAL_FIELD = "reveal"


def page_reveal(
    request: Any, *, subject: models.Model, fields: dict[str, str], organisation_id: int | None
) -> dict[str, Any]:
    """A detail page's personal details: the context ``pii_revealed`` (the kinds shown in full) and ``pii_can_reveal``
    (whether to offer the "显示完整信息" button). ``fields``: {field: kind} of the values the page shows (only those
    with a value; a related row's field named ``related.field``). A POST with ``reveal`` shows the kinds the user may
    see in full, each field logged against ``subject`` (``pii_revealed``, the field, never the value); a
    ``PermissionDenied`` (403) and nothing logged when they may see none. Any other request: everything masked."""
    from django.core.exceptions import PermissionDenied

    from crowdsafe.audit.services import log_action
    from crowdsafe.org.access import get_scope

    scope = get_scope(request.user)
    allowed = {kind for kind in set(fields.values()) if can_reveal(scope, kind, organisation_id=organisation_id)}
    if request.method != "POST" or not request.POST.get(REVEAL_FIELD):
        return {"pii_revealed": set(), "pii_can_reveal": bool(allowed)}
    if not allowed:
        raise PermissionDenied(_("Your role does not need these personal details in full."))
    with transaction.atomic():
        for field, kind in fields.items():
            if kind in allowed:
                log_action(
                    actor=request.user, subject=subject, verb="pii_revealed", data={"field": field, "kind": kind}
                )
    return {"pii_revealed": allowed, "pii_can_reveal": False}
