# Issue 19 point 3: the list's map reads the open gatherings still under way by their end (a partial index of the open
# gatherings that have one), beside those with no end by their start (events_gathering_open_start). Made CONCURRENTLY:
# the register is written all day.

from django.db import migrations, models

from crowdsafe.common.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0005_gathering_open_path"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="gathering",
            index=models.Index(
                condition=models.Q(
                    ("ends_at__isnull", False),
                    ("status__in", ["expected", "monitoring", "postponed", "reported", "suspended", "verified"]),
                ),
                fields=["ends_at"],
                name="events_gathering_open_end",
            ),
        ),
    ]
