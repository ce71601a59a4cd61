"""Seed the drill rules (DESIGN.md section 6, Drills) with stable keys:

- ``drills.venue_drill``: crowded-venue operators drill at least every six months (《生产安全事故应急条例》第八条第二款:
  宾馆、商场、娱乐场所、旅游景区等人员密集场所经营单位，应当至少每半年组织1次生产安全事故应急救援预案演练);
- ``drills.on_site_plan_drill``: every on-site disposal plan at least every six months (安委办〔2023〕1号, the city
  notice 五（十）; 《生产安全事故应急预案管理办法》第三十三条);
- ``drills.pre_event_drill``: a major event's emergency plan at least once before the event (安委办〔2023〕1号; the
  city notice 五（十）): on an approved permit application, due the eve of the first session; shown on the permit
  and tracked, it blocks nothing;
- ``drills.government_drill``: governments, townships and streets at least every two years (《生产安全事故应急条例》
  第八条第一款);
- ``drills.after_action_item``: each problem a drill found is a task of its holder, by its due date (the city
  notice 五（十）: 根据演练中发现的问题，对应急预案进行定期评估和修订).

Rules are data: the city administrator adjusts them in the admin. ``seed`` only adds a rule whose key is not there
yet, so it never overwrites an administrator's edit, and it is idempotent (the test fixtures call it again).
"""

from django.db import migrations

NOTICE = "梅河口市安委办《关于进一步加强公共场所人员聚集安全管理的通知》"
REGULATION = "《生产安全事故应急条例》"
# Crowded places whose operators run a business there (宾馆、商场、娱乐场所、旅游景区等): the public gathering places
# of the fire-inspection rule (duties 0002) plus scenic areas, schools and elderly-care institutions. Squares,
# parks, internet-famous spots and religious sites are open spaces without one operating business: their plans
# are the territory's (spontaneous gatherings) and drilled under the government rule.
CROWDED_VENUE_KINDS = [
    "commercial",
    "stadium",
    "theatre",
    "exhibition",
    "entertainment",
    "station",
    "hospital",
    "scenic_area",
    "school",
    "elderly_care",
]

RULES = [
    {
        "key": "drills.venue_drill",
        "name": "人员密集场所经营单位应急预案演练（每半年至少一次）",
        "subject_type": "venue",
        "event": "saved",
        "conditions": {"kind__in": CROWDED_VENUE_KINDS},
        "duty_name": "组织生产安全事故应急救援预案演练",
        "duty_description": (
            "宾馆、商场、娱乐场所、旅游景区等人员密集场所经营单位应当至少每半年组织1次生产安全事故应急救援预案演练，"
            "并将演练情况报送所在地县级以上地方人民政府负有安全生产监督管理职责的部门。在“应急预案与演练”中记录"
            "演练即完成本任务，下一次演练自本次演练之日起六个月内到期。新纳管场所请在30日内记录最近一次演练或组织演练。"
        ),
        "party_kind": "venue_operator",
        "basis": "venue_operator",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 6,
        "source": f"{REGULATION}第八条第二款",
    },
    {
        "key": "drills.on_site_plan_drill",
        "name": "现场处置方案演练（每半年至少一次）",
        "subject_type": "emergency_plan",
        "event": "saved",
        "conditions": {"kind": "on_site"},
        "duty_name": "组织现场处置方案演练",
        "duty_description": (
            "每半年至少组织1次现场处置方案演练，根据演练中发现的问题对应急预案进行评估和修订。"
            "记录演练即完成本任务，下一次演练自本次演练之日起六个月内到期。"
        ),
        "party_kind": "assigned",
        "basis": "organizer",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 6,
        "source": f"{NOTICE}五（十）；《生产安全事故应急预案管理办法》第三十三条",
    },
    {
        "key": "drills.pre_event_drill",
        "name": "重大活动应急预案活动前检验性演练",
        "subject_type": "permit_application",
        "event": "state_changed",
        "conditions": {"state": "approved"},
        "duty_name": "活动举办前对应急预案至少进行1次检验性演练",
        "duty_description": (
            "重大活动应急预案在活动举办前至少进行1次检验性演练，期限为首场活动前一日。"
            "记录该活动应急预案的演练即完成本任务；本任务在许可审查中显示并跟踪，不阻止许可。"
        ),
        "party_kind": "organizer",
        "basis": "organizer",
        "deadline_days": 0,
        "deadline_unit": "calendar",
        "deadline_from": "attribute",
        "deadline_attribute": "eve_of_first_session",
        "source": f"安委办〔2023〕1号；{NOTICE}五（十）",
    },
    {
        "key": "drills.government_drill",
        "name": "地方人民政府及乡镇（街道）应急预案演练（每两年至少一次）",
        "subject_type": "jurisdiction",
        "event": "saved",
        "conditions": {"level__in": ["city", "district", "township"]},
        "duty_name": "组织生产安全事故应急救援预案演练",
        "duty_description": (
            "县级以上地方人民政府以及县级以上人民政府负有安全生产监督管理职责的部门，乡、镇人民政府以及街道办事处"
            "等地方人民政府派出机关，应当至少每2年组织1次生产安全事故应急救援预案演练。由本级应急管理部门"
            "（乡镇、街道由其人民政府、办事处）组织；记录本级预案的演练即完成本任务。"
        ),
        "party_kind": "assigned",
        "basis": "territorial",
        "deadline_days": 30,
        "deadline_unit": "calendar",
        "recurrence_months": 24,
        "source": f"{REGULATION}第八条第一款",
    },
    {
        "key": "drills.after_action_item",
        "name": "演练发现问题整改",
        "subject_type": "after_action_item",
        "event": "created",
        "conditions": {},
        "duty_name": "整改演练中发现的问题",
        "duty_description": (
            "根据演练中发现的问题落实整改，需要修订应急预案的，上传修订后的预案新版本后方可关闭（演练—评估—修订）。"
        ),
        "party_kind": "assigned",
        "basis": "organizer",
        "deadline_days": 0,
        "deadline_unit": "calendar",
        "deadline_from": "attribute",
        "deadline_attribute": "due_date",
        "source": f"{NOTICE}五（十）",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    for spec in RULES:
        values = dict(spec)
        key = values.pop("key")
        if Rule.objects.filter(key=key).exists():
            continue
        # A rule of the same name added by hand (without a key) gets the key rather than a duplicate.
        if Rule.objects.filter(name=values["name"], key__isnull=True).update(key=key):
            continue
        Rule.objects.create(key=key, **values)


def unseed(apps, schema_editor):
    Rule = apps.get_model("duties", "ResponsibilityRule")
    Rule.objects.filter(key__in=[spec["key"] for spec in RULES], tasks__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("drills", "0001_initial"),
        ("duties", "0004_seed_rule_keys"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
