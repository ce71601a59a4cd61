"""Seed the default responsibility rules from the division of duties in the notices (DESIGN.md section 5):

- 梅河口市安委会办公室《关于进一步加强公共场所人员聚集安全管理的通知》(after 安委办〔2023〕1号 and
  吉安委办〔2023〕32号), 二（一）–（三）, 三（四）–（六）: which department supervises which crowded place;
- 安阳市公安局, reply to CPPCC proposal 355: public security licenses large events and checks crowded places;
- 《大型群众性活动安全管理条例》(State Council Order 505) Art. 12 and 14 for the permit review;
- 《消防法》Art. 15: the fire-safety inspection of a public gathering place is decided within 10 working days.

Rules are data: the city administrator adjusts them in the admin. This migration only adds a rule that is not
there yet (by name), so it never overwrites an administrator's edit; reversing it removes the seeded rules that
made no task.
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
PUBLIC_GATHERING_KINDS = ["commercial", "stadium", "theatre", "exhibition", "entertainment", "station", "hospital"]


def industry(name, kind, department_kind, description, clause, months=12):
    """A supervising department's inspection of a kind of venue (管行业必须管安全), yearly by default."""
    return {
        "name": name,
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind": kind},
        "duty_name": name,
        "duty_description": description,
        "party_kind": "department",
        "department_kind": department_kind,
        "basis": "industry",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": months,
        "source": f"{NOTICE}{clause}",
    }


RULES = [
    {
        "name": "公众聚集场所消防安全检查",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind__in": PUBLIC_GATHERING_KINDS},
        "duty_name": "公众聚集场所消防安全检查",
        "duty_description": (
            "公众聚集场所应依法向消防救援机构申请消防安全检查；消防救援机构对消防安全责任、消防技术条件、"
            "消防安全管理落实情况开展检查，自受理之日起十个工作日内作出决定。"
        ),
        "party_kind": "department",
        "department_kind": "fire_rescue",
        "basis": "approver",
        "deadline_days": 10,
        "deadline_unit": "working",
        "source": f"{NOTICE}三（六）；《消防法》第十五条",
    },
    industry(
        "旅游景区人员聚集活动安全管理",
        "scenic_area",
        "culture_tourism",
        "指导旅游景区做好人员聚集活动安全管理，核定并公布最大承载量，督促落实大客流监测预警和应急预案。",
        "二（二）",
    ),
    industry(
        "网吧、KTV等娱乐场所人员聚集活动安全管理",
        "entertainment",
        "culture_tourism",
        "指导网吧、KTV等娱乐场所做好人员聚集活动安全管理，督促经营单位落实安全管理制度。",
        "二（二）",
    ),
    industry(
        "演出场所演出活动安全管理",
        "theatre",
        "culture_tourism",
        "依法加强演出活动安全管理，督促演出场所落实安全管理措施和应急预案。",
        "二（二）",
    ),
    industry(
        "公园人员聚集活动安全管理",
        "park",
        "housing",
        "指导公园做好人员聚集活动安全管理，加强桥梁、台阶、坡道等风险点位巡查。",
        "二（二）",
    ),
    industry(
        "校园人员聚集活动安全管理和疏散应急演练",
        "school",
        "education",
        "负责校园人员聚集活动安全管理，督促学校及幼儿园加强安全教育，定期开展疏散应急演练（每半年至少一次）。",
        "二（二）、五（十）",
        months=6,
    ),
    industry(
        "医疗机构人员聚集场所安全监管",
        "hospital",
        "health",
        "依职责负责医疗机构人员聚集公共场所安全监管。",
        "二（二）",
    ),
    industry(
        "客运站人员聚集场所安全监管",
        "station",
        "transport",
        "依职责负责客运站人员聚集公共场所安全监管。",
        "二（二）",
    ),
    industry(
        "养老、福利、救助机构人员聚集场所安全监管",
        "elderly_care",
        "civil_affairs",
        "依职责负责养老、福利、救助机构人员聚集公共场所安全监管。",
        "二（二）",
    ),
    {
        "name": "人员聚集场所特种设备安全监管",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"has_special_equipment": True},
        "duty_name": "人员聚集场所特种设备安全监管（电梯、自动扶梯、大型游乐设施定期检验）",
        "duty_description": (
            "负责人员聚集场所特种设备安全监管，督促电梯、自动扶梯、大型游乐设施按期检验，"
            "指导受委托机构开展检验检测。期限为最近一次法定检验到期日。"
        ),
        "party_kind": "department",
        "department_kind": "market_regulation",
        "basis": "industry",
        "deadline_days": 0,
        "deadline_unit": "calendar",
        "deadline_from": "attribute",
        "deadline_attribute": "special_equipment_next_inspection",
        "recurrence_months": 12,
        "source": f"{NOTICE}二（二）、四（九）",
    },
    {
        "name": "人员聚集场所经营管理单位安全自查",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {},
        "duty_name": "人员聚集场所经营管理单位安全自查",
        "duty_description": (
            "场所经营管理单位履行安全主体责任：健全安全管理制度，明确岗位职责，制定应急预案，"
            "配置应急救援装备，完善监控设施并进行安全巡查，自查并整改安全隐患。"
        ),
        "party_kind": "venue_operator",
        "basis": "venue_operator",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 6,
        "source": f"{NOTICE}二（三）",
    },
    {
        "name": "辖区人员聚集场所摸排纳管",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {},
        "duty_name": "辖区人员聚集场所摸排纳管（属地管理）",
        "duty_description": (
            "乡镇（街道）发挥网格管理前哨和探头作用，摸清辖区内风险底数，将人群经常聚集的场所纳入监测网络，"
            "滚动排查重大安全隐患。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 12,
        "source": f"{NOTICE}二（一）、三（四）",
    },
    {
        "name": "大型群众性活动安全许可审查（1000至4999人，县级公安机关）",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "submitted", "expected_attendance__lte": 4999},
        "duty_name": "大型群众性活动安全许可受理审查",
        "duty_description": (
            "审查安全工作方案等申办材料，会同消防、住建等部门实地踏勘活动场所，自受理之日起7日内作出许可或者"
            "不予许可的决定；不予许可的书面说明理由。"
        ),
        "party_kind": "department",
        "department_kind": "public_security",
        "department_level": "district",
        "basis": "approver",
        "deadline_days": 7,
        "deadline_unit": "calendar",
        "source": "《大型群众性活动安全管理条例》第十二条、第十四条",
    },
    {
        "name": "大型群众性活动安全许可审查（5000人以上，设区的市公安机关）",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "submitted", "expected_attendance__gte": 5000},
        "duty_name": "大型群众性活动安全许可受理审查",
        "duty_description": (
            "审查安全工作方案等申办材料，会同消防、住建等部门实地踏勘活动场所，自受理之日起7日内作出许可或者"
            "不予许可的决定；不予许可的书面说明理由。预计人数恰为5000人的，默认由设区的市公安机关审查。"
        ),
        "party_kind": "department",
        "department_kind": "public_security",
        "department_level": "city",
        "basis": "approver",
        "deadline_days": 7,
        "deadline_unit": "calendar",
        "source": "《大型群众性活动安全管理条例》第十二条、第十四条",
    },
    {
        "name": "群众自发性聚集活动属地管控（较大及以上风险）",
        "subject_type": "gathering",
        "event": "saved",
        "conditions": {"risk_level__gte": "orange"},
        "duty_name": "群众自发性聚集活动属地管控",
        "duty_description": (
            "乡镇（街道）落实场所安全管理责任单位和责任人，会同公安等部门加强现场巡查和人员疏导，"
            "第一时间发现和处置人员聚集安全风险。"
        ),
        "party_kind": "territorial",
        "basis": "territorial",
        "deadline_days": 1,
        "deadline_unit": "calendar",
        "source": f"{NOTICE}三（四）",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in RULES:
        values = dict(spec)
        name = values.pop("name")
        Rule.objects.get_or_create(name=name, defaults=values)


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(name__in=[spec["name"] for spec in RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("duties", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
