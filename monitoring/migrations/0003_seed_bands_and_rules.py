"""Seed the level bands (data per zone kind, with their sources) and the alert rules of monitoring.

Bands (issue 15 point 2 starting points; administrators edit them in the admin, every change logged):
- density, moving crowds: yellow 1.5 / orange 2.2 / red 3.5 p/m²; standing: 2.5 / 3.5 / 4.7; steps, ramps, bridges
  and narrow passages one band stricter (the standing figures shifted down one step: 1.5 / 2.2 / 3.5, and never
  laxer than moving).
- share of the safe or declared capacity: 60% / 80% / 100%; share of an event's approved capacity: orange 90%,
  red 100% (Order 505 Art. 7/18: admissions stop at the approved number).

Only what is missing is added, so an administrator's edit is never overwritten; ``seed`` is idempotent.
"""

from django.db import migrations

FRUIN = (
    "J. J. Fruin, Pedestrian Planning and Design (1971): levels of service A–F for walkways and for queuing/standing "
    "areas; walkway flow becomes severely restricted from about 2 p/m² (LoS E) and standing LoS F is commonly cited "
    "at about 5 p/m² and above"
)
STILL = (
    "G. K. Still, Introduction to Crowd Science (CRC Press, 2014), as commonly cited: about 4 p/m² critical for a "
    "moving crowd, 5 p/m² and above dangerous for a standing crowd"
)
GREEN_GUIDE = (
    "UK Guide to Safety at Sports Grounds (the Green Guide): standing (terrace) capacity at most 47 persons per 10 m² "
    "(4.7 p/m²) in good condition, the figure the Taylor Inquiry final report (1990) recommended in place of 54"
)
SCENIC = (
    "《旅游法》第四十五条（景区接待旅游者不得超过核定的最大承载量）；LB/T 034-2014《景区最大承载量核定导则》"
    "（国家旅游局）：景区核定并公布最大承载量；游客数量达到最大承载量的80%时启动预警、采取限流等措施——按通常引用的做法"
)
ORDER_505 = "《大型群众性活动安全管理条例》第七条、第十八条：按核准的活动场所容纳人员数量、划定的区域发放或者出售门票；达到核准数量时停止入场"

BANDS = [
    {"measure": "density", "zone_kind": "moving", "yellow": "1.5", "orange": "2.2", "red": "3.5",
     "source": f"{FRUIN}；{STILL}。默认值设在危险值之前预警（issue 15）。"},
    {"measure": "density", "zone_kind": "standing", "yellow": "2.5", "orange": "3.5", "red": "4.7",
     "source": f"{GREEN_GUIDE}；{STILL}；{FRUIN}。"},
    {"measure": "density", "zone_kind": "steps", "yellow": "1.5", "orange": "2.2", "red": "3.5",
     "source": (
         "台阶、坡道、桥梁、狭窄通道较站立人群严一档（issue 15）；" + STILL
         + "；UK Green Guide, as commonly cited: lower flow rates on stairways than on the level."
     )},
    {"measure": "utilisation", "zone_kind": "", "yellow": "0.60", "orange": "0.80", "red": "1.00",
     "source": SCENIC + "；安全容量取场所容量计算（面积与出口宽度两者取小，HSG195/Green Guide 做法）或声明的最大承载量。"},
    {"measure": "approved", "zone_kind": "", "yellow": "0.75", "orange": "0.90", "red": "1.00",
     "source": ORDER_505 + "；橙色90%提前控制入场（issue 15）。"},
]

ALERT_RULES = [
    {
        "key": "monitoring.zone_level",
        "name": "监测区域人流密度达到橙色、红色",
        "reason": (
            "监测区域人流密度或人数占容量比例达到橙色及以上：属地乡镇（街道）、公安值班台立即知悉，启动分流限流；"
            "达到红色时同时报告属地领导和应急管理部门。"
        ),
        "source": "安阳市公安局关于政协第355号提案的答复（大客流实时监测预警、第一时间启动预案）；安委办关于人流密度监测预警的要求",
        "parties": [("township", "orange"), ("police_on_duty", "orange"), ("territory_leader", "red"), ("emergency", "red")],
    },
    {
        "key": "monitoring.early_warning",
        "name": "监测区域预计将达红色（趋势预警）",
        "reason": "按近期人数增长趋势，监测区域预计在预警时限内达到红色：属地乡镇（街道）、公安值班台提前采取远端控制、分流限流措施。",
        "source": "安委办关于人流密度监测预警的要求（研判人流密度、分布、流量和趋势，及时分流、限流、疏散）",
        "parties": [("township", "orange"), ("police_on_duty", "orange")],
    },
    {
        "key": "monitoring.silent",
        "name": "监测中断（数据源超时未报）",
        "reason": "监测数据源超过上报周期三倍未报数：无数据不等于无人，属地乡镇（街道）、公安值班台须派人现场核实人数。",
        "source": "平台运行要求：监测中断不得视为区域无人",
        "parties": [("township", "orange"), ("police_on_duty", "orange")],
    },
]


def seed(apps, schema_editor):
    Band = apps.get_model("monitoring", "Band")
    for spec in BANDS:
        values = dict(spec)
        Band.objects.get_or_create(measure=values.pop("measure"), zone_kind=values.pop("zone_kind"), defaults=values)
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRuleParty = apps.get_model("alerts", "AlertRuleParty")
    for spec in ALERT_RULES:
        values = dict(spec)
        parties = values.pop("parties")
        if AlertRule.objects.filter(key=values["key"]).exists():
            continue
        rule = AlertRule.objects.create(trigger="other", **values)
        for party, level in parties:
            AlertRuleParty.objects.create(rule=rule, party=party, min_level=level)


def unseed(apps, schema_editor):
    apps.get_model("alerts", "AlertRule").objects.filter(
        key__in=[r["key"] for r in ALERT_RULES], alerts__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_readings_table"), ("alerts", "0002_seed_rules")]

    operations = [migrations.RunPython(seed, unseed)]
