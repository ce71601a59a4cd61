# Issue 19: the leaders' risk map clusters the gatherings not over (~100,000 at a million) by cell from the partial
# index of risk now alone: it now includes their position and venue too (dashboard.selectors.map). The index is
# dropped and made again CONCURRENTLY under the same name (the register is written all day; risk now reads the
# whole city's gatherings without it for the few seconds of the build at a million).

from django.db import migrations, models

from crowdsafe.common.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0006_gathering_open_end"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="gathering",
            name="events_gathering_open_path",
        ),
        AddIndexConcurrently(
            model_name="gathering",
            index=models.Index(
                condition=models.Q(("status__in", ["cancelled", "dismissed", "ended", "merged"]), _negated=True),
                fields=["jurisdiction_path"],
                include=("risk_level", "reported_by", "id", "latitude", "longitude", "venue"),
                name="events_gathering_open_path",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
    ]
