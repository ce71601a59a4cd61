"""Demo live monitoring for the demo city (run after ``seed_demo``, ``seed_demo_venues`` and ``seed_demo_permits``),
made through the monitoring services as the township officer (demo_township) would:

- a free polygon: a section of 东大街 with no venue (moving crowd, its area computed from the polygon);
- a venue zone: 文峰塔广场's main area (area and safe capacity from the capacity calculator);
- an event zone: the field of the approved demo music festival at the stadium (its approved tickets);
- one camera source for them (its token printed once), and the last 30 minutes of readings, so that the board
  shows a street rising to orange with a forecast, a square at yellow and the festival's field calm.

Idempotent and careful: its zones are recognised by their demo names and their maker (demo_township); a zone, a
source or a reading it did not make is never touched, and once its zones exist it does nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from crowdsafe.org.models import Jurisdiction
from monitoring.models import Zone
from monitoring.services import readings_ingest, source_create, zone_create

OFFICER = "demo_township"
GRID = "410502001001G01"
STREET = "【演示】东大街步行街（鼓楼段）"
SQUARE = "【演示】文峰塔广场主区"
FIELD = "【演示】洹河音乐节·内场"
SOURCE = "【演示】东大街视频AI计数"
FESTIVAL = "洹河音乐节"
# About 180 m × 11 m of 东大街 (WGS 84 lon/lat): ~2,000 m².
STREET_POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [[114.3480, 36.09750], [114.3500, 36.09750], [114.3500, 36.09760], [114.3480, 36.09760], [114.3480, 36.09750]]
    ],
}


class Command(BaseCommand):
    help = "Seeds demo monitored zones, a source and 30 minutes of readings (issue 15)."

    def handle(self, *args: Any, **options: Any) -> None:
        officer = get_user_model().objects.filter(username=OFFICER).first()
        grid = Jurisdiction.objects.filter(code=GRID).first()
        if officer is None or grid is None:
            self.stdout.write("没有演示城市：请先运行 seed_demo。")
            return
        mine = Zone.objects.filter(created_by=officer, name__in=[STREET, SQUARE, FIELD])
        if mine.exists():
            self.stdout.write("演示监测区域已存在。")
            return
        with transaction.atomic():
            zones = self._zones(officer, grid)
            source, token = source_create(
                actor=officer,
                name=SOURCE,
                kind="camera",
                jurisdiction=grid,
                zones=list(zones.values()),
                interval_s=30,
            )
        self._readings(source, zones)
        self.stdout.write(f"演示监测区域 {len(zones)} 个已建立；数据源令牌（仅显示这一次）：{token}")

    def _zones(self, officer: Any, grid: Jurisdiction) -> dict[str, Zone]:
        from permits.models import PermitApplication
        from venues.models import Zone as VenueZone

        zones = {
            "street": zone_create(actor=officer, jurisdiction=grid, name=STREET, kind="moving", polygon=STREET_POLYGON)
        }
        plaza = VenueZone.objects.filter(venue__name="文峰塔广场", name="广场主区").select_related("venue").first()
        if plaza is not None:
            zones["square"] = zone_create(
                actor=officer, jurisdiction=grid, name=SQUARE, kind="standing", venue_zone=plaza
            )
        festival = PermitApplication.objects.filter(event_name=FESTIVAL, state="approved").first()
        if festival is not None and festival.venue_id:
            field = VenueZone.objects.filter(venue_id=festival.venue_id, name="内场").first()
            if field is not None:
                zones["field"] = zone_create(
                    actor=officer,
                    jurisdiction=grid,
                    name=FIELD,
                    kind="standing",
                    venue_zone=field,
                    application=festival,
                )
        return zones

    def _readings(self, source: Any, zones: dict[str, Zone]) -> None:
        """30 minutes every 30 s: the street rising from 1.2 to 2.4 persons/m² (orange, red forecast), the square
        steady near 65% of its safe capacity, the festival's field at about half its approved tickets."""
        now = timezone.now().replace(microsecond=0)
        steps = 60
        for i in range(steps + 1):
            at = now - dt.timedelta(seconds=30 * (steps - i))
            rows = []
            street = zones["street"]
            rows.append(
                {"zone": street.pk, "observed_at": at, "count": round(float(street.area_m2) * (1.2 + 1.2 * i / steps))}
            )
            if "square" in zones:
                square = zones["square"]
                capacity = square.safe_capacity or int(float(square.area_m2) * 2)
                rows.append(
                    {"zone": square.pk, "observed_at": at, "count": round(capacity * (0.62 + 0.03 * (i % 3) / 2))}
                )
            if "field" in zones:
                field = zones["field"]
                approved = field.approved_capacity or 500
                rows.append({"zone": field.pk, "observed_at": at, "count": round(approved * 0.5) + i % 4})
            readings_ingest(source=source, rows=rows, now=max(at, now))
