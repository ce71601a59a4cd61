"""An index on the duties app's task table for the leaders' dashboard (issue 17 point 8): the tasks done in a period,
read by completion time across a whole city (the matrix's "done" and "on time" figures, the briefing). The duties
app's own index on done tasks is by place first (jurisdiction_path, completed_at), which for a city reads every
done task of the city; bench/bench_dashboard.py at a million tasks: see bench/README.md. Made CONCURRENTLY (no lock
on writes), so the migration is not atomic; IF NOT EXISTS makes it safe to run again."""

from django.db import migrations

from crowdsafe.common.migration_operations import PostgreSQLOnly


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dashboard", "0002_weekly_briefing"),
        ("duties", "0001_initial"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS dashboard_task_done_at_idx ON duties_task (completed_at) "
                "INCLUDE (jurisdiction_path, due_date, responsible_department_id, responsible_jurisdiction_id, "
                "responsible_organisation_id) WHERE status = 'done'"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS dashboard_task_done_at_idx",
        ),
    ]
