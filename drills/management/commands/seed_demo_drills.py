"""Demo emergency plans and drills for the demo city (run after ``seed_demo`` and ``seed_demo_venues``), made
through the drill services, so the responsibility engine puts the drill duties where it would for real ones:

- the stadium's on-site disposal plan for the crowd leaving after a match (现场处置方案), drilled seven months ago
  and again two months ago with two after-action items — one needs a revision of the plan — and a drill planned
  for next week;
- the scenic area's overall plan for surge crowds at holidays, last drilled 200 days ago: its next drill is
  overdue;
- 东大街街道's plan for spontaneous gatherings at the Spring Festival temple fair (无组织活动也要有预案), with a drill
  planned with members of the public;
- 文峰区's overall plan for crowded places, kept by its emergency-management bureau;
- the plans of the approved demo events, from the emergency plans uploaded with their applications;
- every government's duty to drill every two years.

Idempotent: a plan that exists (same title) is left as it is, with its drills.
"""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.org.choices import DepartmentKind
from crowdsafe.org.models import Department, Jurisdiction, Organisation
from drills import services
from drills.choices import DrillForm, OwnerKind, PlanKind, ScopeKind
from drills.models import EmergencyPlan
from permits.choices import ApplicationState
from permits.management.commands.seed_demo_permits import DEMO_EVENTS
from permits.management.commands.seed_demo_permits import ORGANISATION as DEMO_ORGANISER
from permits.models import PermitApplication
from venues.models import Venue

STADIUM_OPERATOR = "91410502MA47R8C22Y"
SCENIC_OPERATOR = "91410581MA3TQ6N543"

STADIUM_MEASURES = [
    (
        "yellow",
        "upstream_holding",
        "散场前15分钟，南广场人员密度达到每平方米2人",
        "在文明大道、中华路口设置远端控制点，分批放行",
        "文峰分局交警大队",
    ),
    (
        "orange",
        "flow_limiting",
        "出口排队超过200米或密度达到每平方米3人",
        "关闭3、4号出口外侧通道，分流至内场通道和南门",
        "场馆安保部",
    ),
    ("orange", "one_way", "看台通道双向对流", "看台楼梯改为单向下行，安排引导员每20米一人", "场馆安保部"),
    ("red", "let_out_block_in", "任一出口发生拥挤、摔倒", "只出不进，停止检票入场，广播引导散场", "现场总指挥"),
    (
        "red",
        "evacuation_route",
        "启动红色响应",
        "东看台经1、2号出口，西看台经3、4号出口，内场经内场通道、南门疏散",
        "场馆安保部",
    ),
    ("red", "medical_point", "出现伤员", "南门外设医疗救护点，120待命车辆2辆", "文峰区卫生健康委员会"),
]
STADIUM_CONTACTS = [
    ("刘志强", "现场总指挥", "13800000102", "0372-5990110"),
    ("赵敏", "安保部经理", "13800000112", "0372-5990111"),
]


def demo_pdf(title: str, lines: list[str]) -> SimpleUploadedFile:
    """A small real PDF of the plan (WeasyPrint, as the platform's documents), so that the demo download opens."""
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress steps are not news in a demo

    body = "".join(f"<p>{line}</p>" for line in lines)
    html = (
        "<html><head><meta charset='utf-8'><style>body{font-family:'Noto Serif CJK SC',serif;font-size:14pt}"
        f"h1{{font-size:20pt;text-align:center}}</style></head><body><h1>{title}</h1>{body}</body></html>"
    )
    buffer = io.BytesIO()
    HTML(string=html).write_pdf(buffer)
    return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), content_type="application/pdf")


class Command(BaseCommand):
    help = "Load demo emergency plans and drills into the demo city (idempotent). Run seed_demo_venues first."

    def handle(self, *args, **options):
        today = timezone.localdate()
        street = Jurisdiction.objects.filter(code="410502001").first()
        wenfeng = Jurisdiction.objects.filter(code="410502").first()
        if street is None or wenfeng is None:
            raise CommandError(_("The demo city is not loaded: run seed_demo first."))
        created = 0
        stadium = Venue.objects.filter(name="安阳市文峰体育中心体育场", is_active=True).first()
        stadium_operator = Organisation.objects.filter(credit_code=STADIUM_OPERATOR).first()
        if stadium and stadium_operator:
            created += self.stadium(stadium, stadium_operator, today)
        scenic = Venue.objects.filter(name="太行大峡谷景区", is_active=True).first()
        scenic_operator = Organisation.objects.filter(credit_code=SCENIC_OPERATOR).first()
        if scenic and scenic_operator:
            created += self.scenic(scenic, scenic_operator, today)
        office = Department.objects.filter(jurisdiction=street, kind=DepartmentKind.TOWNSHIP_GOVERNMENT).first()
        if office:
            created += self.street(office, street, today)
        emergency = Department.objects.filter(jurisdiction=wenfeng, kind=DepartmentKind.EMERGENCY).first()
        if emergency:
            created += self.district(emergency, wenfeng, today)
        created += self.events()
        duties = services.government_drill_duties_sync()
        self.stdout.write(
            _("Demo drills: %(plans)d plans created, %(duties)d governments given their drill duty.")
            % {"plans": created, "duties": duties}
        )

    @staticmethod
    def events() -> int:
        """The plans of approved demo events (seed_demo_permits), from their uploaded emergency plans. Only the
        demo organisation's demo events: a real application approved in the same database is never touched."""
        from crowdsafe.errors import DomainError

        made = 0
        approved = PermitApplication.objects.filter(
            organisation__credit_code=DEMO_ORGANISER,
            event_name__in=DEMO_EVENTS,
            state=ApplicationState.APPROVED,
            emergency_plans__isnull=True,
        )
        for application in approved:
            try:
                services.plan_import_from_application(application=application, actor=None)
            except DomainError:  # no uploaded emergency plan, or not a PDF/Word file: nothing to take
                continue
            made += 1
        return made

    @staticmethod
    def _exists(title: str) -> bool:
        return EmergencyPlan.objects.filter(title=title).exists()

    @transaction.atomic
    def stadium(self, venue, operator, today) -> int:
        title = "文峰体育中心体育场散场大客流现场处置方案"
        if self._exists(title):
            return 0
        fire = Department.objects.filter(name="文峰区消防救援大队").first()
        police = Department.objects.filter(name="安阳市公安局文峰分局").first()
        health = Department.objects.filter(name="文峰区卫生健康委员会").first()
        plan = services.plan_create(
            actor=None,
            title=title,
            kind=PlanKind.ON_SITE,
            owner_kind=OwnerKind.VENUE_OPERATOR,
            owner=operator,
            scope_kind=ScopeKind.VENUE,
            venue=venue,
            summary="适用于体育场赛事、演出散场时南广场及各出口的大客流处置。",
            evacuation_target_minutes="8",
            review_due=today + dt.timedelta(days=120),
            measures=[
                {"alert_level": a, "kind": k, "trigger": t, "action": w, "responsible": r}
                for a, k, t, w, r in STADIUM_MEASURES
            ],
            contacts=[{"name": n, "role": r, "phone": p, "duty_phone": d} for n, r, p, d in STADIUM_CONTACTS],
            file=demo_pdf(title, ["一、适用范围", "二、组织机构及职责", "三、分级响应措施", "四、疏散路线与医疗救护"]),
        )
        participants = [d for d in (fire, police, health) if d]
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - dt.timedelta(days=215),
            scenario="足球联赛散场，南广场人员密度快速上升",
            form=DrillForm.FUNCTIONAL,
            place="体育场南广场",
            duration_minutes=50,
            narrative="启动黄色、橙色响应，远端控制点分批放行，看台单向下行。",
            participants_count=86,
            departments=participants,
            evacuation_minutes="9.5",
            evacuated_people=1200,
            problems="3号出口外侧照明不足，引导员站位不清。",
        )
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - dt.timedelta(days=60),
            scenario="演唱会散场，3号出口发生摔倒",
            form=DrillForm.FULL_SCALE,
            place="体育场3号出口及南广场",
            duration_minutes=75,
            narrative="现场总指挥启动红色响应，只出不进，内场经南门疏散，医疗点救治“伤员”2名。",
            participants_count=140,
            participants_note="场馆安保部、志愿者、文峰分局、消防救援大队、卫健委",
            departments=participants,
            public_participation=True,
            public_participants=300,
            evacuation_minutes="7.5",
            evacuated_people=2100,
            problems="远端控制点与现场通讯不畅；预案未写明南门外医疗点位置。",
            items=[
                services.ItemSpec(
                    description="为远端控制点配备对讲机，统一通讯频道",
                    owner=operator,
                    due_date=today + dt.timedelta(days=20),
                ),
                services.ItemSpec(
                    description="修订预案：明确南门外医疗救护点位置和救护车停放区",
                    owner=operator,
                    due_date=today + dt.timedelta(days=30),
                    requires_plan_revision=True,
                ),
            ],
        )
        services.drill_schedule(
            actor=None,
            plan=plan,
            scheduled_for=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=7), dt.time(19, 30))),
            scenario="夜间赛事散场，北侧道路临时管制",
            place="体育场北广场",
            form=DrillForm.FUNCTIONAL,
            departments=participants,
        )
        return 1

    @transaction.atomic
    def scenic(self, venue, operator, today) -> int:
        title = "太行大峡谷景区节假日大客流应急预案"
        if self._exists(title):
            return 0
        plan = services.plan_create(
            actor=None,
            title=title,
            kind=PlanKind.OVERALL,
            owner_kind=OwnerKind.VENUE_OPERATOR,
            owner=operator,
            scope_kind=ScopeKind.VENUE,
            venue=venue,
            evacuation_target_minutes="20",
            measures=[
                {
                    "alert_level": "yellow",
                    "kind": "upstream_holding",
                    "trigger": "在园人数达到最大承载量的80%",
                    "action": "游客中心暂停售票，停车场分流",
                    "responsible": "景区票务部",
                },
                {
                    "alert_level": "orange",
                    "kind": "one_way",
                    "trigger": "峡谷栈道排队超过30分钟",
                    "action": "栈道单向通行，上行、下行分离",
                    "responsible": "景区安保部",
                },
            ],
            contacts=[{"name": "郭振华", "role": "安全负责人", "phone": "13800000103", "duty_phone": "0372-6660119"}],
            file=demo_pdf(title, ["一、总则", "二、最大承载量与预警", "三、分级响应"]),
        )
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - dt.timedelta(days=200),
            scenario="五一假期峡谷栈道拥堵",
            narrative="栈道单向通行，游客中心分批放行，40分钟恢复秩序。",
            participants_count=45,
            evacuation_minutes="18",
        )
        return 1

    @transaction.atomic
    def street(self, office, street, today) -> int:
        title = "东大街街道春节庙会群众自发聚集活动应急预案"
        if self._exists(title):
            return 0
        plan = services.plan_create(
            actor=None,
            title=title,
            kind=PlanKind.SPECIAL,
            owner_kind=OwnerKind.DEPARTMENT,
            owner=office,
            scope_kind=ScopeKind.GATHERING_KIND,
            gathering_kind="festival",
            territory=street,
            summary="无组织活动也要有预案：春节、元宵期间文峰塔周边群众自发祈福、观灯聚集。",
            evacuation_target_minutes="12",
            measures=[
                {
                    "alert_level": "orange",
                    "kind": "flow_limiting",
                    "trigger": "文峰塔广场密度达到每平方米3人",
                    "action": "东大街南口、北口限流，疏导至西大街",
                    "responsible": "东大街派出所、网格员",
                },
                {
                    "alert_level": "red",
                    "kind": "let_out_block_in",
                    "trigger": "广场任一区域密度达到每平方米4人",
                    "action": "只出不进，封闭东大街入口，广播疏导",
                    "responsible": "街道办事处、文峰分局",
                },
            ],
            contacts=[
                {"name": "赵磊", "role": "平安建设办公室主任", "phone": "13800000201", "duty_phone": "0372-5120110"}
            ],
        )
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - dt.timedelta(days=300),
            scenario="元宵节文峰塔广场观灯人群聚集",
            narrative="网格员报告密度上升，街道启动橙色响应，东大街南口限流。",
            participants_count=60,
        )
        services.drill_schedule(
            actor=None,
            plan=plan,
            scheduled_for=timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=12), dt.time(9, 0))),
            scenario="春节庙会人群聚集，广场东侧发生拥挤",
            place="文峰塔广场",
            form=DrillForm.FULL_SCALE,
            other_units="东大街社区、志愿者服务队",
            public_participation=True,
            public_participants=200,
        )
        return 1

    @transaction.atomic
    def district(self, emergency, wenfeng, today) -> int:
        title = "文峰区人员密集场所突发事件总体应急预案"
        if self._exists(title):
            return 0
        plan = services.plan_create(
            actor=None,
            title=title,
            kind=PlanKind.OVERALL,
            owner_kind=OwnerKind.DEPARTMENT,
            owner=emergency,
            scope_kind=ScopeKind.JURISDICTION,
            territory=wenfeng,
            summary="文峰区人员密集场所和大型活动突发事件的分级响应和部门职责。",
        )
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=today - dt.timedelta(days=400),
            scenario="商业街大客流踩踏险情综合演练",
            form=DrillForm.FULL_SCALE,
            narrative="区应急局牵头，公安、消防、卫健、街道联合处置。",
            participants_count=220,
        )
        return 1
