"""Issue 21 reference data, as data the city administrator may adjust:

- ``permits.structure_acceptance``: the housing department (住建) accepts the temporary structures listed on an
  approved application before the event (梅河口市安委办通知（九）: 按规范设计、搭建临时设施并组织验收), due the eve
  of the first session; it fires on ``has_temporary_structures`` and closes when the last structure is accepted.
- The resource ratio table (``ResourceRatio``). Order 505 Art. 6 (2) and (6) make the security plan state the
  number of security staff and the screening at entry, and the police bureau's reply (安阳市公安局第355号提案答复)
  asks for 安检门、X光机 and enough 保安人员、志愿者 — but no national figure exists, so every row is the city's
  own rule (``city_rule``), editable in the admin.

``seed`` is idempotent (tests call it again after transactional tests empty the tables).
"""

from django.db import migrations

ORDER_505 = "《大型群众性活动安全管理条例》"
NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
REPLY = "安阳市公安局《关于对政协十四届安阳市委员会一次会议第355号提案的答复》"

RULE = {
    "key": "permits.structure_acceptance",
    "name": "大型群众性活动临时搭建设施验收",
    "subject_type": "permit_application",
    "event": "state_changed",
    "conditions": {"state": "approved", "has_temporary_structures": True},
    "duty_name": "大型群众性活动临时搭建设施验收（舞台、看台、屏幕等）",
    "duty_description": (
        "在活动举办前对申请中列明的临时搭建设施（舞台、看台、大屏、灯光音响架等）逐项组织验收，保障临时设施结构安全；"
        "未验收的设施不得投入使用，活动不能确认就绪。"
    ),
    "party_kind": "department",
    "department_kind": "housing",
    "department_level": "",
    "basis": "industry",
    "deadline_days": 0,
    "deadline_unit": "working",
    "deadline_from": "attribute",
    "deadline_attribute": "eve_of_first_session",
    "source": f"{NOTICE}（九）；{ORDER_505}第十四条",
}

CITY = "配备数量为本市规定（国家无统一比例，可在管理后台调整）"
STAFF_BASIS = f"{ORDER_505}第六条第（二）项；{REPLY}三；{CITY}"
CHECK_BASIS = f"{ORDER_505}第六条第（六）项；{REPLY}三；{CITY}"
MEDICAL_BASIS = f"{ORDER_505}第六条第（九）项；{CITY}"

# (resource, event kind or "", per people, at least, basis)
RATIOS = [
    ("security_staff", "", 100, 10, STAFF_BASIS),
    ("security_staff", "performance", 50, 20, STAFF_BASIS),
    ("security_staff", "sports", 80, 20, STAFF_BASIS),
    ("volunteers", "", 200, 5, STAFF_BASIS),
    ("security_gates", "", 1000, 2, CHECK_BASIS),
    ("xray_machines", "", 5000, 1, CHECK_BASIS),
    ("medical_staff", "", 1000, 2, MEDICAL_BASIS),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    values = dict(RULE)
    key = values.pop("key")
    if not Rule.objects.filter(key=key).exists() and not Rule.objects.filter(name=values["name"]).exists():
        Rule.objects.create(key=key, **values)
    Ratio = apps.get_model("permits", "ResourceRatio")
    for resource, event_kind, per_people, minimum, basis in RATIOS:
        Ratio.objects.get_or_create(
            resource=resource,
            event_kind=event_kind,
            min_attendance=0,
            defaults={"per_people": per_people, "minimum": minimum, "basis": basis, "city_rule": True},
        )


def unseed(apps, schema_editor):
    apps.get_model("duties", "ResponsibilityRule").objects.filter(key=RULE["key"], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0005_structures_resources_reviews"),
        ("duties", "0009_subject_kind_monitoring_alert"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
