"""The venue operator and the organizer of a venue / event / gathering zone are alerted from orange (issue 15
point 1: "venue operator or organizer"), resolved through the alert episode's duties registration
(``monitoring.duties``, subject kind ``monitoring_alert``). Idempotent: a party already on the rule is kept as it is
(an administrator may have changed its level)."""

from django.db import migrations

RULE = "monitoring.zone_level"
PARTIES = [("venue_operator", "orange"), ("organizer", "orange")]
REASON_ADDED = "场所管理方、主办方（承办者）达到橙色即知悉，落实场内分流限流、暂停入场等措施。"


def seed(apps, schema_editor):
    AlertRule = apps.get_model("alerts", "AlertRule")
    AlertRuleParty = apps.get_model("alerts", "AlertRuleParty")
    rule = AlertRule.objects.filter(key=RULE).first()
    if rule is None:
        return
    for party, level in PARTIES:
        AlertRuleParty.objects.get_or_create(rule=rule, party=party, defaults={"min_level": level})
    if REASON_ADDED not in rule.reason:
        rule.reason = f"{rule.reason}{REASON_ADDED}"
        rule.save(update_fields=["reason"])


def unseed(apps, schema_editor):
    AlertRuleParty = apps.get_model("alerts", "AlertRuleParty")
    AlertRuleParty.objects.filter(rule__key=RULE, party__in=[p for p, _ in PARTIES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_exercise"),
        ("alerts", "0003_party_assigned_department"),
        ("duties", "0009_subject_kind_monitoring_alert"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
