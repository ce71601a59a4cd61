"""The risk matrix's bands: reading them (with the seeded defaults as fallback) and saving an administrator's
change, which must keep the four levels in order, without overlaps, starting at 1 and ending at 25."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from risk.choices import LEVEL_ORDER, RiskLevel
from risk.models import RiskBand
from risk.scoring import DEFAULT_BANDS, Band, level_for_score


def load_bands() -> list[Band]:
    """The bands in force: one query. With none in the table (an administrator deleted them) the defaults of
    DESIGN.md apply."""
    rows = [Band(row.level, row.min_score, row.max_score) for row in RiskBand.objects.order_by("min_score")]
    return rows or list(DEFAULT_BANDS)


def level_of(score: int, bands=None) -> str:
    return level_for_score(score, bands if bands is not None else load_bands())


def check_bands(bands: list[Band]) -> None:
    """Raise a DomainError unless the bands cover 1–25 in level order with no overlap (gaps are allowed only
    where no product of two 1–5 ratings falls)."""
    products = {a * b for a in range(1, 6) for b in range(1, 6)}
    ordered = sorted(bands, key=lambda b: b.min_score)
    if sorted(str(b.level) for b in ordered) != sorted(RiskLevel.values):
        raise DomainError(_("Give one band for each of the four levels."), field="level")
    if [LEVEL_ORDER[RiskLevel(b.level)] for b in ordered] != [0, 1, 2, 3]:
        raise DomainError(_("Higher scores must give higher levels: blue, yellow, orange, red."), field="min_score")
    for band in ordered:
        if band.min_score > band.max_score:
            raise DomainError(
                _("The band of %(level)s starts after it ends.") % {"level": RiskLevel(band.level).label},
                field="min_score",
            )
    if ordered[0].min_score != 1 or ordered[-1].max_score != 25:
        raise DomainError(_("The bands must run from 1 to 25."), field="min_score")
    for lower, upper in itertools.pairwise(ordered):
        if upper.min_score <= lower.max_score:
            raise DomainError(_("Two bands overlap."), field="min_score")
        if any(lower.max_score < p < upper.min_score for p in products):
            raise DomainError(
                _("Scores between %(a)d and %(b)d would fall in no band.")
                % {"a": lower.max_score, "b": upper.min_score},
                field="min_score",
            )


def bands_update(*, bands: Mapping[str, tuple[int, int]], actor) -> list[RiskBand]:
    """Replace the bands' boundaries: ``{"blue": (1, 3), "yellow": (4, 8), ...}``. Signed-off assessments keep
    their level."""
    from crowdsafe.org.access import actor_scope
    from risk.access import can_edit_bands
    from risk.services.common import deny

    if not can_edit_bands(actor_scope(actor)):
        deny(_("Only the city's administrators set the risk matrix."))
    proposed = [Band(level, int(lo), int(hi)) for level, (lo, hi) in bands.items()]
    check_bands(proposed)
    with transaction.atomic():
        saved = []
        for band in proposed:
            row, _created = RiskBand.objects.select_for_update().get_or_create(
                level=band.level, defaults={"min_score": band.min_score, "max_score": band.max_score}
            )
            before = f"{row.min_score}-{row.max_score}"
            row.min_score, row.max_score = band.min_score, band.max_score
            row.save(update_fields=["min_score", "max_score", "updated_at"])
            log_action(
                actor=actor, subject=row, verb="updated", from_state=before, to_state=f"{row.min_score}-{row.max_score}"
            )
            saved.append(row)
    # Sanity: the new bands give a level for every product.
    for a in range(1, 6):
        for b in range(1, 6):
            level_for_score(a * b, proposed)
    return saved
