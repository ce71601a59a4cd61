"""Demo gatherings for the demo city (run after ``seed_demo`` and ``seed_demo_venues``): spontaneous gatherings in
安阳市 logged, verified, counted and controlled through the services — so the triage levels them, the
responsibility engine assigns their duties, and the timelines read as they would for real ones. Some are orange
or red (on the leaders' attention list), one is under way with headcounts and measures, one is expected from the
key-date calendar, one was suspended by a decision.

Idempotent: each demo gathering has a fixed form key, so a second run finds it and changes nothing. Times are
relative to the day the command runs (a gathering under way now, one this weekend …); the fixed-date ones are the
previous Lantern Festival and New Year's Eve, and next New Year's Eve.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.models import Jurisdiction
from events import services
from events.choices import DecisionKind, GatheringKind, GatheringSource, MeasureKind, Recurrence
from events.models import KeyDate
from events.occasions import Occurrence, festival_day
from events.services.keydates import expected_gathering_for
from venues.models import Venue

NAMESPACE = uuid.UUID("0b6e3f7c-3f1d-4e7a-9d65-2f4c1e8a7b10")


def key(slug: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"demo:{slug}")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class Command(BaseCommand):
    help = "Load demo spontaneous gatherings into the demo city (idempotent). Run seed_demo and seed_demo_venues first."

    def handle(self, *args, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo_")}
        grid_worker, township, police = users.get("demo_grid"), users.get("demo_township"), users.get("demo_staff")
        if grid_worker is None or township is None or police is None:
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        self.grid_worker, self.township, self.police = grid_worker, township, police
        self.created = 0
        with transaction.atomic():
            self.seed()
        self.stdout.write(_("Demo gatherings: %(n)d created.") % {"n": self.created})

    # --- helpers -----------------------------------------------------------------------------------------

    def grid(self, community_code: str) -> Jurisdiction:
        grid = (
            Jurisdiction.objects.filter(path__contains=f"/{community_code}/", level=JurisdictionLevel.GRID)
            .order_by("code")
            .first()
        )
        if grid is None:
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        return grid

    def report(self, slug: str, actor, **values):
        gathering, created = services.gathering_report(actor=actor, idempotency_key=key(slug), **values)
        self.created += int(created)
        return gathering, created

    # --- the demo ----------------------------------------------------------------------------------------

    def seed(self) -> None:
        now = timezone.localtime()
        today = now.date()
        square = Venue.objects.filter(name="文峰塔广场", is_active=True).first()
        east_grid = self.grid("410502001001")  # 东大街社区第一网格: demo_grid's own grid
        cangxiang = self.grid("410502001002")  # 仓巷社区

        # 1. An online-to-offline check-in crowd under way now, verified, counted and controlled.
        shop, created = self.report(
            "milk-tea-opening",
            self.grid_worker,
            title="东大街网红茶饮店开业打卡",
            kind=GatheringKind.ONLINE_TO_OFFLINE,
            grid=east_grid,
            location_name="东大街88号门前人行道",
            latitude="36.097400",
            longitude="114.349600",
            starts_at=now - dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(hours=3),
            estimated_attendance_min=300,
            estimated_attendance_max=800,
            source=GatheringSource.ONLINE_MONITORING,
            source_reference="抖音同城热榜",
            online_hype=True,
            organizer_name="某茶饮品牌东大街店",
            description="短视频平台发起“开业首日买一送一”，网格员巡查发现门前排队已占满人行道。",
        )
        if created:
            services.gathering_verify(gathering=shop, actor=self.township, note="街道平安办现场核实")
            for minutes_ago, count in ((110, 260), (80, 430), (50, 620), (20, 760)):
                services.headcount_record(
                    gathering=shop,
                    actor=self.grid_worker,
                    count=count,
                    observed_at=now - dt.timedelta(minutes=minutes_ago),
                )
            services.measure_record(
                gathering=shop,
                actor=self.police,
                kind=MeasureKind.DIVERSION,
                applied_at=now - dt.timedelta(minutes=45),
                applied_by_unit="文峰分局东大街派出所",
                description="设置铁马隔离排队区，分批放行。",
                effect="人行道恢复通行，排队长度由约120米缩短到40米。",
            )
            services.measure_record(
                gathering=shop,
                actor=self.police,
                kind=MeasureKind.ONE_WAY,
                applied_at=now - dt.timedelta(minutes=30),
                applied_by_unit="文峰分局交警大队",
                description="东大街北侧人行道单向通行。",
            )

        # 2. A mall promotion this weekend at a free location: orange by the attendance bands.
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
        self.report(
            "mall-promotion",
            self.grid_worker,
            title="东大街商圈周末促销",
            kind=GatheringKind.MALL_PROMOTION,
            grid=east_grid,
            location_name="东大街步行街北口",
            latitude="36.098100",
            longitude="114.348800",
            starts_at=at(saturday, 10),
            ends_at=at(saturday, 18),
            estimated_attendance_min=1000,
            estimated_attendance_max=2000,
            source=GatheringSource.GRID_PATROL,
            organizer_name="东大街商户联合会",
            organizer_phone="0372-5123456",
        )

        # 3. Square dancing every evening: small, blue, raised to yellow by the night.
        self.report(
            "square-dance",
            self.township,
            title="仓巷社区广场舞",
            kind=GatheringKind.CELEBRATION,
            grid=cangxiang,
            location_name="仓巷街口小广场",
            latitude="36.099200",
            longitude="114.350900",
            starts_at=at(today + dt.timedelta(days=1), 19, 30),
            ends_at=at(today + dt.timedelta(days=1), 21, 0),
            recurrence=Recurrence.DAILY,
            estimated_attendance_min=40,
            estimated_attendance_max=80,
            source=GatheringSource.GRID_PATROL,
        )

        # 4. A hotline report of a night market growing too big: suspended by decision.
        night_market, created = self.report(
            "night-market",
            self.township,
            title="仓巷夜市人流聚集",
            kind=GatheringKind.OTHER,
            grid=cangxiang,
            location_name="仓巷街夜市",
            latitude="36.099800",
            longitude="114.351500",
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=4),
            estimated_attendance_min=800,
            estimated_attendance_max=1500,
            source=GatheringSource.HOTLINE,
            source_reference="12345-20261120-0417",
        )
        if created:
            services.gathering_verify(gathering=night_market, actor=self.police, note="派出所现场核实")
            services.headcount_record(gathering=night_market, actor=self.township, count=1700, note="北口拥堵")
            services.gathering_decide(
                gathering=night_market,
                actor=self.township,
                kind=DecisionKind.SUSPEND,
                reason="人数超出预计且北口狭窄，存在拥挤踩踏风险：暂停摊位经营，疏散人流。",
            )

        if square is None:
            return  # the venue demo is not loaded: the square's gatherings are left out

        # 5. Last Lantern Festival's temple fair on the square (ended): next year's will be expected from it.
        lantern = festival_day("spring_festival", today.year) + dt.timedelta(days=14)
        if lantern > today:
            lantern = festival_day("spring_festival", today.year - 1) + dt.timedelta(days=14)
        fair, created = self.report(
            "lantern-fair",
            self.grid_worker,
            title="文峰塔广场元宵灯会庙会",
            kind=GatheringKind.FESTIVAL_RELIGIOUS,
            venue=square,
            starts_at=at(lantern, 18, 30),
            ends_at=at(lantern, 22, 0),
            estimated_attendance_min=4000,
            estimated_attendance_max=6000,
            source=GatheringSource.GRID_PATROL,
            description="元宵节晚间赏灯、祈福，人流集中在广场东入口台阶。",
        )
        if created and fair.starts_at < timezone.now():
            services.gathering_verify(gathering=fair, actor=self.township)
            for hour, count in ((19, 3200), (20, 5400), (21, 4100)):
                services.headcount_record(
                    gathering=fair, actor=self.grid_worker, count=count, observed_at=at(lantern, hour)
                )
            services.measure_record(
                gathering=fair,
                actor=self.police,
                kind=MeasureKind.UPSTREAM_HOLDING,
                applied_at=at(lantern, 19, 40),
                applied_by_unit="文峰分局巡特警大队",
                description="在文峰大道、东大街路口设远端控制点，分批放行。",
                effect="广场内人数控制在5500人以下。",
            )
            services.measure_record(
                gathering=fair,
                actor=self.police,
                kind=MeasureKind.LET_OUT_BLOCK_IN,
                applied_at=at(lantern, 20, 30),
                applied_by_unit="文峰分局东大街派出所",
                description="东入口只出不进。",
            )
            services.gathering_end(
                gathering=fair, actor=self.grid_worker, ended_at=at(lantern, 22, 10), note="人群已安全散去"
            )

        # 6. Next New Year's Eve countdown on the square, expected from last year's (the key-date calendar).
        eve = KeyDate.objects.filter(name="跨年夜").first()
        last_eve = dt.date(today.year - 1, 12, 31)
        previous, created = self.report(
            "countdown-last-year",
            self.grid_worker,
            title="文峰塔广场跨年倒计时",
            kind=GatheringKind.CELEBRATION,
            venue=square,
            starts_at=at(last_eve, 21, 0),
            ends_at=at(last_eve, 23, 59),
            estimated_attendance_min=5000,
            estimated_attendance_max=8000,
            source=GatheringSource.ONLINE_MONITORING,
            online_hype=True,
        )
        if created:
            services.gathering_verify(gathering=previous, actor=self.township)
            services.gathering_end(gathering=previous, actor=self.grid_worker, ended_at=at(last_eve, 23, 59))
        if eve is not None:
            this_eve = dt.date(today.year, 12, 31)
            if this_eve >= today:
                _expected, made = expected_gathering_for(
                    key_date=eve,
                    occurrence=Occurrence(this_eve, this_eve),
                    previous=Occurrence(last_eve, last_eve),
                    template=previous,
                )
                self.created += int(made)

        # 7. A holiday sightseeing crowd at the scenic area in 林州市 (the venue demo's 太行大峡谷景区).
        canyon = Venue.objects.filter(name="太行大峡谷景区", is_active=True).first()
        if canyon is not None:
            self.report(
                "canyon-holiday",
                None,
                title="太行大峡谷景区节假日客流",
                kind=GatheringKind.HOLIDAY_SIGHTSEEING,
                venue=canyon,
                starts_at=at(today + dt.timedelta(days=3), 8, 0),
                ends_at=at(today + dt.timedelta(days=3), 17, 0),
                estimated_attendance_min=3000,
                estimated_attendance_max=6000,
                source=GatheringSource.VENUE_OPERATOR,
                description="周末预约量已达最大承载量的九成。",
            )
