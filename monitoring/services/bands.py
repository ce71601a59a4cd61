"""The level bands (分级阈值): changed by the city's administrators, checked, and logged (``band_updated``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.access import actor_scope
from monitoring import access
from monitoring.models import Band


def _number(value: Any, field: str, *, optional: bool = False) -> Decimal | None:
    if value in (None, ""):
        if optional:
            return None
        raise DomainError(_("Give a threshold."), field=field)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Give a number."), field=field) from exc
    if not number.is_finite() or number <= 0 or number >= 1000:
        raise DomainError(_("A threshold is a positive number below 1000."), field=field)
    return number


def band_update(*, band: Band, actor: Any, yellow: Any, orange: Any, red: Any, source: str) -> Band:
    """New thresholds (yellow optional, yellow < orange < red) and the source they come from (required): the
    change is logged with the figures before and after."""
    if not access.can_edit_bands(actor_scope(actor)):
        raise PermissionDeniedError(_("Only the city's administrators change the level bands."))
    y = _number(yellow, "yellow", optional=True)
    o = _number(orange, "orange")
    r = _number(red, "red")
    assert o is not None and r is not None
    if not o < r:
        raise DomainError(_("Orange starts below red."), field="orange")
    if y is not None and not y < o:
        raise DomainError(_("Yellow starts below orange."), field="yellow")
    source = (source or "").strip()
    if not source:
        raise DomainError(_("Say where the figures come from."), field="source")
    with transaction.atomic():
        row = Band.objects.select_for_update().get(pk=band.pk)
        before = _figures(row)
        row.yellow, row.orange, row.red, row.source = y, o, r, source
        row.save()
        log_action(
            actor=actor,
            subject=row,
            verb="band_updated",
            from_state=before,
            to_state=_figures(row),
            reason=source[:500],
            data={"measure": row.measure, "zone_kind": row.zone_kind},
        )
    return row


def _figures(band: Band) -> str:
    return " / ".join("—" if v is None else f"{Decimal(v).normalize():f}" for v in (band.yellow, band.orange, band.red))
