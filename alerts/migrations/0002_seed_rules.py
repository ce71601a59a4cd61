"""Seed the alert rules (who is alerted of what, at which level), the duties that only red calls for, and the
duty of the daily recipient coverage check.

Alert rules (keys used by the services that raise them; see docs/contracts/alerts.md), from
- 安阳市公安局关于政协第355号提案的答复, 一: for gatherings with many people and high risk, security forces on
  duty at once, and 远端控制、分流限流、疏出阻入、单向通行;
- 梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》二（一）–（三）: the township finds and manages
  gatherings in its territory (属地管理), public security keeps order, the venue operator is responsible for its
  venue; emergency management coordinates rescue, and the territory's leaders command at the highest level.

Red-only duties (a gathering at 重大/red, beyond what orange asks): emergency management readies the plan and the
rescue forces, public security puts the flow-control measures in place, fire rescue stands by on site, and the
township's leaders command on site. Orange keeps its own duties (events.on_duty_police, events.territorial_control).

Only what is missing is added (by key), so an administrator's edit is never overwritten; ``seed`` is idempotent.
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
ANYANG = "安阳市公安局关于政协第355号提案的答复"
OPEN_STATUSES = ["reported", "verified", "monitoring", "suspended"]

ALERT_RULES = [
    {
        "key": "gathering.risk_level",
        "name": "聚集活动风险等级升至较大（橙色）及以上",
        "trigger": "gathering_level",
        "reason": (
            "聚集活动风险等级升至较大（橙色）及以上：属地乡镇（街道）、公安值班台、场地管理方和组织者须立即知悉并到位处置；"
            "升至重大（红色）时同时报告属地领导和应急管理部门。"
        ),
        "source": f"{ANYANG}一；{NOTICE}二（一）至（三）",
        "parties": [
            ("township", "orange"),
            ("police_on_duty", "orange"),
            ("venue_operator", "orange"),
            ("organizer", "orange"),
            ("territory_leader", "red"),
            ("emergency", "red"),
        ],
    },
    {
        "key": "venue.risk_level",
        "name": "场所风险等级升至较大（橙色）及以上",
        "trigger": "venue_level",
        "reason": (
            "经审定的风险评估将场所风险等级定为较大（橙色）及以上：属地乡镇（街道）、公安值班台和场所管理方须立即知悉；"
            "重大（红色）时同时报告属地领导和应急管理部门。"
        ),
        "source": f"{NOTICE}二（一）至（三）",
        "parties": [
            ("township", "orange"),
            ("police_on_duty", "orange"),
            ("venue_operator", "orange"),
            ("territory_leader", "red"),
            ("emergency", "red"),
        ],
    },
    {
        "key": "hazard.major",
        "name": "发现重大隐患",
        "trigger": "major_hazard",
        "reason": "发现重大隐患：属地乡镇（街道）和场所管理方须立即知悉，落实整改期间的临时安全措施。",
        "source": f"{NOTICE}三（五）",
        "parties": [("township", "orange"), ("venue_operator", "orange"), ("territory_leader", "red"), ("emergency", "red")],
    },
    {
        "key": "permit.refused",
        "name": "大型群众性活动不予安全许可",
        "trigger": "permit_refused",
        "reason": "大型群众性活动不予安全许可：属地乡镇（街道）、公安值班台和场地管理方须知悉，防止活动擅自举办。",
        "source": "《大型群众性活动安全管理条例》第十四条、第二十条",
        "parties": [("township", "orange"), ("police_on_duty", "orange"), ("venue_operator", "orange")],
    },
    {
        "key": "permit.conditions",
        "name": "大型群众性活动附条件准予安全许可",
        "trigger": "permit_conditions",
        "reason": "大型群众性活动附条件准予安全许可：属地乡镇（街道）、公安值班台和场地管理方须知悉许可条件，并督促落实。",
        "source": "《大型群众性活动安全管理条例》第十四条",
        "parties": [("township", "orange"), ("police_on_duty", "orange"), ("venue_operator", "orange")],
    },
]

AT_ONCE = {"deadline_days": 0, "deadline_unit": "working"}
RED = {"risk_level": "red", "status__in": OPEN_STATUSES}

DUTY_RULES = [
    {
        "key": "events.red_emergency_readiness",
        "name": "重大风险聚集活动应急处置准备",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": RED,
        "duty_name": "重大风险聚集活动：启动应急预案，救援力量前置备勤（立即）",
        "duty_description": "指导启动相应应急预案，协调医疗、消防等救援力量就近前置备勤，做好突发事件应急处置准备。",
        "party_kind": "department",
        "department_kind": "emergency",
        "basis": "industry",
        **AT_ONCE,
        "source": f"{NOTICE}二（二）",
    },
    {
        "key": "events.red_flow_control",
        "name": "重大风险聚集活动现场管控措施",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": RED,
        "duty_name": "重大风险聚集活动：实施远端控制、分流限流、疏出阻入、单向通行（立即）",
        "duty_description": "立即在现场及周边实施远端控制、分流限流、疏出阻入、单向通行等管控措施，必要时暂停人员进入。",
        "party_kind": "department",
        "department_kind": "public_security",
        "basis": "industry",
        **AT_ONCE,
        "source": f"{ANYANG}一",
    },
    {
        "key": "events.red_fire_standby",
        "name": "重大风险聚集活动消防救援力量现场备勤",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": RED,
        "duty_name": "重大风险聚集活动：消防救援力量现场备勤（立即）",
        "duty_description": "派出消防救援力量到现场及周边备勤，保持疏散通道、安全出口畅通，随时参与应急救援。",
        "party_kind": "department",
        "department_kind": "fire_rescue",
        "basis": "industry",
        **AT_ONCE,
        "source": f"{NOTICE}二（二）",
    },
    {
        "key": "events.red_territorial_command",
        "name": "重大风险聚集活动属地现场指挥",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": RED,
        "duty_name": "重大风险聚集活动：属地负责同志到场指挥（立即）",
        "duty_description": "乡镇（街道）主要负责同志立即到场，统一指挥现场处置，及时向上级报告情况。",
        "party_kind": "territorial",
        "basis": "territorial",
        **AT_ONCE,
        "source": f"{NOTICE}二（一）",
    },
    {
        "key": "alerts.coverage_gap",
        "name": "提醒接收人缺口处置",
        "subject_type": "coverage_issue",
        "event": "created",
        "conditions": {},
        "duty_name": "补齐无人可接收提醒的接收人员，或排查发送失败",
        "duty_description": (
            "每日检查发现：持有未完成任务的部门、乡镇（街道）或单位没有可接收提醒的在岗人员，或近一日有发送失败。"
            "请在系统中为其登记人员（或修正联系方式、群机器人），确保每条提醒和预警都能送达到人。"
        ),
        "party_kind": "assigned",
        "basis": "territorial",
        "deadline_days": 1,
        "deadline_unit": "working",
        "source": "平台运行要求：提醒与预警必须送达到人",
    },
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRuleParty = apps.get_model("alerts", "AlertRuleParty")
    for spec in ALERT_RULES:
        values = dict(spec)
        parties = values.pop("parties")
        if AlertRule.objects.filter(key=values["key"]).exists():
            continue
        rule = AlertRule.objects.create(**values)
        for party, level in parties:
            AlertRuleParty.objects.create(rule=rule, party=party, min_level=level)
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in DUTY_RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists() or Rule.objects.filter(name=values["name"]).exists():
            continue
        Rule.objects.create(key=key, **values)


def unseed(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(key__in=[r["key"] for r in ALERT_RULES]).delete()
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[r["key"] for r in DUTY_RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_initial"),
        ("duties", "0006_subject_kind_coverage_issue"),
        ("events", "0002_seed_rules_and_defaults"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
