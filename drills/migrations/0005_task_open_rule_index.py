"""An index on the duties app's task table for drill compliance (issue 17 point 8): the outstanding tasks of the
drill-due rules, by rule and due date. ``drills.selectors.drill_tasks`` reads the drill rules' ids first and filters
the tasks by rule; without this index a city's overdue drills were found by walking every overdue task of the city
(the duties app's index on open tasks by due date) and joining each to its rule, or every drill task ever made (the
rule's foreign-key index, done ones included). bench/bench_dashboard.py at a million tasks: see bench/README.md.
Made CONCURRENTLY (no lock on writes), so the migration is not atomic; IF NOT EXISTS makes it safe to run again.
The statuses are duties.choices.OUTSTANDING_VALUES."""

from django.db import migrations

from crowdsafe.common.migration_operations import PostgreSQLOnly


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("drills", "0004_item_from_incident"),
        ("duties", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS drills_task_open_rule_idx "
                "ON duties_task (rule_id, due_date, id) "
                "WHERE status IN ('open', 'in_progress', 'overdue')"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS drills_task_open_rule_idx",
        ),
    ]
