"""Demo notifications for the demo city (run after ``seed_demo`` and the other demo seeds): notification settings
for a few demo users, a DingTalk group robot for 安阳市公安局文峰分局 (switched off until a real address is
entered), a red-level alert and a notice sent through ``notify``, and one scan that reminds people of the demo
tasks already due. Everything goes through the services. Idempotent: run it again and nothing is sent twice."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from crowdsafe.org.models import Department
from notifications.choices import MessageKind, WebhookProvider, WebhookScope
from notifications.models import DepartmentWebhook, Message, NotificationPreference
from notifications.services import notify, preferences_update, scan, webhook_save

POLICE = ("410502", "安阳市公安局文峰分局")
ALERT_TITLE = "红色预警（演示）：文峰塔广场人员聚集已超过核定容量"
NOTICE_TITLE = "本周人员密集场所安全检查安排（演示）"


class Command(BaseCommand):
    help = "Demo notification settings, a group robot, an alert and the reminders already due (idempotent)."

    def handle(self, *args, **options):
        users = {u.username: u for u in get_user_model().objects.filter(username__startswith="demo_")}
        police = Department.objects.filter(jurisdiction__code=POLICE[0], name=POLICE[1]).first()
        if police is None or not users:
            self.stdout.write(_("The demo city is not loaded (run seed_demo first): nothing to do."))
            return
        made = 0
        settings_plan = {
            "demo_head": {"quiet_start": dt.time(22), "quiet_end": dt.time(7)},
            "demo_leader": {"sms_enabled": True},
            "demo_staff": {"digest": False},
        }
        for username, changes in settings_plan.items():
            user = users.get(username)
            if user is None or NotificationPreference.objects.filter(user=user).exists():
                continue
            values = {
                "email_enabled": True,
                "sms_enabled": False,
                "quiet_start": None,
                "quiet_end": None,
                "digest": False,
                "digest_time": dt.time(8, 30),
                **changes,
            }
            preferences_update(user=user, actor=user, **values)
            made += 1
        if not DepartmentWebhook.objects.filter(department=police).exists():
            webhook_save(
                webhook=DepartmentWebhook(
                    department=police,
                    name="文峰分局值班群",
                    provider=WebhookProvider.DINGTALK,
                    url="https://oapi.dingtalk.com/robot/send?access_token=DEMO-REPLACE-ME",
                    scope=WebhookScope.ESCALATIONS,
                    is_active=False,  # a demo address: switched on once the real one is entered
                ),
                actor=None,
            )
            made += 1
        if not Message.objects.filter(title=ALERT_TITLE).exists():
            notify(
                recipients=[police, *(u for name, u in users.items() if name == "demo_leader")],
                title=ALERT_TITLE,
                body="现场人数约1.2万人，已超过核定容量（1万人）。请立即启动分流限流措施，并报告处置情况。",
                urgent=True,
                kind=MessageKind.ALERT,
                url="/venues/",
            )
            made += 1
        if not Message.objects.filter(title=NOTICE_TITLE).exists() and "demo_staff" in users:
            notify(
                recipients=[users["demo_staff"]],
                title=NOTICE_TITLE,
                body="本周三、周四对辖区商场、KTV等人员密集场所开展消防和治安联合检查，请按任务清单做好准备。",
                department=police,
                url="/tasks/",
            )
            made += 1
        report = scan(inline=True)
        self.stdout.write(
            _("Demo notifications: %(made)d made; %(reminders)d reminders planned.")
            % {"made": made, "reminders": report.planned}
        )
