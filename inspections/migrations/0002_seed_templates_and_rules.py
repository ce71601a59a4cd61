"""Seed the checklist templates (issue 21 point 1) and the rules that schedule inspections (point 2).

Templates: a general one for crowded venues, one per kind of venue of the demo city (square, stadium, KTV and
entertainment venues, scenic area, hospital) and the pre-event inspection of a large event — exits and evacuation
routes, fire equipment, temporary structures, security check equipment, staffing ratios, medical points, broadcast,
lighting, and barriers at steps and slopes — each item with its basis (the article of 《大型群众性活动安全管理条例》
(国务院令第505号), the clause of GB 50016《建筑设计防火规范》 or another standard, or the police bureau's reply and
the safety committee's notice of /work/shared/seeds) and the severity of a failed item.

Rules (keys in ``inspections/duties.py``): the routine inspections of venues; the pre-event one is the permits
app's rule ``permits.pre_event_inspection``. ``seed`` only adds a template code or a rule key that
is not there yet, so it never overwrites the administrator's edits, and it is idempotent (the test fixtures call it
again).
"""

from django.db import migrations

ORDER_505 = "《大型群众性活动安全管理条例》"
GB50016 = "GB 50016-2014《建筑设计防火规范》（2018年版）"
GB51309 = "GB 51309-2018《消防应急照明和疏散指示系统技术标准》"
GB50140 = "GB 50140-2005《建筑灭火器配置设计规范》"
GB50352 = "GB 50352-2019《民用建筑设计统一标准》"
REPLY = "安阳市公安局关于政协第355号提案的答复"
NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
FIRE_LAW = "《中华人民共和国消防法》"

# (key, text, answer kind, threshold, threshold kind, unit, photo required, basis, severity)
Y = "yes_no"
N = "number"

EXITS = (
    "安全出口与疏散通道",
    "",
    [
        ("exits_open", "安全出口、疏散通道畅通，无锁闭、堵塞、占用", Y, None, "", "", True,
         f"{FIRE_LAW}第二十八条；{ORDER_505}第十条（二）", "major"),
        ("exits_count", "安全出口数量符合要求（每个防火分区不少于2个）", N, "2", "at_least", "个", False,
         f"{GB50016}第5.5.8条", "major"),
        ("exits_width", "疏散门和安全出口净宽度不小于1.4米（人员密集的公共场所）", N, "1.4", "at_least", "米", False,
         f"{GB50016}第5.5.19条", "significant"),
        ("exits_signs", "疏散指示标志设置齐全、指向正确", Y, None, "", "", False,
         f"{GB51309}第3.2节；{ORDER_505}第十条（二）", "significant"),
    ],
)
FIRE = (
    "消防设施器材",
    "fire_rescue",
    [
        ("fire_extinguishers", "灭火器配置齐全、压力正常、在有效期内", Y, None, "", "", True,
         f"{GB50140}；{ORDER_505}第十条（三）", "significant"),
        ("fire_hydrants", "室内消火栓完好有效，无遮挡", Y, None, "", "", False,
         f"{GB50016}第8.2节；{FIRE_LAW}第二十八条", "significant"),
        ("fire_lanes", "消防车通道畅通", Y, None, "", "", False, f"{ORDER_505}第十条（二）", "major"),
        ("fire_control_room", "消防控制室有人值班，值班人员持证上岗", Y, None, "", "", False,
         f"{FIRE_LAW}第十六条", "general"),
    ],
)
LIGHTING_BROADCAST = (
    "应急照明与应急广播",
    "",
    [
        ("emergency_lighting", "应急照明完好，断电后能正常启用", Y, None, "", "", False,
         f"{GB51309}第3.2节；{ORDER_505}第十条（二）", "significant"),
        ("broadcast", "应急广播能覆盖人员聚集区域，可正常播音", Y, None, "", "", False,
         f"{ORDER_505}第十条（二）", "significant"),
        ("cctv", "监控设备配置齐全、完好有效，重点部位无盲区", Y, None, "", "", False,
         f"{ORDER_505}第十条（三）", "general"),
    ],
)
STEPS = (
    "台阶、坡道等部位防护",
    "",
    [
        ("barriers", "台阶、坡道、桥梁等部位设置护栏或隔离设施", Y, None, "", "", True,
         f"{REPLY}二；{NOTICE}四（八）", "major"),
        ("railing_height", "临空处栏杆高度", N, "1.05", "at_least", "米", False, f"{GB50352}第6.7.3条", "significant"),
        ("steps_guides", "台阶、坡道等易拥堵部位安排专人疏导", Y, None, "", "", False, f"{REPLY}二", "significant"),
    ],
)
MANAGEMENT = (
    "安全制度与应急力量",
    "",
    [
        ("safety_rules", "安全管理制度健全，岗位安全职责明确", Y, None, "", "", False, f"{NOTICE}二（三）", "general"),
        ("plan_drill", "制定应急预案并每半年至少演练一次", Y, None, "", "", False,
         "《生产安全事故应急条例》第八条第二款", "general"),
        ("capacity_sign", "公示最大承载量，设置安全提示", Y, None, "", "", False, f"{NOTICE}三（四）", "general"),
    ],
)
TEMP_STRUCTURES = (
    "临时搭建设施",
    "housing",
    [
        ("structures_accepted", "舞台、看台、屏幕等临时搭建设施已按规范设计、搭建并经验收", Y, None, "", "", True,
         f"{ORDER_505}第九条（一）；{NOTICE}四（九）", "major"),
        ("structures_anchored", "临时设施固定牢靠，有防风、防倾覆措施", Y, None, "", "", False,
         f"{ORDER_505}第九条（一）", "major"),
    ],
)
SECURITY_CHECK = (
    "安检设备",
    "public_security",
    [
        ("security_gates", "安检门配置数量", N, "4", "at_least", "台", True, f"{ORDER_505}第九条（二）；{REPLY}三", "significant"),
        ("xray", "X光安检机配置到位并正常运行", Y, None, "", "", False, f"{ORDER_505}第九条（二）；{REPLY}三", "significant"),
    ],
)
STAFFING = (
    "安保力量配备",
    "public_security",
    [
        ("security_ratio", "每百名观众配备安保人员数", N, "1", "at_least", "人", False,
         f"{ORDER_505}第九条（六）；{REPLY}三", "major"),
        ("volunteers", "重点部位配备志愿者、引导员", Y, None, "", "", False, f"{REPLY}三", "general"),
        ("tickets_capacity", "按核准容量和划定区域发放或出售门票", Y, None, "", "", False,
         f"{ORDER_505}第九条（三）", "major"),
    ],
)
MEDICAL = (
    "医疗救护",
    "health",
    [
        ("medical_points", "设置医疗救护点并有医护人员值守", Y, None, "", "", True, f"{ORDER_505}第九条（四）", "significant"),
        ("ambulance", "救护车停靠点及通道预留", Y, None, "", "", False, f"{ORDER_505}第九条（四）", "general"),
    ],
)
PARKING = (
    "停车与周边秩序",
    "",
    [("parking", "提供必要的停车场地并维护秩序", Y, None, "", "", False, f"{ORDER_505}第十条（四）", "general")],
)

TEMPLATES = [
    ("venue.general", "人员密集场所安全检查表", "venue_kind", "", "", [EXITS, FIRE, LIGHTING_BROADCAST, MANAGEMENT]),
    ("venue.square", "广场安全检查表", "venue_kind", "square", "", [EXITS, STEPS, LIGHTING_BROADCAST, MANAGEMENT]),
    ("venue.stadium", "体育场馆安全检查表", "venue_kind", "stadium", "",
     [EXITS, FIRE, STEPS, LIGHTING_BROADCAST, MANAGEMENT]),
    ("venue.entertainment", "歌舞娱乐场所安全检查表", "venue_kind", "entertainment", "",
     [EXITS, FIRE, LIGHTING_BROADCAST, MANAGEMENT]),
    ("venue.scenic_area", "旅游景区安全检查表", "venue_kind", "scenic_area", "", [EXITS, STEPS, LIGHTING_BROADCAST, MANAGEMENT]),
    ("venue.hospital", "医疗机构人员聚集安全检查表", "venue_kind", "hospital", "", [EXITS, FIRE, LIGHTING_BROADCAST, MANAGEMENT]),
    ("pre_event", "大型群众性活动举办前安全检查表", "pre_event", "", "",
     [EXITS, FIRE, TEMP_STRUCTURES, SECURITY_CHECK, STAFFING, MEDICAL, LIGHTING_BROADCAST, STEPS, PARKING]),
]

CROWDED_BUSINESS_KINDS = ["commercial", "stadium", "theatre", "exhibition", "entertainment", "station", "hospital",
                          "school", "elderly_care"]
OPEN_SPACE_KINDS = ["square", "park", "scenic_area", "internet_famous", "religious_site"]

RULES = [
    {
        "key": "inspections.venue_routine",
        "name": "人员密集场所定期安全检查（每三个月）",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind__in": CROWDED_BUSINESS_KINDS},
        "duty_name": "对人员密集场所开展安全检查",
        "duty_description": (
            "会同相关主管部门对场所设施设备配备、安全制度落实、应急力量部署等开展安全检查，及时发现整改安全隐患。"
            "在“安全检查”中完成对该场所的检查即完成本任务，下一次检查自本次完成之日起三个月内到期。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 3,
        "source": f"{REPLY}二；{NOTICE}三（七）",
    },
    {
        "key": "inspections.open_space_routine",
        "name": "广场、公园、景区等开放场所安全巡查检查（每月）",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind__in": OPEN_SPACE_KINDS},
        "duty_name": "对人员易聚集的开放场所开展安全检查",
        "duty_description": (
            "以村（社区）网格为基础单元，对人群经常聚集的广场等公共场所开展检查，重点查看台阶、坡道、桥梁等部位"
            "的防护和安全提示设施。完成检查即完成本任务，下一次检查自本次完成之日起一个月内到期。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 1,
        "source": f"{NOTICE}三（四）、四（八）",
    },
]


def seed(apps, schema_editor):
    Template = apps.get_model("inspections", "ChecklistTemplate")
    Section = apps.get_model("inspections", "ChecklistSection")
    Item = apps.get_model("inspections", "ChecklistItem")
    for code, name, scope, venue_kind, event_kind, sections in TEMPLATES:
        if Template.objects.filter(code=code).exists():
            continue
        template = Template.objects.create(
            code=code, version=1, is_current=True, name=name, scope=scope, venue_kind=venue_kind, event_kind=event_kind
        )
        for order, (title, department_kind, items) in enumerate(sections, start=1):
            section = Section.objects.create(template=template, order=order, title=title, department_kind=department_kind)
            for position, (key, text, kind, threshold, threshold_kind, unit, photo, basis, severity) in enumerate(
                items, start=1
            ):
                Item.objects.create(
                    section=section,
                    template=template,
                    key=key,
                    order=position,
                    text=text,
                    answer_kind=kind,
                    threshold=threshold,
                    threshold_kind=threshold_kind or "at_least",
                    unit=unit,
                    photo_required=photo,
                    basis=basis,
                    severity=severity,
                )
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists():
            continue
        if Rule.objects.filter(name=values["name"], key__isnull=True).update(key=key):
            continue
        Rule.objects.create(key=key, **values)


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0001_initial"),
        ("duties", "0004_seed_rule_keys"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
