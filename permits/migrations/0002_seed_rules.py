"""The responsibility rules of the permit review (keys ``permits.*``), as data the city administrator may adjust.

- ``permits.review_county`` / ``permits.review_city`` (seeded by the duties app with expected-attendance
  thresholds) now fire when an application is accepted and test ``licensing_level``, which the permit services
  compute from ``PERMITS_CITY_LEVEL_FROM``: the 5,000 boundary stays one setting (Order 505 Art. 12). They are
  the decision, due 7 days after acceptance (Art. 14). They are changed only while they still carry the seeded
  thresholds, so an administrator's later edit is kept.
- The acceptance review (行政许可法 Art. 32: within 5 working days accept, ask for correction or refuse to accept),
  and again after a correction; the organizer's correction.
- The joint site inspection (Art. 14: 实地检查): public security (the licensing department itself), fire rescue
  and housing for every application, culture & tourism for performances and garden/temple fairs, market
  regulation where the venue has special equipment. Each rule on ``permit_application`` whose key starts with
  ``permits.inspection_`` and that fires on the state "inspection" adds a department to the inspection.
- After approval (谁审批谁监管): the pre-event inspection (due the eve of the first session) and the on-the-day
  supervision (due the first session's day) by the licensing department; each approval condition fulfilled by
  the organizer and checked by the department, due the eve of the first session.

``seed`` is idempotent (tests call it again after transactional tests empty the tables).
"""

from django.db import migrations

ORDER_505 = "《大型群众性活动安全管理条例》"
LICENSING_LAW = "《中华人民共和国行政许可法》"
DECISION_DESCRIPTION = (
    "审查安全工作方案等申办材料，会同消防、住建等部门实地踏勘活动场所，自受理之日起7日内作出许可或者不予许可的"
    "决定；不予许可的，书面说明理由，并告知申请人依法申请行政复议或者提起行政诉讼的权利。"
)


def inspection(key, name, department_kind, description, conditions=None, basis="industry"):
    return {
        "key": key,
        "name": name,
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "inspection", **(conditions or {})},
        "duty_name": name,
        "duty_description": description,
        "party_kind": "department",
        "department_kind": department_kind,
        "department_level": "",
        "basis": basis,
        "deadline_days": 3,
        "deadline_unit": "working",
        "deadline_from": "event",
        "deadline_attribute": "",
        "source": f"{ORDER_505}第十四条",
    }


# The two rules the duties app seeded, as the permit workflow uses them.
UPDATED = {
    "permits.review_county": {
        "event": "state_changed",
        "conditions": {"state": "accepted", "licensing_level": "county"},
        "duty_name": "大型群众性活动安全许可审查决定（县级公安机关）",
        "duty_description": DECISION_DESCRIPTION,
        "party_kind": "department",
        "department_kind": "public_security",
        "department_level": "district",
        "basis": "approver",
        "deadline_days": 7,
        "deadline_unit": "working",  # 行政许可法 Art. 82 (0004 converts databases seeded with "calendar")
        "source": f"{ORDER_505}第十二条、第十四条",
    },
    "permits.review_city": {
        "event": "state_changed",
        "conditions": {"state": "accepted", "licensing_level": "city"},
        "duty_name": "大型群众性活动安全许可审查决定（设区的市级公安机关）",
        "duty_description": DECISION_DESCRIPTION
        + "预计人数在5000人以上（含5000人，可在设置中调整）的，由设区的市级人民政府公安机关许可。",
        "party_kind": "department",
        "department_kind": "public_security",
        "department_level": "city",
        "basis": "approver",
        "deadline_days": 7,
        "deadline_unit": "working",  # 行政许可法 Art. 82 (0004 converts databases seeded with "calendar")
        "source": f"{ORDER_505}第十二条、第十四条",
    },
}
SEEDED_THRESHOLDS = ({"expected_attendance__lte": 4999}, {"expected_attendance__gte": 5000})

RULES = [
    {
        "key": "permits.acceptance_review",
        "name": "大型群众性活动安全许可申请受理审查",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "submitted", "correction_rounds": 0},
        "duty_name": "大型群众性活动安全许可申请受理审查",
        "duty_description": (
            "对申请材料进行形式审查：材料齐全、符合法定形式的予以受理，出具受理通知书；材料不齐全或者不符合法定形式"
            "的，五日内一次告知申请人需要补正的全部内容；依法不属于受理范围的，作出不予受理决定并说明理由。"
        ),
        "party_kind": "assigned",
        "basis": "approver",
        "deadline_days": 5,
        "deadline_unit": "working",
        "source": f"{LICENSING_LAW}第三十二条；{ORDER_505}第十三条",
    },
    {
        "key": "permits.resubmission_review",
        "name": "大型群众性活动安全许可补正材料受理审查",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "submitted", "correction_rounds__gte": 1},
        "duty_name": "补正后申请材料受理审查",
        "duty_description": "申请人按补正通知书补正材料后，审查补正材料，决定是否受理。",
        "party_kind": "assigned",
        "basis": "approver",
        "deadline_days": 5,
        "deadline_unit": "working",
        "source": f"{LICENSING_LAW}第三十二条",
    },
    {
        "key": "permits.correction",
        "name": "按补正通知书补正申请材料",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "correction"},
        "duty_name": "按补正通知书补正申请材料",
        "duty_description": "按照补正通知书列明的全部内容补正申请材料后重新提交；补正期间许可审查期限不计算。",
        "party_kind": "organizer",
        "basis": "organizer",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "correction_due",
        "source": f"{LICENSING_LAW}第三十二条",
    },
    inspection(
        "permits.inspection_public_security",
        "大型群众性活动场所联合踏勘（公安机关）",
        "public_security",
        "实地检查活动场所的安全条件、治安缓冲区、票证查验和安全检查、现场秩序维护和人员疏导措施，记录检查意见。",
        basis="approver",
    ),
    inspection(
        "permits.inspection_fire_rescue",
        "大型群众性活动场所联合踏勘（消防救援）",
        "fire_rescue",
        "实地检查活动场所的消防安全措施、疏散通道和安全出口、消防设施器材，记录检查意见。",
    ),
    inspection(
        "permits.inspection_housing",
        "大型群众性活动场所联合踏勘（住房和城乡建设）",
        "housing",
        "实地检查活动场所建筑结构安全和临时搭建设施（舞台、看台、灯光架等）的安全，记录检查意见。",
    ),
    inspection(
        "permits.inspection_culture_tourism",
        "大型群众性活动场所联合踏勘（文化广电和旅游）",
        "culture_tourism",
        "对演出、游园、灯会、庙会等活动的内容和演出场所安全管理进行检查，记录检查意见。",
        conditions={"event_kind__in": ["performance", "garden_fair"]},
    ),
    inspection(
        "permits.inspection_market_regulation",
        "大型群众性活动场所联合踏勘（市场监管）",
        "market_regulation",
        "对活动场所的电梯、游乐设施等特种设备的检验和安全运行进行检查，记录检查意见。",
        conditions={"has_special_equipment": True},
    ),
    {
        "key": "permits.pre_event_inspection",
        "name": "大型群众性活动举办前安全检查",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "approved"},
        "duty_name": "大型群众性活动举办前安全检查",
        "duty_description": (
            "在活动举办前对活动场所、安全工作方案和许可条件的落实情况进行检查，发现安全隐患的责令改正（谁审批谁监管）。"
        ),
        "party_kind": "assigned",
        "basis": "approver",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "eve_of_first_session",
        "source": f"{ORDER_505}第十条第（四）项",
    },
    {
        "key": "permits.on_day_supervision",
        "name": "大型群众性活动现场安全监督",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "approved"},
        "duty_name": "大型群众性活动现场安全监督",
        "duty_description": (
            "活动举办时派员在现场监督安全工作方案的落实，维护现场治安、交通秩序，入场人数达到核准数量时督促停止入场，"
            "发现安全隐患责令改正，发生突发事件及时处置（谁审批谁监管）。"
        ),
        "party_kind": "assigned",
        "basis": "approver",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "first_session_date",
        "source": f"{ORDER_505}第十条第（五）项、第十六条",
    },
    {
        "key": "permits.condition_fulfil",
        "name": "落实大型群众性活动安全许可条件",
        "subject_type": "permit_condition",
        "event": "created",
        "conditions": {},
        "duty_name": "落实安全许可条件",
        "duty_description": "承办者在活动举办前落实安全许可决定书载明的条件，向许可机关报告落实情况（谁主办谁负责）。",
        "party_kind": "organizer",
        "basis": "organizer",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "due_date",
        "source": f"{ORDER_505}第七条",
    },
    {
        "key": "permits.condition_check",
        "name": "核查大型群众性活动安全许可条件落实情况",
        "subject_type": "permit_condition",
        "event": "created",
        "conditions": {},
        "duty_name": "核查安全许可条件落实情况",
        "duty_description": "许可机关在活动举办前核查承办者对安全许可条件的落实情况（谁审批谁监管）。",
        "party_kind": "assigned",
        "basis": "approver",
        "deadline_days": 0,
        "deadline_unit": "working",
        "deadline_from": "attribute",
        "deadline_attribute": "due_date",
        "source": f"{ORDER_505}第十条第（四）项",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for key, values in UPDATED.items():
        rule = Rule.objects.filter(key=key).first()
        if rule is None:
            continue
        if any(all(rule.conditions.get(k) == v for k, v in t.items()) for t in SEEDED_THRESHOLDS):
            for name, value in values.items():
                setattr(rule, name, value)
            rule.save()
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        name = values["name"]
        if Rule.objects.filter(key=key).exists() or Rule.objects.filter(name=name).exists():
            continue
        Rule.objects.create(key=key, **values)


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0001_initial"),
        ("duties", "0004_seed_rule_keys"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
