"""Seed the response app's reference data and rules (only what is missing, by key; ``seed`` is idempotent):

- response levels IV 一般, III 较大, II 重大, I 特别重大 (《突发事件应对法》 grades; each activates the plan measures
  of the alert level of the same rank: IV blue, III yellow, II orange, I red);
- response tiers grid → township → county → city → province desk (上一层级应急响应);
- measure routing: which department kind carries out a plan measure, by a keyword of its "who does it", else by
  the kind of measure (远端控制、分流限流、疏出阻入、单向通行 are public security's, per 安阳市公安局's reply);
- the duty rule ``response.incident_measure`` (the routed department, due at once);
- alert rules ``response.incident_opened``, ``response.measure_task`` and ``response.higher_level``.
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
ANYANG = "安阳市公安局关于政协第355号提案的答复"

LEVELS = [
    ("IV", "一般", 1, "blue", "orange"),
    ("III", "较大", 2, "yellow", "orange"),
    ("II", "重大", 3, "orange", "red"),
    ("I", "特别重大", 4, "red", "red"),
]
TIERS = [
    ("grid", "网格", 1, "grid"),
    ("township", "乡镇（街道）", 2, "township"),
    ("county", "县（区）", 3, "district"),
    ("city", "市", 4, "city"),
    ("province", "省级值班室", 5, ""),
]
ROUTING = [
    (10, "公安", "", "public_security"),
    (11, "派出所", "", "public_security"),
    (12, "交警", "", "public_security"),
    (20, "消防", "", "fire_rescue"),
    (30, "120", "", "health"),
    (31, "医疗", "", "health"),
    (32, "卫健", "", "health"),
    (40, "应急", "", "emergency"),
    (50, "街道", "", "township_government"),
    (51, "乡镇", "", "township_government"),
    (52, "社区", "", "township_government"),
    (53, "城管", "", "township_government"),
    (60, "交通", "", "transport"),
    (100, "", "upstream_holding", "public_security"),
    (101, "", "flow_limiting", "public_security"),
    (102, "", "let_out_block_in", "public_security"),
    (103, "", "one_way", "public_security"),
    (104, "", "medical_point", "health"),
    (105, "", "evacuation_route", "township_government"),
    (200, "", "", "emergency"),
]
DUTY_RULES = [
    {
        "key": "response.incident_measure",
        "name": "应急处置措施（启动预案后立即落实）",
        "subject_type": "incident_measure",
        "event": "created",
        "conditions": {},
        "duty_name": "落实应急预案处置措施（立即）",
        "duty_description": "现场指挥员启动应急预案后，按预案本级响应措施立即落实，完成后在事件页面报告完成。",
        "party_kind": "assigned",
        "department_kind": "",
        "basis": "industry",
        "deadline_days": 0,
        "deadline_unit": "calendar",
        "source": f"{NOTICE}二（二）；{ANYANG}一",
    },
]
ALERT_RULES = [
    {
        "key": "response.incident_opened",
        "name": "启动应急响应",
        "trigger": "other",
        "reason": "启动应急响应：属地乡镇（街道）、公安值班台、应急管理部门和属地领导须立即知悉并到位。",
        "source": f"{NOTICE}二（二）",
        "parties": [("township", "orange"), ("police_on_duty", "orange"), ("emergency", "orange"), ("territory_leader", "red")],
    },
    {
        "key": "response.measure_task",
        "name": "应急处置措施派发",
        "trigger": "other",
        "reason": "现场指挥员启动应急预案：本部门承担的处置措施须在规定分钟内落实。",
        "source": f"{ANYANG}一",
        "parties": [("assigned_department", "orange")],
    },
    {
        "key": "response.higher_level",
        "name": "请求上一层级应急响应",
        "trigger": "other",
        "reason": "现场力量不足，请求上一层级启动应急响应：上一层级值班人员须立即确认并决定是否接管指挥。",
        "source": f"{NOTICE}二（二）（上一层级应急响应）",
        "parties": [("emergency", "orange"), ("territory_leader", "orange")],
    },
]


def seed(apps, schema_editor):
    Level = apps.get_model("response", "IncidentLevel")
    for code, name, rank, plan_level, alert_level in LEVELS:
        if not Level.objects.filter(code=code).exists():
            Level.objects.create(code=code, name=name, rank=rank, plan_level=plan_level, alert_level=alert_level)
    Tier = apps.get_model("response", "ResponseTier")
    for key, name, rank, level in TIERS:
        if not Tier.objects.filter(key=key).exists():
            Tier.objects.create(key=key, name=name, rank=rank, jurisdiction_level=level)
    Routing = apps.get_model("response", "MeasureRouting")
    if not Routing.objects.exists():
        for position, keyword, measure_kind, kind in ROUTING:
            Routing.objects.create(position=position, keyword=keyword, measure_kind=measure_kind, department_kind=kind)
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in DUTY_RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists() or Rule.objects.filter(name=values["name"]).exists():
            continue
        Rule.objects.create(key=key, **values)
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


def unseed(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(key__in=[r["key"] for r in ALERT_RULES]).delete()
    apps.get_model("duties", "ResponsibilityRule").objects.filter(
        key__in=[r["key"] for r in DUTY_RULES], tasks__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("response", "0001_initial"),
        ("alerts", "0003_party_assigned_department"),
        ("duties", "0008_subject_kind_incident_measure"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
