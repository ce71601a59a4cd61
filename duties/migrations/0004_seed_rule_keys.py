"""Give the seeded rules their stable keys (ResponsibilityRule.key), by their seeded names. A rule an administrator
renamed keeps no key and is left alone; the domain apps' own migrations seed their rules with keys from the start."""

from django.db import migrations

KEYS = {
    "公众聚集场所消防安全检查": "venues.fire_inspection",
    "旅游景区人员聚集活动安全管理": "venues.scenic_area_supervision",
    "网吧、KTV等娱乐场所人员聚集活动安全管理": "venues.entertainment_supervision",
    "演出场所演出活动安全管理": "venues.theatre_supervision",
    "公园人员聚集活动安全管理": "venues.park_supervision",
    "校园人员聚集活动安全管理和疏散应急演练": "venues.school_supervision",
    "医疗机构人员聚集场所安全监管": "venues.hospital_supervision",
    "客运站人员聚集场所安全监管": "venues.station_supervision",
    "养老、福利、救助机构人员聚集场所安全监管": "venues.elderly_care_supervision",
    "人员聚集场所特种设备安全监管": "venues.special_equipment_supervision",
    "人员聚集场所经营管理单位安全自查": "venues.operator_self_inspection",
    "辖区人员聚集场所摸排纳管": "venues.territorial_register",
    "大型群众性活动安全许可审查（1000至4999人，县级公安机关）": "permits.review_county",
    "大型群众性活动安全许可审查（5000人以上，设区的市公安机关）": "permits.review_city",
    "群众自发性聚集活动属地管控（较大及以上风险）": "events.territorial_control",
}


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for name, key in KEYS.items():
        Rule.objects.filter(name=name, key__isnull=True).update(key=key)


def unseed_keys(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=KEYS.values()).update(key=None)


class Migration(migrations.Migration):
    dependencies = [("duties", "0003_rule_key_and_subject_kinds")]

    operations = [migrations.RunPython(seed, unseed_keys)]
