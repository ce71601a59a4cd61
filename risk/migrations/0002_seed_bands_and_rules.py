"""Seed the risk matrix's default bands and the risk app's responsibility rules (with stable keys).

Bands (DESIGN.md section 6): R = likelihood × severity on 1–5 scales; 20–25 重大 red, 9–16 较大 orange, 4–8 一般
yellow, 1–3 低 blue.

Rules (data, editable by the city administrator; ``risk/rules.py`` names the keys the services settle):
- a submitted assessment is signed off by the reviewing department or the township (risk.assessment_review);
- a signed-off assessment at orange or red is escalated (较大及以上风险): the territorial township controls it (属地
  管理), public security deploys forces and patrols (安阳市公安局 reply to proposal 355: 对预计参与人员多、风险高的活动
  …部署充足安保力量), the supervising department of the kind of venue follows it up (管行业必须管安全), the organizer
  or operator takes control measures (谁主办谁负责 / 谁的场地谁负责); red also goes to emergency management, which
  guides emergency plans and coordinates rescue;
- each venue of an assessment campaign is assessed by its township or by the campaign's department, by the
  campaign's deadline (梅河口市安委办通知 三（七）: 组织对辖区内高密度人员聚集场所重新进行一次风险评估，更新风险底数);
- a hazard is rectified by the responsible unit by its deadline; a major one needs a plan first; the supervising
  department of the kind of venue (or the township) supervises it and verifies a major one (复查验收).

Only rules not there yet (by key) are added, so an administrator's edits are never overwritten; ``seed`` is
idempotent (the test fixtures call it again after transactional tests). Reversing removes the rules that made
no task, and the bands.
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
REPLY = "安阳市公安局对市政协十四届一次会议第355号提案的答复"
SAFETY_LAW = "《中华人民共和国安全生产法》第四十一条、第六十五条"

BANDS = [("blue", 1, 3), ("yellow", 4, 8), ("orange", 9, 16), ("red", 20, 25)]

SUPERVISION_BY_KIND = {
    "culture_tourism": (["scenic_area", "entertainment", "theatre"], "文广旅部门"),
    "housing": (["park"], "住建部门"),
    "education": (["school"], "教育部门"),
    "transport": (["station"], "交通运输部门"),
    "civil_affairs": (["elderly_care"], "民政部门"),
    "health": (["hospital"], "卫生健康部门"),
}
TERRITORIAL_KINDS = ["square", "commercial", "internet_famous", "stadium", "exhibition", "religious_site", "other", "none"]
ESCALATED = {"state": "signed_off", "risk_level__gte": "orange"}


def rule(key, name, subject_type, event, conditions, duty_name, description, party_kind, basis, days, **extra):
    return {
        "key": key,
        "name": name,
        "subject_type": subject_type,
        "event": event,
        "conditions": conditions,
        "duty_name": duty_name,
        "duty_description": description,
        "party_kind": party_kind,
        "department_kind": extra.pop("department_kind", ""),
        "department_level": extra.pop("department_level", ""),
        "basis": basis,
        "deadline_days": days,
        "deadline_unit": extra.pop("unit", "calendar"),
        "deadline_from": extra.pop("deadline_from", "event"),
        "deadline_attribute": extra.pop("deadline_attribute", ""),
        "source": extra.pop("source", ""),
    }


RULES = [
    rule(
        "risk.assessment_review",
        "风险评估报告审核签批",
        "risk_assessment",
        "state_changed",
        {"state": "submitted"},
        "风险评估报告审核签批",
        "审核风险评估报告：核对评估因素、可能性和严重程度、管控措施后的风险等级，予以签批或退回修改。"
        "主办方自评的大型群众性活动风险评估由许可审查部门审核。",
        "assigned",
        "approver",
        3,
        unit="working",
        source=f"{NOTICE}三（五）、三（七）",
    ),
    rule(
        "risk.escalation_territorial",
        "较大及以上风险属地管控",
        "risk_assessment",
        "state_changed",
        ESCALATED,
        "较大及以上风险属地管控",
        "乡镇（街道）将较大及以上风险纳入重点管控，落实场所安全管理责任单位和责任人，会同公安等部门加强巡查和"
        "人员疏导，第一时间发现和处置人员聚集安全风险；对存在突出安全风险的，及时报告党委、政府。",
        "territorial",
        "territorial",
        3,
        source=f"{NOTICE}二（一）、三（四）",
    ),
    rule(
        "risk.escalation_public_security",
        "较大及以上风险安保力量部署",
        "risk_assessment",
        "state_changed",
        ESCALATED,
        "较大及以上风险安保力量部署和巡查",
        "公安机关提前进行风险研判，在现场及周边部署充足安保力量执勤备勤，加大安保巡查力度，对广场、桥梁、坡道、"
        "台阶等部位派出专人开展人员疏导、秩序维护；一旦发现苗头性问题，采取远端控制、分流限流、疏出阻入、单向通行"
        "等管控措施。",
        "department",
        "industry",
        3,
        department_kind="public_security",
        source=REPLY,
    ),
    rule(
        "risk.escalation_emergency",
        "重大风险应急准备",
        "risk_assessment",
        "state_changed",
        {"state": "signed_off", "risk_level__gte": "red"},
        "重大风险应急准备",
        "应急管理部门指导完善突发事件应急预案，加强不同部门、不同层次预案之间的衔接，做好应急救援力量调度准备。",
        "department",
        "industry",
        3,
        department_kind="emergency",
        source=f"{NOTICE}二（二）、五（十）",
    ),
    rule(
        "risk.escalation_responsible_unit",
        "较大及以上风险管控措施落实（责任单位）",
        "risk_assessment",
        "state_changed",
        {**ESCALATED, "has_organisation": True},
        "落实较大及以上风险管控措施",
        "场所经营管理单位或活动主办方落实安全主体责任：完善安全方案和应急预案，配齐配足安全设施和安保人员，"
        "逐项落实风险管控措施并报告落实情况。",
        "organizer",
        "organizer",
        3,
        source=f"{NOTICE}二（三）",
    ),
    *[
        rule(
            f"risk.escalation_supervision_{kind}",
            f"较大及以上风险行业监管（{label}）",
            "risk_assessment",
            "state_changed",
            {**ESCALATED, "venue_kind__in": venue_kinds},
            "较大及以上风险行业监管督导",
            f"{label}依职责督促行业领域场所落实风险管控措施，加强监督检查。",
            "department",
            "industry",
            7,
            department_kind=kind,
            source=f"{NOTICE}二（二）",
        )
        for kind, (venue_kinds, label) in SUPERVISION_BY_KIND.items()
    ],
    rule(
        "risk.campaign_assessment_territorial",
        "风险评估专项行动（属地）",
        "campaign_target",
        "created",
        {"assignment": "territorial"},
        "人员密集场所风险评估（更新风险底数）",
        "对辖区内人员密集场所开展风险评估，更新风险底数，精准采取安全防范措施；评估经签批后本任务自动完成。",
        "territorial",
        "territorial",
        0,
        deadline_from="attribute",
        deadline_attribute="deadline",
        source=f"{NOTICE}三（七）",
    ),
    rule(
        "risk.campaign_assessment_department",
        "风险评估专项行动（部门）",
        "campaign_target",
        "created",
        {"assignment": "department"},
        "人员密集场所风险评估（专项行动）",
        "重要节假日和重大活动举办前，依职责组织对可能发生的人员聚集活动风险进行评估并开展安全检查，及时整改安全"
        "隐患；评估经签批后本任务自动完成。",
        "assigned",
        "industry",
        0,
        deadline_from="attribute",
        deadline_attribute="deadline",
        source=f"{NOTICE}三（七）",
    ),
    rule(
        "risk.hazard_rectification",
        "隐患整改（责任单位）",
        "hazard",
        "created",
        {"is_open": True, "has_responsible_unit": True},
        "按期整改安全隐患",
        "场所经营管理单位或活动主办方按期整改隐患；一般隐患整改后上传整改照片，重大隐患按整改方案整改后申请复查验收。",
        "venue_operator",
        "venue_operator",
        0,
        deadline_from="attribute",
        deadline_attribute="rectification_deadline",
        source=f"{SAFETY_LAW}；{NOTICE}二（三）",
    ),
    rule(
        "risk.major_hazard_plan",
        "重大隐患整改方案",
        "hazard",
        "created",
        {"is_open": True, "level": "major", "has_responsible_unit": True},
        "制定重大隐患整改方案",
        "制定重大隐患整改方案：整改目标和任务、措施、经费和物资、负责整改的机构和人员、时限和要求、整改期间的安全"
        "防范措施和应急预案。",
        "venue_operator",
        "venue_operator",
        5,
        unit="working",
        source=SAFETY_LAW,
    ),
    *[
        rule(
            f"risk.hazard_supervision_{kind}",
            f"隐患整改督办（{label}）",
            "hazard",
            "created",
            {"is_open": True, "venue_kind__in": venue_kinds},
            "督促隐患整改",
            f"{label}依职责督促行业领域场所按期整改隐患，对重大隐患实施挂牌督办。",
            "department",
            "industry",
            0,
            department_kind=kind,
            deadline_from="attribute",
            deadline_attribute="rectification_deadline",
            source=f"{NOTICE}二（二）；{SAFETY_LAW}",
        )
        for kind, (venue_kinds, label) in SUPERVISION_BY_KIND.items()
    ],
    rule(
        "risk.hazard_supervision_territorial",
        "隐患整改督办（属地）",
        "hazard",
        "created",
        {"is_open": True, "venue_kind__in": TERRITORIAL_KINDS},
        "督促隐患整改（属地）",
        "乡镇（街道）滚动排查重大安全隐患，督促责任单位按期整改。",
        "territorial",
        "territorial",
        0,
        deadline_from="attribute",
        deadline_attribute="rectification_deadline",
        source=f"{NOTICE}二（一）",
    ),
    rule(
        "risk.major_hazard_verification",
        "重大隐患复查验收",
        "hazard",
        "state_changed",
        {"level": "major", "state": "awaiting_verification"},
        "重大隐患复查验收",
        "责任单位报告整改完成后，监管部门组织复查验收：合格的销号，不合格的退回继续整改。",
        "assigned",
        "industry",
        5,
        unit="working",
        source=SAFETY_LAW,
    ),
]


def seed(apps, schema_editor):
    Band = apps.get_model("risk", "RiskBand")
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for level, low, high in BANDS:
        Band.objects.get_or_create(level=level, defaults={"min_score": low, "max_score": high})
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists():
            continue
        name = values.pop("name")
        # A rule an administrator made by hand under the same name keeps its own; ours gets its key.
        rule_obj, created = Rule.objects.get_or_create(name=name, defaults={**values, "key": key})
        if not created and rule_obj.key is None:
            rule_obj.key = key
            rule_obj.save(update_fields=["key"])


def unseed(apps, schema_editor):
    Band = apps.get_model("risk", "RiskBand")
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()
    Band.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_initial"),
        ("duties", "0004_seed_rule_keys"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
