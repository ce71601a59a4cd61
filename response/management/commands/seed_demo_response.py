"""One demo incident journey for the demo city (run after ``seed_demo`` and the other demo seeders), made through
the response services as the people would make it:

a crowd at 文峰塔广场 opened by hand by the township officer (demo_township, the commander) at level II, the
proposed plan activated (its measures become tasks and urgent alerts of their departments), 20 police officers
requested and on their way, a position-log entry, the first situation report (a numbered 情况报告), a 12345
ticket pushed by the dispatch system nearby, and a request to the district level waiting for its on-duty head.

Demo users it adds (password crowdsafe-demo): demo_emergency_head (文峰区应急管理局, head on duty: accepts the
higher-level request) and demo_dispatch (the 12345 dispatch system's account, with ``response.push_ticket`` and
an API token). Idempotent: the incident is recognised by its demo title and opener; it never touches an incident,
report or user it did not make.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from crowdsafe.common.text import join_clauses
from crowdsafe.org import services as org_services
from crowdsafe.org.choices import Role
from crowdsafe.org.demo_data import DEMO_PASSWORD
from crowdsafe.org.models import Department, Jurisdiction, Membership
from response import selectors, services
from response.models import Incident, IncidentLevel, PublicReport

COMMANDER = "demo_township"
HIGHER_ON_DUTY = "demo_emergency_head"
DISPATCH = "demo_dispatch"
DEMO_TITLE = "【演示】文峰塔广场人员聚集"
DEMO_TICKET = "12345-DEMO-0001"
GRID = "410502001001G01"
PLACE = (36.0987, 114.3512)


class Command(BaseCommand):
    help = "Seeds one demo incident journey (issue 16) for the demo city."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        commander = User.objects.filter(username=COMMANDER).first()
        grid = Jurisdiction.objects.filter(code=GRID).first()
        if commander is None or grid is None:
            self.stdout.write("没有演示城市：请先运行 seed_demo。")
            return
        head = self._user(
            HIGHER_ON_DUTY, "周明", role=Role.HEAD, department=("410502", "文峰区应急管理局"), on_duty=True
        )
        dispatch = self._dispatch()
        if Incident.objects.filter(title=DEMO_TITLE, opened_by=commander).exists():
            self.stdout.write("演示应急处置已存在。")
            return
        with transaction.atomic():
            incident = services.incident_open(
                actor=commander,
                jurisdiction=grid,
                title=DEMO_TITLE,
                level=IncidentLevel.objects.get(code="II"),
                place="文峰塔广场南侧台阶",
                description="广场南侧台阶人员持续聚集，密度接近红色阈值。",
                coordinates=PLACE,
            )
            for proposal in selectors.plans_proposed(incident)[:1]:
                services.plan_activate(
                    incident=incident, plan=proposal.plan, actor=commander, reason=join_clauses(proposal.reasons)
                )
            police = Department.objects.filter(jurisdiction__code="410502", name="安阳市公安局文峰分局").first()
            force = services.force_request(
                incident=incident, actor=commander, kind="police", requested_count=20, department=police, unit="巡特警"
            )
            services.force_advance(force=force, actor=commander, state="dispatched")
            services.log_add(
                incident=incident,
                actor=commander,
                text_="南侧台阶已安排专人引导，暂停从解放路口进入。",
                place="文峰塔广场南侧",
                significant=True,
            )
            services.situation_report_submit(
                incident=incident,
                actor=commander,
                situation="广场南侧台阶约1200人，密度约4.1人/平方米，人员持续进入。",
                measures="解放路口远端控制，台阶单向通行，广播疏导。",
                forces="街道干部8名、网格员6名，文峰分局巡特警20名在途。",
                needs="请求区应急管理局协调增派医疗保障。",
                next_steps="15分钟后再次研判，视情申请提级响应。",
            )
            services.report_receive(
                channel="12345",
                ticket_number=DEMO_TICKET,
                place_text="文峰塔广场南门",
                latitude="36.0990",
                longitude="114.3515",
                description="广场南门人太多，挤不动。",
                caller_phone="13800000000",
                jurisdiction=grid,
                actor=dispatch,
            )
            services.escalation_request(
                incident=incident, actor=commander, reason="现场力量不足，请求文峰区接手指挥并增派医疗力量。"
            )
        report = PublicReport.objects.get(ticket_number=DEMO_TICKET)
        self.stdout.write(
            f"已载入演示应急处置 {incident.number}（现场指挥员 {COMMANDER}），{head.username} 可接收提级响应请求，"
            f"12345工单 {report.ticket_number}。"
        )

    def _user(self, username: str, full_name: str, *, role: str, department: tuple[str, str], on_duty: bool) -> Any:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(username=username, full_name=full_name, password=make_password(DEMO_PASSWORD))
        found = Department.objects.filter(jurisdiction__code=department[0], name=department[1]).first()
        if found is not None and not Membership.objects.filter(user=user, role=role, department=found).exists():
            org_services.membership_add(user=user, role=role, department=found, title="值班负责人", actor=None)
            Membership.objects.filter(user=user, role=role, department=found).update(on_duty=on_duty)
        return user

    def _dispatch(self) -> Any:
        """The 12345 dispatch system's account: may push tickets, nothing else (no membership)."""
        User = get_user_model()
        user = User.objects.filter(username=DISPATCH).first()
        if user is None:
            user = User.objects.create(username=DISPATCH, full_name="12345热线派单系统", password=make_password(None))
        user.user_permissions.add(Permission.objects.get(codename="push_ticket", content_type__app_label="response"))
        Token.objects.get_or_create(user=user)
        return user
