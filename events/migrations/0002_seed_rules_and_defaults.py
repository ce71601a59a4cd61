"""Seed the responsibility rules of spontaneous gatherings, the triage thresholds and the key-date calendar.

Rules (DESIGN.md section 5; keys in ``events.duties``), from the division of duties in
- 梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》二（一）–（三）, 三（四）, 三（七）: the township
  and its grids find and manage spontaneous gatherings (属地管理); public security keeps public order; the
  supervising departments of each kind of place (管行业必须管安全); the venue operator (谁的场地谁负责);
- 安阳市公安局 reply to CPPCC proposal 355, 一–二: for gatherings with many people and high risk, security
  forces on duty and standing by at once (执勤备勤), and 远端控制、分流限流、疏出阻入、单向通行.
``events.territorial_control`` (risk ≥ orange → the township) is seeded by the duties app.

The departments a kind of venue brings mirror the venue rules of duties 0002 (a test checks they stay in step).

Like the duties seeds, this only adds what is missing (by key / by name), so it never overwrites an
administrator's edit; ``seed`` is idempotent (the test fixtures call it again after transactional tests).
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
ANYANG = "安阳市公安局关于政协第355号提案的答复"
AT_ONCE = {"deadline_days": 0, "deadline_unit": "working"}
ON_DAY = {"deadline_days": 0, "deadline_unit": "working", "deadline_from": "attribute", "deadline_attribute": "respond_by"}
OPEN_STATUSES = ["reported", "verified", "monitoring", "suspended"]


def industry(key, name, department_kind, venue_kinds, description, clause="二（二）"):
    return {
        "key": key,
        "name": name,
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"is_verified": True, "venue_kind__in": list(venue_kinds)},
        "duty_name": name,
        "duty_description": description,
        "party_kind": "department",
        "department_kind": department_kind,
        "basis": "industry",
        **ON_DAY,
        "source": f"{NOTICE}{clause}、三（四）",
    }


RULES = [
    {
        "key": "events.territorial_verify",
        "name": "群众自发性聚集活动属地核实",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"status": "reported"},
        "duty_name": "核实群众自发性聚集活动并纳入清单",
        "duty_description": (
            "乡镇（街道）组织网格员第一时间核实上报的群众自发性聚集活动，了解掌握活动时间、地点、内容、组织方式和预计人数，"
            "逐一列入清单，纳入安全管理视线；不属实的说明理由后排除。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        **ON_DAY,
        "source": f"{NOTICE}二（一）、三（四）；{ANYANG}一",
    },
    {
        "key": "events.confirm_expected",
        "name": "重点时段预计聚集活动确认",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"status": "expected"},
        "duty_name": "确认或排除重点时段预计发生的聚集活动",
        "duty_description": (
            "重要节假日和重点时段前，乡镇（街道）核实上一次同期曾发生聚集活动的地点本次是否会再次聚集："
            "确认的纳入安全管理，不会发生的说明理由后排除。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "confirm_by",
        "source": f"{NOTICE}三（四）、三（七）",
    },
    {
        "key": "events.on_duty_police",
        "name": "较大及以上风险聚集活动公安执勤备勤",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"risk_level__gte": "orange", "status__in": OPEN_STATUSES},
        "duty_name": "较大及以上风险聚集活动现场执勤备勤（立即）",
        "duty_description": (
            "对预计参与人员多、风险高的活动，在活动现场及周边部署充足安保力量执勤备勤，加大安保巡查力度；"
            "一旦发现苗头性问题，迅速启动应急预案，采取远端控制、分流限流、疏出阻入、单向通行等管控措施。"
        ),
        "party_kind": "department",
        "department_kind": "public_security",
        "basis": "industry",
        **AT_ONCE,
        "source": f"{ANYANG}一",
    },
    {
        "key": "events.public_order",
        "name": "群众自发性聚集活动治安秩序维护",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"is_verified": True},
        "duty_name": "维持聚集活动现场治安、交通秩序",
        "duty_description": (
            "维持活动现场及周边治安、交通秩序，结合社会面巡控强化疏导巡逻，对广场、桥梁、坡道、台阶等复杂部位"
            "派出专人开展人员疏导和秩序维护。"
        ),
        "party_kind": "department",
        "department_kind": "public_security",
        "basis": "industry",
        **ON_DAY,
        "source": f"{NOTICE}二（二）；{ANYANG}二",
    },
    {
        "key": "events.venue_operator",
        "name": "聚集活动场地管理方安全责任",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"is_verified": True, "has_operator": True},
        "duty_name": "场地管理方落实聚集活动现场安全管理",
        "duty_description": (
            "场地管理方落实安全管理主体责任：制定安保方案预案，落实现场安全管理措施，配足安保人员和志愿者，"
            "做好人员疏导和应急处置准备。"
        ),
        "party_kind": "venue_operator",
        "basis": "venue_operator",
        **ON_DAY,
        "source": f"{NOTICE}二（三）；{ANYANG}一",
    },
    {
        "key": "events.organizer",
        "name": "聚集活动组织者安全责任",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"is_verified": True, "has_organizer": True},
        "duty_name": "活动组织者制定并落实安保方案",
        "duty_description": "已知组织者的，督促其制定安保方案预案并严格落实各项现场安全管理措施。",
        "party_kind": "assigned",
        "basis": "organizer",
        **ON_DAY,
        "source": f"{ANYANG}一",
    },
    industry(
        "events.industry_fire_rescue",
        "公众聚集场所内聚集活动消防安全检查",
        "fire_rescue",
        ["commercial", "stadium", "theatre", "exhibition", "entertainment", "station", "hospital"],
        "对公众聚集场所内的聚集活动开展消防安全检查，督促保持疏散通道、安全出口畅通，参与突发事件应急救援。",
        clause="二（二）、三（六）",
    ),
    industry(
        "events.industry_culture_tourism",
        "景区、娱乐和演出场所聚集活动安全管理指导",
        "culture_tourism",
        ["scenic_area", "entertainment", "theatre"],
        "指导旅游景区、网吧和KTV等娱乐场所、演出场所做好聚集活动安全管理，景区不得超过最大承载量。",
    ),
    industry(
        "events.industry_housing",
        "公园聚集活动安全管理指导",
        "housing",
        ["park"],
        "指导公园做好人员聚集活动安全管理，加强桥梁、台阶、坡道等风险点位巡查。",
    ),
    industry(
        "events.industry_education",
        "校园聚集活动安全管理",
        "education",
        ["school"],
        "负责校园人员聚集活动安全管理，督促学校及幼儿园落实安全措施。",
    ),
    industry(
        "events.industry_health",
        "医疗机构聚集活动安全监管",
        "health",
        ["hospital"],
        "依职责负责医疗机构人员聚集活动安全监管。",
    ),
    industry(
        "events.industry_transport",
        "客运站聚集活动安全监管",
        "transport",
        ["station"],
        "依职责负责客运站人员聚集活动安全监管。",
    ),
    industry(
        "events.industry_civil_affairs",
        "养老、福利机构聚集活动安全监管",
        "civil_affairs",
        ["elderly_care"],
        "依职责负责养老、福利、救助机构人员聚集活动安全监管。",
    ),
    {
        "key": "events.industry_special_equipment",
        "name": "聚集活动场所特种设备安全监管",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"is_verified": True, "venue_has_special_equipment": True},
        "duty_name": "聚集活动场所电梯、自动扶梯、大型游乐设施安全监管",
        "duty_description": "督促场所在聚集活动期间保障电梯、自动扶梯、大型游乐设施安全运行。",
        "party_kind": "department",
        "department_kind": "market_regulation",
        "basis": "industry",
        **ON_DAY,
        "source": f"{NOTICE}二（二）、四（九）",
    },
]

# (name, rule, month, day, festival, offset, span, lead, gathering kinds, venue kinds, notes)
KEY_DATES = [
    ("元旦", "holiday", None, None, "new_years_day", 0, 1, 7, [], [], ""),
    ("春节", "holiday", None, None, "spring_festival", 0, 7, 10, [], [], "正月初一至初七。"),
    ("元宵节", "holiday", None, None, "spring_festival", 14, 1, 7, [], [], "正月十五：春节（正月初一）后第14天。"),
    ("清明节", "holiday", None, None, "tomb_sweeping_day", 0, 1, 7, [], [], ""),
    ("劳动节（五一）", "holiday", None, None, "labour_day", 0, 5, 7, [], [], ""),
    ("端午节", "holiday", None, None, "dragon_boat_festival", 0, 1, 7, [], [], ""),
    ("中秋节", "holiday", None, None, "mid_autumn_festival", 0, 1, 7, [], [], ""),
    ("国庆节", "holiday", None, None, "national_day", 0, 7, 10, [], [], ""),
    ("跨年夜", "fixed", 12, 31, "", 0, 1, 7, [], [], "12月31日晚的跨年倒计时聚集。"),
    ("平安夜（商场）", "fixed", 12, 24, "", 0, 1, 7, [], ["commercial"], "商场、商业街区的平安夜促销聚集。"),
    ("地方庙会", "explicit", None, None, "", 0, 1, 7, ["festival_religious"], [], "各地庙会日期不同：管理员按年录入。"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists() or Rule.objects.filter(name=values["name"]).exists():
            continue
        Rule.objects.create(key=key, **values)
    TriageSettings = apps.get_model("events", "TriageSettings")
    if not TriageSettings.objects.exists():
        TriageSettings.objects.create()
    KeyDate = apps.get_model("events", "KeyDate")
    for name, rule, month, day, festival, offset, span, lead, kinds, venue_kinds, notes in KEY_DATES:
        KeyDate.objects.get_or_create(
            name=name,
            defaults={
                "rule": rule,
                "month": month,
                "day": day,
                "festival": festival,
                "offset_days": offset,
                "span_days": span,
                "lead_days": lead,
                "gathering_kinds": kinds,
                "venue_kinds": venue_kinds,
                "notes": notes,
            },
        )


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()
    apps.get_model("events", "KeyDate").objects.filter(
        name__in=[spec[0] for spec in KEY_DATES], gatherings__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("duties", "0004_seed_rule_keys")]

    operations = [migrations.RunPython(seed, unseed)]
