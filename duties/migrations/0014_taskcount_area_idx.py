# Issue 19: the task queue's counts for a township or district read its counter rows by the area's prefix within a
# kind (index-only), not every counter row of the kind in the city (4,760 + 6,902 read for 272 kept at a million
# tasks). Built CONCURRENTLY: the counters are written in the transaction of every task write.

from django.db import migrations, models

from crowdsafe.common.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("duties", "0013_task_township_open_idx"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="taskcount",
            index=models.Index(
                fields=["kind", "area", "day"],
                include=("department_id", "township_id", "org_held", "n"),
                name="duties_taskcount_area_idx",
                opclasses=["varchar_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ),
    ]
