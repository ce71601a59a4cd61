"""Issue 15 point 8: the board's tiles are written by ``{% board_tiles %}`` (monitoring/templatetags/board_tags.py),
in Python, for the fragment's CPU; what the viewer reads must stay what the template wrote. REFERENCE is the
template loop the tag replaced: both render the same tiles, compared with the whitespace between tags collapsed,
in Chinese and in English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import engines
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from monitoring.board import Tile, board
from monitoring.charts import sparkline_svg
from monitoring.services import readings_ingest
from monitoring.templatetags.board_tags import _fixed, board_tiles
from tests.monitoring.conftest import feed, make_zone

REFERENCE = """{% load i18n %}{% translate "persons/m²" as unit %}
{% for tile in tiles %}
<li class="mon-tile level-{{ tile.level }}{% if tile.interrupted %} is-silent{% endif %}" data-zone-tile="{{ tile.id }}" data-level="{{ tile.level }}">
  <a class="mon-tile-link" href="{{ tile.url }}">
    <div class="mon-tile-head">
      <span class="mon-tile-name">{{ tile.name }}</span>
      <span class="mon-level-badge level-{{ tile.level }}">{{ tile.level_label }}</span>
    </div>
    <div class="mon-tile-place muted small">{{ tile.place }} · {{ tile.kind_label }}</div>
    <div class="mon-tile-figures">
      <span class="mon-density" data-density>{% if tile.density is not None %}{{ tile.density|floatformat:2 }}{% else %}—{% endif %}</span>
      <span class="mon-unit">{{ unit }}</span>
      {% if tile.percent is not None %}<span class="mon-percent" data-percent>{% blocktranslate trimmed with p=tile.percent %}{{ p }}% of capacity{% endblocktranslate %}</span>{% endif %}
    </div>
    <div class="mon-tile-spark">{{ tile.spark }}</div>
    <div class="mon-tile-foot small">
      {% if tile.interrupted %}<strong class="mon-silent">{% translate "Monitoring interrupted: no fresh reading" %}</strong>
      {% elif tile.minutes_to_red is not None and tile.level != "red" %}<strong class="mon-forecast">{% blocktranslate trimmed with m=tile.minutes_to_red|floatformat:0 %}Red expected in {{ m }} min{% endblocktranslate %}</strong>
      {% elif tile.rate is not None %}{% blocktranslate trimmed with r=tile.rate|floatformat:0 %}Trend {{ r }} persons/min{% endblocktranslate %}
      {% endif %}
      {% if tile.count is not None %}<span class="muted">{% blocktranslate trimmed with n=tile.count %}{{ n }} people{% endblocktranslate %}{% if tile.observed_at %} · {{ tile.observed_at|time:"H:i:s" }}{% endif %}</span>{% else %}<span class="muted">{% translate "No reading yet" %}</span>{% endif %}
    </div>
  </a>
</li>
{% endfor %}"""  # noqa: E501


def _collapsed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def _tiles() -> list[Tile]:
    at = timezone.make_aware(dt.datetime(2026, 12, 7, 9, 5, 7), dt.UTC)
    spark = sparkline_svg([1.0, None, 2.5, 3.25], level="orange")
    tiles = [
        # An interrupted feed at orange (its forecast is not shown), a name to escape, a share rounding half up.
        Tile(
            1,
            '<b>"东大街"</b> & 鼓楼',
            "鼓楼<段>",
            "steps",
            "orange",
            1005,
            2.345,
            0.805,
            at,
            True,
            {"minutes_to_red": 3.5},
        ),
        # Unknown level and kind (shown as blue, no kind), no reading at all.
        Tile(2, "北关广场", "北关区", "other", "weird", None, None, None, None, False, {}),
        # Red expected in 13 min (12.5 rounds half up), a negative trend not shown behind it.
        Tile(
            3,
            "人民公园",
            "文峰区",
            "moving",
            "yellow",
            12345,
            0.125,
            1.005,
            at,
            False,
            {"minutes_to_red": 12.5, "rate_per_min": -0.4},
        ),
        # Red: the forecast is not shown, the trend is; a zero count with no time.
        Tile(
            4,
            "滨河步道",
            "北关区",
            "moving",
            "red",
            0,
            0.0,
            0.0,
            None,
            False,
            {"minutes_to_red": 0.0, "rate_per_min": 2.5},
        ),
        # A falling trend that rounds to zero: no minus sign (floatformat writes none).
        Tile(5, "火车站广场", "文峰区", "standing", "blue", 7, 10.0, None, at, False, {"rate_per_min": -0.4}),
        Tile(6, "殷墟景区", "殷都区", "standing", "yellow", 300, 1.5, 0.6, at, False, {"rate_per_min": 1234.5}),
    ]
    for i, tile in enumerate(tiles):
        tile.url = f"/monitoring/zones/{tile.id}/"
        tile.spark = spark if i % 2 else ""
    return tiles


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_tiles_tag_writes_what_the_template_loop_wrote(language):
    tiles = _tiles()
    reference = engines["django"].from_string(REFERENCE)
    with translation.override(language), timezone.override("Asia/Shanghai"):
        expected = _collapsed(reference.render({"tiles": tiles}))
        written = _collapsed(board_tiles(tiles))
    assert written == expected
    assert ("人/平方米" in written) == (language == "zh-hans") and "&lt;b&gt;&quot;东大街&quot;" in written
    assert "17:05:07" in written  # the local time (Asia/Shanghai), as the time filter writes it


@pytest.mark.parametrize(
    "value",
    [0.0, -0.0, 0.004, 0.005, 0.125, 2.345, 2.675, 1.005, -0.4, -0.5, -1.5, 12.5, 99.995, 1234.5, 1e-7, 3e15, 4.7],
)
@pytest.mark.parametrize("places", [0, 2])
def test_fixed_writes_what_floatformat_writes(value, places):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert _fixed(value, places, ".") == str(floatformat(value, places))
    assert _fixed(float("nan"), places, ".") == str(floatformat(float("nan"), places))


@pytest.mark.django_db
def test_the_board_reads_the_zones_unordered_and_sorts_them_worst_first_itself(city, users):
    """The reads of the zones have no ORDER BY: the zones' default order (territory path, name) sorted 2,000 names
    by collation in the database for nothing; the board puts them worst first in Python."""
    from django.db import connection

    quiet = make_zone(city, users, area="500")
    red = make_zone(city, users, area="200")
    source, _token = feed(red, users)
    readings_ingest(source=source, rows=[{"zone": red.pk, "observed_at": timezone.now().isoformat(), "count": 1000}])
    with CaptureQueriesContext(connection) as captured:
        data = board(user=users.admin)
    assert [t.id for t in data.tiles][:2] == [red.pk, quiet.pk]
    zones = [q["sql"] for q in captured.captured_queries if "minutes_to_red" in q["sql"]]
    assert len(zones) == 2 and all("ORDER BY" not in sql for sql in zones)


@pytest.mark.django_db
def test_the_sparklines_are_read_one_row_per_zone_with_the_same_values(city, users):
    """On PostgreSQL the tiles' last hour comes from the rollups as one row per zone (the minutes' indexes and means
    as two arrays), not a row per zone and minute (3,600 for 60 tiles); the same values as the row-by-row read
    (SQLite's): a minute without readings (n = 0) and a minute with no rollup are gaps, a minute before the hour
    is left out."""
    from django.db import connection

    from monitoring.board import SPARK_MINUTES, _minute_floor, _spark_series_arrays, _spark_series_rows
    from monitoring.models import Rollup

    zone, other = make_zone(city, users, area="200"), make_zone(city, users, area="300")
    first = _minute_floor(timezone.now()) - dt.timedelta(minutes=SPARK_MINUTES - 1)
    for minute, n, total in ((-1, 1, 99), (0, 2, 11), (1, 0, 0), (5, 3, 10), (SPARK_MINUTES - 1, 1, 7)):
        Rollup.objects.create(zone=zone, minute=first + dt.timedelta(minutes=minute), n=n, people_sum=total)
    rows = _spark_series_rows([zone.pk, other.pk], first=first)
    assert rows[zone.pk][:6] == [5.5, None, None, None, None, 10 / 3] and rows[zone.pk][-1] == 7.0
    assert rows[other.pk] == [None] * SPARK_MINUTES
    assert _spark_series_arrays([zone.pk, other.pk], first=first) == rows
    with CaptureQueriesContext(connection) as captured:
        data = board(user=users.admin)
    rollups = [q["sql"] for q in captured.captured_queries if "monitoring_rollup" in q["sql"]]
    assert len(rollups) == 1 and "array_agg" in rollups[0] and "GROUP BY zone_id" in rollups[0]
    assert "<path" in next(t.spark for t in data.tiles if t.id == zone.pk)
