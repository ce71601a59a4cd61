"""``{% board_tiles tiles %}``: the tiles of the live board (``monitoring.board.Tile``), rendered in Python, as the
task queue's rows are (``duties.templatetags.duty_tags.task_rows``).

The board's fragment is rendered for every viewer every 5 seconds. Written in the template, each of its 60 tiles
cost eight ``{% translate %}``/``{% blocktranslate %}`` lookups, two lazy labels and some thirty variable lookups,
escapes and localisations: two thirds of the fragment's CPU (issue 15 point 8). Here the words, the labels of the
levels and kinds and the unit are translated and escaped once per fragment, and each tile is one f-string whose
values are escaped as the template escapes them (``html.escape``, which Django's ``escape`` calls); the figures
are written as the template's filters write them (``_fixed`` is ``floatformat``'s output, ``time:"H:i:s"`` the
local time's %H:%M:%S). The markup is the template's: the page reads the same in every language
(tests/monitoring/test_board.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import escape

from django import template
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import get_format, localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from monitoring.board import Tile
from monitoring.choices import Level, ZoneKind

register = template.Library()


_STEPS = {places: Decimal(1).scaleb(-places) for places in (0, 1, 2, 3)}


def _fixed(value: float, places: int, separator: str) -> str:
    """``value|floatformat:places`` (places 0–3), written as the filter writes it — the value's shortest repr
    rounded half up, no sign on a zero, the language's decimal separator, no grouping (USE_THOUSAND_SEPARATOR is
    off) — without the filter's per-call lookups of the language's formats: 120 figures per fragment."""
    try:
        rounded = Decimal(repr(float(value))).quantize(_STEPS[places], ROUND_HALF_UP)
    except (InvalidOperation, KeyError, TypeError, ValueError):
        return str(floatformat(value, places))
    if not rounded.is_finite():
        return str(floatformat(value, places))
    text = f"{rounded if rounded else abs(rounded):f}"  # no sign on a zero
    return text if separator == "." else text.replace(".", separator)


def _sentence(text: str, name: str, value: object) -> str:
    """A translated sentence with one ``%(name)s`` figure, as ``{% blocktranslate %}`` renders it: the sentence as
    translated, the figure escaped."""
    return text.replace(f"%({name})s", escape(str(value))).replace("%%", "%")


@register.simple_tag
def board_tiles(tiles: Iterable[Tile]) -> SafeString:
    """The ``<li>`` of each tile: name and level, place and kind, density and share of capacity, the last hour's
    sparkline, and the forecast (or the trend, or the interruption) with the last count and its time."""
    levels = {value: escape(str(label)) for value, label in Level.choices}
    blue = levels[Level.BLUE.value]
    kinds = {value: escape(str(label)) for value, label in ZoneKind.choices}
    unit = escape(_("persons/m²"))
    percent, expected, trend, people = (
        escape(_("%(p)s%% of capacity")),
        escape(_("Red expected in %(m)s min")),
        escape(_("Trend %(r)s persons/min")),
        escape(_("%(n)s people")),
    )
    silent = f'<strong class="mon-silent">{escape(_("Monitoring interrupted: no fresh reading"))}</strong>'
    no_reading = f'<span class="muted">{escape(_("No reading yet"))}</span>'
    red = Level.RED.value
    separator = get_format("DECIMAL_SEPARATOR")
    # With USE_THOUSAND_SEPARATOR on the filters would group the thousands: they write every figure then.
    grouped = bool(settings.USE_THOUSAND_SEPARATOR)

    def fixed(value: float, places: int, separator: str) -> str:
        return str(floatformat(value, places)) if grouped else _fixed(value, places, separator)

    def number(value: int) -> str:
        return str(localize(value)) if grouped else str(value)

    out: list[str] = []
    for tile in tiles:
        level = escape(tile.level)
        share = tile.percent
        share_html = (
            ""
            if share is None
            else f'<span class="mon-percent" data-percent>{_sentence(percent, "p", number(share))}</span>'
        )
        if tile.interrupted:
            foot = silent
        elif (minutes := tile.minutes_to_red) is not None and tile.level != red:
            foot = f'<strong class="mon-forecast">{_sentence(expected, "m", fixed(minutes, 0, separator))}</strong>'
        elif (rate := tile.rate) is not None:
            foot = _sentence(trend, "r", fixed(rate, 0, separator))
        else:
            foot = ""
        if tile.count is None:
            last = no_reading
        else:
            at = f" · {timezone.localtime(tile.observed_at):%H:%M:%S}" if tile.observed_at else ""
            last = f'<span class="muted">{_sentence(people, "n", number(tile.count))}{at}</span>'
        density = "—" if tile.density is None else escape(fixed(tile.density, 2, separator))
        out.append(
            f'<li class="mon-tile level-{level}{" is-silent" if tile.interrupted else ""}" '
            f'data-zone-tile="{tile.id}" data-level="{level}">\n'
            f'<a class="mon-tile-link" href="{escape(tile.url)}">\n'
            '<div class="mon-tile-head">\n'
            f'<span class="mon-tile-name">{escape(str(tile.name))}</span>\n'
            f'<span class="mon-level-badge level-{level}">{levels.get(tile.level, blue)}</span>\n'
            "</div>\n"
            f'<div class="mon-tile-place muted small">{escape(str(tile.place))} · {kinds.get(tile.kind, "")}</div>\n'
            '<div class="mon-tile-figures">\n'
            f'<span class="mon-density" data-density>{density}</span>\n'
            f'<span class="mon-unit">{unit}</span>\n'
            f"{share_html}\n"
            "</div>\n"
            f'<div class="mon-tile-spark">{tile.spark}</div>\n'
            '<div class="mon-tile-foot small">\n'
            f"{foot}\n"
            f"{last}\n"
            "</div>\n"
            "</a>\n"
            "</li>"
        )
    return mark_safe("\n".join(out))  # every value above is escaped; the words are translated once
