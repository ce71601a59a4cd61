# Issue 19: the outstanding tasks a township holds itself, by due date (the "assigned to me" part of a township
# officer's queue and home panel): an ordered, limited read like a department's, instead of every task the township
# ever held through the foreign key's index (2,778 rows read for 70 kept at a million tasks). Built CONCURRENTLY.

from django.db import migrations, models

from crowdsafe.common.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("duties", "0012_task_dept_done_idx"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="task",
            index=models.Index(
                condition=models.Q(("status__in", ["open", "in_progress", "overdue"])),
                fields=["responsible_jurisdiction", "due_date", "id"],
                name="duties_task_township_open_idx",
            ),
        ),
    ]
