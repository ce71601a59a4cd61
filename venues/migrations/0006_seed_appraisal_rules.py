"""Issue 21 point 4: a building past its design service life with no safety appraisal since (the venue's "safety
appraisal required" badge) gets a task for its owner (谁的场地谁负责) and one for the housing department (住建),
as rules the city administrator may adjust. The 90 days are the city's own figure.

Basis: 梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》（六）超过合理使用年限后需要继续使用的房屋，
房屋所有权人（或使用人）应按规定进行安全鉴定（住建等相关部门负责落实）; GB 50068 建筑结构可靠性设计统一标准.

``seed`` is idempotent (tests call it again after transactional tests empty the tables).
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
SOURCE = f"{NOTICE}（六）；GB 50068《建筑结构可靠性设计统一标准》；期限90日为本市规定"

RULES = [
    {
        "key": "venues.appraisal_owner",
        "name": "超过设计使用年限房屋安全鉴定（所有权人）",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"safety_appraisal_required": True},
        "duty_name": "委托房屋安全鉴定（已达设计使用年限）",
        "duty_description": (
            "场所建筑已达到设计使用年限且之后未做安全鉴定：房屋所有权人（或使用人）应委托有资质的机构进行房屋安全鉴定，"
            "鉴定前加强建筑变形等情况的巡查监测，并将鉴定报告上传到场所档案。"
        ),
        "party_kind": "venue_operator",
        "department_kind": "",
        "department_level": "",
        "basis": "venue_operator",
        "deadline_days": 90,
        "deadline_unit": "calendar",
        "deadline_from": "event",
        "deadline_attribute": "",
        "source": SOURCE,
    },
    {
        "key": "venues.appraisal_housing",
        "name": "超过设计使用年限房屋安全鉴定监管（住建）",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"safety_appraisal_required": True},
        "duty_name": "督促超过设计使用年限的人员密集场所房屋开展安全鉴定",
        "duty_description": (
            "场所建筑已达到设计使用年限且之后未做安全鉴定：督促房屋所有权人（或使用人）开展安全鉴定，"
            "在大型活动和人员聚集期间加强对建筑物变形等情况的巡查和监测预判。"
        ),
        "party_kind": "department",
        "department_kind": "housing",
        "department_level": "",
        "basis": "industry",
        "deadline_days": 90,
        "deadline_unit": "calendar",
        "deadline_from": "event",
        "deadline_attribute": "",
        "source": SOURCE,
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists() or Rule.objects.filter(name=values["name"]).exists():
            continue
        Rule.objects.create(key=key, **values)


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0005_venue_documents"),
        ("duties", "0009_subject_kind_monitoring_alert"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
