"""The overview's counters (issue 19, ``duties.counts``): the table, its statement triggers on ``duties_task`` and a
first count of the tasks already there; and the index of done tasks by ``completed_at`` the overview reads the
first day of its 30-day window from.

The triggers are statement-level with transition tables: one ``INSERT … SELECT … GROUP BY`` of signed deltas per
statement that writes tasks, whatever the number of rows (a 250,000-row seed, a 2,000-row import step, one
completion), and none of the counter rows is ever updated, so concurrent writers do not wait on each other. The key
expression is ``duties.counts.KEYS_SQL`` (kept equal to it by tests/duties/test_task_counts.py). The table is
locked by the trigger creation for the rest of the migration, so the first count is of one state."""

from django.db import migrations, models

from crowdsafe.common.migration_operations import PostgreSQLOnly

KEYS = """
    SELECT coalesce(substring(t.jurisdiction_path from '^(?:[^/]*/){1,3}'), t.jurisdiction_path) AS area,
           coalesce(t.responsible_department_id, 0) AS department_id,
           coalesce(t.responsible_jurisdiction_id, 0) AS township_id,
           t.responsible_organisation_id IS NOT NULL AS org_held,
           k.kind,
           CASE k.kind WHEN 'o' THEN t.due_date
                       WHEN 'd' THEN (t.completed_at AT TIME ZONE 'UTC')::date
                       ELSE DATE '0001-01-01' END AS day,
           t.s AS n
    FROM (%s) AS t
    JOIN (VALUES ('t'), ('o'), ('D'), ('d')) AS k (kind)
      ON CASE WHEN k.kind IN ('t', 'o') THEN t.status IN ('open', 'in_progress', 'overdue') ELSE t.status = 'done' END
"""

DELTAS = """
    INSERT INTO duties_taskcount (area, department_id, township_id, org_held, kind, day, n)
    SELECT area, department_id, township_id, org_held, kind, day, sum(n)
    FROM (%s) AS x
    GROUP BY area, department_id, township_id, org_held, kind, day
    HAVING sum(n) <> 0;
"""

FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION duties_taskcount_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {DELTAS % (KEYS % "SELECT 1 AS s, r.* FROM duties_new AS r")}
    ELSIF TG_OP = 'UPDATE' THEN
        {DELTAS % (KEYS % "SELECT 1 AS s, r.* FROM duties_new AS r UNION ALL SELECT -1, r.* FROM duties_old AS r")}
    ELSE
        {DELTAS % (KEYS % "SELECT -1 AS s, r.* FROM duties_old AS r")}
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION duties_taskcount_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM duties_taskcount;
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER duties_taskcount_insert AFTER INSERT ON duties_task REFERENCING NEW TABLE AS duties_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION duties_taskcount_change()",
    "CREATE TRIGGER duties_taskcount_update AFTER UPDATE ON duties_task"
    " REFERENCING OLD TABLE AS duties_old NEW TABLE AS duties_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION duties_taskcount_change()",
    "CREATE TRIGGER duties_taskcount_delete AFTER DELETE ON duties_task REFERENCING OLD TABLE AS duties_old"
    " FOR EACH STATEMENT EXECUTE FUNCTION duties_taskcount_change()",
    "CREATE TRIGGER duties_taskcount_truncate AFTER TRUNCATE ON duties_task"
    " FOR EACH STATEMENT EXECUTE FUNCTION duties_taskcount_truncate()",
]

# The first count, folded as of the database's current date (UTC: never after the city's local date, so the fold
# is valid for every later local today).
FIRST_COUNT = f"""
INSERT INTO duties_taskcount (area, department_id, township_id, org_held, kind, day, n)
SELECT area, department_id, township_id, org_held, kind,
       CASE WHEN kind = 'o' AND day < current_date THEN DATE '0001-01-01'
            WHEN kind = 'd' AND day < current_date - 31 THEN DATE '0001-01-01'
            ELSE day END,
       sum(n)
FROM ({KEYS % "SELECT 1 AS s, task.* FROM duties_task AS task"}) AS x
GROUP BY 1, 2, 3, 4, 5, 6
HAVING sum(n) <> 0
"""

REVERSE = [
    "DROP TRIGGER IF EXISTS duties_taskcount_insert ON duties_task",
    "DROP TRIGGER IF EXISTS duties_taskcount_update ON duties_task",
    "DROP TRIGGER IF EXISTS duties_taskcount_delete ON duties_task",
    "DROP TRIGGER IF EXISTS duties_taskcount_truncate ON duties_task",
    "DROP FUNCTION IF EXISTS duties_taskcount_change()",
    "DROP FUNCTION IF EXISTS duties_taskcount_truncate()",
]


class Migration(migrations.Migration):

    dependencies = [
        ("duties", "0009_subject_kind_monitoring_alert"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("area", models.CharField(max_length=255)),
                ("department_id", models.BigIntegerField(default=0)),
                ("township_id", models.BigIntegerField(default=0)),
                ("org_held", models.BooleanField(default=False)),
                ("kind", models.CharField(max_length=1)),
                ("day", models.DateField()),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["kind", "day"], name="duties_taskcount_kind_day_idx")],
            },
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("status", "done")),
                fields=["completed_at"],
                include=(
                    "jurisdiction_path",
                    "responsible_department",
                    "responsible_jurisdiction",
                    "responsible_organisation",
                ),
                name="duties_task_done_at_idx",
            ),
        ),
        PostgreSQLOnly(sql=[*FUNCTIONS, FIRST_COUNT], reverse_sql=REVERSE),
    ]
