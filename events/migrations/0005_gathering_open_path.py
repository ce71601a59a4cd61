# Issue 17 point 8: risk now of the leaders' dashboard counts the gatherings not over by place and level from this
# partial index alone (an index-only scan of the few per cent not over; it read the whole register at a million
# gatherings, bench/bench_dashboard.py). Made CONCURRENTLY: the register is written all day.

from django.db import migrations, models

from crowdsafe.common.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0004_gathering_open_start"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="gathering",
            index=models.Index(
                condition=models.Q(("status__in", ["cancelled", "dismissed", "ended", "merged"]), _negated=True),
                fields=["jurisdiction_path"],
                include=("risk_level", "reported_by", "id"),
                name="events_gathering_open_path",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
