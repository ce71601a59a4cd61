"""Demo risk data for the demo city (run after ``seed_demo`` and ``seed_demo_venues``), made through the risk
services so that the engine assigns their duties as it would for real ones:

- a Spring Festival assessment campaign over the malls, squares, stadiums, scenic areas and entertainment venues
  of 文峰区, launched by the district leader (each venue a task for its street office);
- assessments of the 东大街 venues, signed off (which settles their campaign tasks): the square at Spring
  Festival evening (escalated), the stadium's own assessment by its operator, the KTV by the police;
- hazards: one fixed on the spot by the grid worker, a major one at the stadium with its rectification plan, an
  open ordinary one at the KTV with a rectification order from the police (when the notices app is there).

Idempotent: what exists (same campaign name, same scenario of the same venue, same hazard title at the same
venue) is skipped."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.org.models import Jurisdiction
from risk import services
from risk.models import AssessmentCampaign, Hazard, RiskAssessment
from risk.subjects import subject_info
from venues.models import Venue

CAMPAIGN = "春节前人员密集场所风险评估（文峰区）"


def _photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, format="JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Load demo risk assessments, a campaign and hazards into the demo city (idempotent)."

    def handle(self, *args, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo_")}
        needed = {"demo_leader", "demo_township", "demo_staff", "demo_head", "demo_grid", "demo_operator"}
        if not needed <= set(users):
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        venues = {v.name: v for v in Venue.objects.filter(jurisdiction_path__startswith=self._path("410502"))}
        square, stadium, ktv = (
            venues.get(n) for n in ("文峰塔广场", "安阳市文峰体育中心体育场", "星光KTV（东大街店）")
        )
        if not (square and stadium and ktv):
            raise CommandError(_("The demo venues are not loaded: run seed_demo_venues first."))
        made = {"campaigns": 0, "assessments": 0, "hazards": 0}
        today = timezone.localdate()

        wenfeng = Jurisdiction.objects.get(code="410502")
        if not AssessmentCampaign.objects.filter(territory=wenfeng, name=CAMPAIGN).exists():
            services.campaign_launch(
                actor=users["demo_leader"],
                name=CAMPAIGN,
                territory=wenfeng,
                purpose="holiday",
                deadline=today + dt.timedelta(days=21),
                venue_kinds=["commercial", "square", "stadium", "scenic_area", "entertainment"],
                description="对辖区商场、广场、体育场馆、景区和娱乐场所开展一次风险评估，更新风险底数。",
            )
            made["campaigns"] += 1

        evening = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=14), dt.time(19, 30)))
        plans = [
            (
                square,
                users["demo_township"],
                users["demo_leader"],
                {
                    "scenario": "春节庙会及新年倒计时活动",
                    "assessed_for": evening,
                    "expected_attendance": 9000,
                    "factors": {"composition": 2, "weather": 1, "online_hype": 3},
                    "controls": ["stewards", "barriers", "broadcast"],
                    "findings": "广场东、西入口为台阶，节日夜间客流集中；网红打卡视频传播，线上转线下风险突出。",
                },
            ),
            (
                stadium,
                users["demo_operator"],
                users["demo_township"],
                {
                    "scenario": "场馆日常运营（含周末赛事）",
                    "expected_attendance": 4000,
                    "factors": {"composition": 1},
                    "controls": ["stewards", "barriers", "monitoring", "medical", "emergency_plan", "broadcast"],
                    "findings": "看台出口宽度满足要求；东看台护栏需加固（已登记隐患）。",
                },
            ),
            (
                ktv,
                users["demo_staff"],
                users["demo_head"],
                {
                    "scenario": "节假日夜间营业",
                    "expected_attendance": 300,
                    "factors": {"time": 2, "history": 1},
                    "controls": ["monitoring", "broadcast"],
                    "findings": "包房区走廊较窄，消防通道偶有堆放杂物。",
                },
            ),
        ]
        for venue, assessor, reviewer, data in plans:
            if RiskAssessment.objects.filter(
                subject_type="venue", subject_id=venue.pk, scenario=data["scenario"]
            ).exists():
                continue
            assessment = services.assessment_create(subject=subject_info("venue", venue), actor=assessor, data=data)
            services.assessment_submit(assessment=assessment, actor=assessor)
            services.assessment_sign_off(assessment=assessment, actor=reviewer, note="同意评估结论，按管控措施落实。")
            made["assessments"] += 1

        hazards = [
            (
                square,
                users["demo_grid"],
                {
                    "title": "消防通道停放电动车",
                    "description": "广场北侧消防通道停放电动车5辆，影响应急疏散。",
                    "level": "ordinary",
                    "source": "patrol",
                    "location": "广场北侧消防通道",
                    "responsible_unit_name": "文峰塔广场管理处",
                    "rectification_deadline": today,
                },
                {"fixed_on_spot": True, "fix_note": "已联系车主当场挪走，设置禁停标识。"},
            ),
            (
                stadium,
                users["demo_staff"],
                {
                    "title": "东看台护栏松动",
                    "description": "东看台第三排至第五排护栏立柱松动，散场时人群倚靠有倒塌风险。",
                    "level": "major",
                    "source": "inspection",
                    "location": "东看台第三至五排",
                    "rectification_deadline": today + dt.timedelta(days=30),
                },
                {},
            ),
            (
                ktv,
                users["demo_staff"],
                {
                    "title": "安全出口指示灯损坏",
                    "description": "二层走廊两处安全出口指示灯不亮。",
                    "level": "ordinary",
                    "source": "inspection",
                    "location": "二层走廊",
                    "responsible_unit_name": "星光KTV（东大街店）",
                    "rectification_deadline": today + dt.timedelta(days=7),
                },
                {},
            ),
        ]
        for venue, actor, data, extra in hazards:
            if Hazard.objects.filter(venue=venue, title=data["title"]).exists():
                continue
            photos = [_photo("现场.jpg", (190, 120, 90))]
            fix_photos = [_photo("整改后.jpg", (90, 160, 110))] if extra.get("fixed_on_spot") else []
            hazard = services.hazard_report(
                actor=actor,
                data=data,
                subject=subject_info("venue", venue),
                photos=photos,
                fix_photos=fix_photos,
                **extra,
            )
            made["hazards"] += 1
            if hazard.is_major:
                services.hazard_submit_plan(
                    hazard=hazard,
                    actor=users["demo_operator"],
                    data={
                        "goal": "加固东看台护栏，消除倒塌风险",
                        "measures": "委托专业单位检测；更换松动立柱及连接件；整改后做推力测试",
                        "funds_yuan": "48000",
                        "people": "场馆安全主管周敏；物业工程部",
                        "deadline": today + dt.timedelta(days=25),
                        "interim_measures": "封闭东看台第三至五排，设置隔离带并安排专人值守",
                    },
                )
            elif hazard.is_open:
                self._order(hazard, users["demo_staff"])
        self.stdout.write(
            _("Demo risk data: %(c)d campaigns, %(a)d assessments, %(h)d hazards created.")
            % {"c": made["campaigns"], "a": made["assessments"], "h": made["hazards"]}
        )

    @staticmethod
    def _path(code: str) -> str:
        return Jurisdiction.objects.get(code=code).path

    def _order(self, hazard, actor) -> None:
        services.hazard_issue_order(
            hazard=hazard,
            actor=actor,
            measures_required=["立即修复安全出口指示灯", "全面检查应急照明和疏散指示标志"],
        )
