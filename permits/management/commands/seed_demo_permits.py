"""Demo permit applications for the demo city (run after ``seed_demo`` and ``seed_demo_venues``), made through
the permit services as an organizer and the licensing department would make them, so that the responsibility
engine opens and closes their duties as it would for real ones:

- 洹河音乐节 (two sessions of 3,500 at the stadium): approved after the joint inspection, with conditions;
- 安阳市青少年足球邀请赛: in the joint site inspection, fire rescue has recorded, housing has not;
- 文峰塔广场新春灯会: submitted, waiting for acceptance;
- 东大街露天电影周: returned for correction;
- 洹河文化节开幕式 (8,000: city level): a draft, still incomplete;
- 洹河春季草坪音乐会 (issue 21): held two months ago and closed, with both post-event reviews — the licensing
  department's "failed", which shows on 洹河音乐节 (the organizer's next event) and raises its risk factor — and a
  new draft copied from it (洹河夏季草坪音乐会).

洹河音乐节 also carries issue 21's structured resources (security staff short of the ratio table) and two
temporary structures: the LED screen accepted by the housing department, the main stage not yet, so the event
cannot be confirmed ready.

Also adds one demo user in each 文峰区 department that joins inspections (demo_fire, demo_housing,
demo_culture; password crowdsafe-demo). Idempotent: an application whose event name the organizer's
organisation already has is skipped.
"""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypdf import PdfWriter

from crowdsafe.org import services as org_services
from crowdsafe.org.choices import Role
from crowdsafe.org.demo_data import DEMO_PASSWORD
from crowdsafe.org.models import Department, Membership, Organisation
from permits import services
from permits.choices import EventKind, MaterialKind, PlanSection
from permits.models import EventSession, PermitApplication, SiteInspection
from venues.models import Venue

ORGANIZER = "demo_organizer"
STAFF = "demo_staff"
HEAD = "demo_head"
ORGANISATION = "91410502MA9XK3L04M"
# The demo applications' event names: with ORGANISATION, what marks an application as made by this seeder (the
# other seeders touch only these, never a real application of the same city).
DEMO_EVENTS = (
    "洹河音乐节",
    "安阳市青少年足球邀请赛",
    "文峰塔广场新春灯会",
    "东大街露天电影周",
    "洹河文化节开幕式",
    "洹河春季草坪音乐会",
)
# username, full name, department (jurisdiction code, name)
INSPECTORS = [
    ("demo_fire", "马志远", ("410502", "文峰区消防救援大队")),
    ("demo_housing", "黄丽", ("410502", "文峰区住房和城乡建设局")),
    ("demo_culture", "郑凯", ("410502", "文峰区文化广电和旅游局")),
]
PLAN_TEXT = {
    PlanSection.ORGANISATION: "活动时间、地点、内容见活动方案；主办单位设安全工作领导小组，总指挥由安全责任人担任。",
    PlanSection.SECURITY_STAFF: "安保人员120名，分入口检票、场内巡查、疏散引导三组，统一穿着反光背心、佩戴工作证。",
    PlanSection.FIRE_SAFETY: "场内配置灭火器80具，消防通道全程畅通，舞台电气线路由持证电工巡检。",
    PlanSection.CAPACITY: "场馆核定容量6000人，每场售票不超过3500张，预计到场3500人。",
    PlanSection.BUFFER_ZONES: "场馆外设置50米治安缓冲区，以隔离护栏和警示标识划定。",
    PlanSection.TICKETING: "实名制电子票，设8个检票通道和安检门，禁止携带易燃易爆物品入场。",
    PlanSection.TRAFFIC: "设置临时停车场两处，散场时分区分批疏散，公交增开夜班线路。",
    PlanSection.ORDER: "场内划分区域，专人引导，设置单向通行路线，防止人员拥挤踩踏。",
    PlanSection.EMERGENCY: "制定踩踏、火灾、恶劣天气等应急处置预案，设置医疗救护点两处。",
}


def _pdf(name: str) -> SimpleUploadedFile:
    """A blank one-page A4 PDF: uploads are parsed (``crowdsafe.common.files``), so a demo file must be a real one."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def _at(days: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour)))


class Command(BaseCommand):
    help = "Load demo permit applications into the demo city (idempotent). Run seed_demo and seed_demo_venues first."

    def handle(self, *args, **options):
        users = get_user_model().objects
        self.organizer = users.filter(username=ORGANIZER).first()
        self.staff = users.filter(username=STAFF).first()
        self.head = users.filter(username=HEAD).first()
        self.organisation = Organisation.objects.filter(credit_code=ORGANISATION).first()
        self.stadium = Venue.objects.filter(name="安阳市文峰体育中心体育场", is_active=True).first()
        self.square = Venue.objects.filter(name="文峰塔广场", is_active=True).first()
        if not all([self.organizer, self.staff, self.head, self.organisation, self.stadium, self.square]):
            raise CommandError(_("The demo city is not loaded: run seed_demo and seed_demo_venues first."))
        self.inspectors = self._inspectors()
        made = []
        builders = (self._approved, self._in_inspection, self._submitted, self._returned, self._draft, self._reviewed)
        for name, build in zip(DEMO_EVENTS, builders, strict=True):
            if PermitApplication.objects.filter(organisation=self.organisation, event_name=name).exists():
                continue
            with transaction.atomic():
                build(name)
            made.append(name)
        if options["verbosity"]:
            if made:
                self.stdout.write(_("Demo permit applications: %(names)s.") % {"names": "、".join(made)})
            else:
                self.stdout.write(_("Demo permit applications: all present already."))
            self.stdout.write(
                _("Demo logins of the inspecting departments (password %(password)s): %(names)s")
                % {"password": DEMO_PASSWORD, "names": ", ".join(u for u, _n, _d in INSPECTORS)}
            )

    def _inspectors(self) -> dict[int, object]:
        """One demo user in each department that joins the inspections; department id → user."""
        people = {}
        password_hash = None
        for username, full_name, (code, department_name) in INSPECTORS:
            department = Department.objects.filter(jurisdiction__code=code, name=department_name).first()
            if department is None:
                continue
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                password_hash = password_hash or make_password(DEMO_PASSWORD)
                user = get_user_model().objects.create(username=username, full_name=full_name, password=password_hash)
            if not Membership.objects.filter(user=user, role=Role.STAFF, department=department).exists():
                org_services.membership_add(
                    user=user, role=Role.STAFF, department=department, title="监督员", actor=None
                )
            people[department.pk] = user
        return people

    # --- the applications, each further along ----------------------------------------------------------------

    def _complete(self, name, *, kind, venue, sessions, tickets, description, days_ahead=40):
        application = services.application_create(
            organisation=self.organisation,
            actor=self.organizer,
            event_name=name,
            event_kind=kind,
            description=description,
            venue=venue,
            safety_person_id_number="410502198001011231",
        )
        for i, people in enumerate(sessions):
            services.session_add(
                application=application,
                actor=self.organizer,
                starts_at=_at(days_ahead + i, 19),
                ends_at=_at(days_ahead + i, 22),
                expected_attendance=people,
            )
        zones = {zone.name: zone.pk for zone in venue.zones.all()}
        services.tickets_set(
            application=application,
            actor=self.organizer,
            tickets={zones[zone]: count for zone, count in tickets.items()},
        )
        services.undertaker_add(
            application=application, actor=self.organizer, name=self.organisation.name, credit_code=ORGANISATION
        )
        for kind_ in (
            MaterialKind.UNDERTAKER_LICENCE,
            MaterialKind.SAFETY_PERSON_ID,
            MaterialKind.EVENT_PLAN,
            MaterialKind.VENUE_CONSENT,
            MaterialKind.EMERGENCY_PLAN,
        ):
            services.material_upload(
                application=application,
                actor=self.organizer,
                kind=kind_,
                upload=_pdf(f"{MaterialKind(kind_).label}.pdf"),
            )
        services.plan_save(
            application=application,
            actor=self.organizer,
            mode="written",
            sections={section.value: {"text": text} for section, text in PLAN_TEXT.items()},
        )
        return application

    def _inspect(self, application, *, only=None):
        application.refresh_from_db()
        for inspection in SiteInspection.objects.filter(application=application).select_related("department"):
            if only is not None and inspection.department.kind not in only:
                continue
            actor = self.staff if inspection.department_id == application.licensing_department_id else None
            actor = actor or self.inspectors.get(inspection.department_id)
            if actor is None:
                continue
            services.inspection_record(
                inspection=inspection,
                actor=actor,
                passed=True,
                findings=f"{inspection.department.name}：现场检查符合要求，疏散通道畅通。",
            )

    def _approved(self, name):
        application = self._complete(
            name,
            kind=EventKind.PERFORMANCE,
            venue=self.stadium,
            sessions=[3500, 3500],
            tickets={"东看台": 1500, "西看台": 1500, "内场": 500},
            description="两场露天音乐会，本地乐队与特邀歌手演出。",
        )
        self._resources_and_structures(application)
        services.application_submit(application=application, actor=self.organizer)
        services.application_accept(application=application, actor=self.staff)
        services.application_start_review(application=application, actor=self.staff)
        services.application_start_inspection(application=application, actor=self.staff)
        self._inspect(application)
        services.comment_add(
            application=application,
            actor=self.staff,
            section="security_plan",
            body="请在散场疏散方案中补充内场观众的分批退场顺序。",
            visible_to_organizer=True,
        )
        services.application_decide(
            application=application,
            actor=self.head,
            outcome="approve",
            approved_capacity=3500,
            tickets_by_zone={p.pk: p.tickets for p in application.zone_plans.all()},
            conditions=["各入口设置安检门并配足安检人员", "内场设置两道隔离护栏和应急通道", "现场设医疗救护点两处"],
        )
        housing = next((u for u, _n, (_c, d) in INSPECTORS if d.endswith("住房和城乡建设局")), None)
        housing_user = get_user_model().objects.filter(username=housing).first() if housing else None
        screen = application.structures.filter(name="LED大屏").first()
        if housing_user is not None and screen is not None:
            services.temporary_structure_accept(
                structure=screen, actor=housing_user, note="桁架连接牢固，配重和防风拉索符合方案，验收合格。"
            )

    def _resources_and_structures(self, application):
        """Issue 21: the security staff and equipment by zone (the security staff short of the ratio table: 3,500
        at a performance need 70), and the temporary structures to be accepted before the event."""
        zones = {zone.name: zone for zone in application.venue.zones.all()}
        plan = [
            ("security_staff", "东看台", 25),
            ("security_staff", "西看台", 25),
            ("security_staff", "内场", 10),
            ("volunteers", None, 20),
            ("security_gates", None, 4),
            ("xray_machines", None, 1),
            ("medical_staff", None, 3),
        ]
        for resource, zone, count in plan:
            services.resource_set(
                application=application,
                actor=self.organizer,
                resource=resource,
                count=count,
                zone=zones.get(zone) if zone else None,
            )
        services.temporary_structure_add(
            application=application,
            actor=self.organizer,
            kind="stage",
            name="主舞台",
            zone=zones.get("内场"),
            builder="安阳华美舞台工程有限公司",
        )
        services.temporary_structure_add(
            application=application, actor=self.organizer, kind="screen", name="LED大屏", zone=zones.get("内场")
        )

    def _reviewed(self, name):
        """A past event: approved through the services with future dates, then moved back two months (the
        services refuse sessions in the past, as they should), held, closed and reviewed by both sides; then
        copied into a new draft, as the organizer's "copy" button does."""
        application = self._complete(
            name,
            kind=EventKind.PERFORMANCE,
            venue=self.stadium,
            sessions=[2800],
            tickets={"东看台": 1400, "西看台": 1400},
            description="春季露天草坪音乐会。",
        )
        services.resource_set(application=application, actor=self.organizer, resource="security_staff", count=40)
        services.application_submit(application=application, actor=self.organizer)
        services.application_accept(application=application, actor=self.staff)
        services.application_start_review(application=application, actor=self.staff)
        services.application_start_inspection(application=application, actor=self.staff)
        self._inspect(application)
        services.application_decide(
            application=application,
            actor=self.head,
            outcome="approve",
            approved_capacity=2800,
            tickets_by_zone={p.pk: p.tickets for p in application.zone_plans.all()},
        )
        starts, ends = _at(-60, 19), _at(-60, 22)
        EventSession.objects.filter(application=application).update(starts_at=starts, ends_at=ends)
        PermitApplication.objects.filter(pk=application.pk).update(first_session_start=starts, last_session_end=ends)
        application.refresh_from_db()
        services.application_mark_held(application=application, actor=self.organizer)
        session = application.sessions.get()
        services.review_record(
            application=application,
            actor=self.organizer,
            attendance={session.pk: 3100},
            incidents="散场时东门出口短时拥堵约10分钟，无人员受伤。",
            worked="实名电子票和分区检票入场顺畅；志愿者引导到位。",
            did_not_work="东门疏散引导人员不足，散场广播不及时。",
        )
        services.review_record(
            application=application,
            actor=self.staff,
            attendance={session.pk: 3100},
            incidents="实际入场3100人，超过核准人数2800人；散场时东门出口拥堵。",
            worked="入场安检和分区检票有效。",
            did_not_work="未按核准人数停止入场；东门疏散引导力量不足，安保人员仅40名，低于配备标准。",
            outcome="failed",
        )
        services.application_close(application=application, actor=self.staff, note="活动结束，已完成复盘。")
        copy = services.application_copy(source=application, actor=self.organizer)
        services.application_update(application=copy, actor=self.organizer, data={"event_name": "洹河夏季草坪音乐会"})

    def _in_inspection(self, name):
        application = self._complete(
            name,
            kind=EventKind.SPORTS,
            venue=self.stadium,
            sessions=[1800],
            tickets={"东看台": 1800},
            description="全市中小学生足球邀请赛决赛。",
            days_ahead=30,
        )
        services.application_submit(application=application, actor=self.organizer)
        services.application_accept(application=application, actor=self.staff)
        services.application_start_review(application=application, actor=self.staff)
        services.application_start_inspection(application=application, actor=self.staff)
        self._inspect(application, only={"fire_rescue"})

    def _submitted(self, name):
        application = self._complete(
            name,
            kind=EventKind.GARDEN_FAIR,
            venue=self.square,
            sessions=[2500],
            tickets={"广场主区": 2500},
            description="春节期间的花灯展和民俗表演。",
            days_ahead=60,
        )
        services.application_submit(application=application, actor=self.organizer)

    def _returned(self, name):
        application = self._complete(
            name,
            kind=EventKind.PERFORMANCE,
            venue=self.square,
            sessions=[1200, 1200, 1200],
            tickets={"广场主区": 1200},
            description="连续三晚的露天电影放映。",
            days_ahead=50,
        )
        services.application_submit(application=application, actor=self.organizer)
        services.application_return_for_correction(
            application=application,
            actor=self.staff,
            items=["补充广场临时舞台的搭建方案和验收证明", "场地使用同意书需加盖场地管理单位公章"],
        )

    def _draft(self, name):
        application = services.application_create(
            organisation=self.organisation,
            actor=self.organizer,
            event_name=name,
            event_kind=EventKind.PERFORMANCE,
            description="洹河文化节开幕式文艺演出。",
            venue=self.stadium,
        )
        services.session_add(
            application=application,
            actor=self.organizer,
            starts_at=_at(70, 19),
            ends_at=_at(70, 22),
            expected_attendance=8000,
        )
