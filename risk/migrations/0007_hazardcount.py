"""The hazard list's counters (issue 19, ``risk.counts``): the table, its statement triggers on ``risk_hazard`` and
a first count of the hazards already there.

As the task counters (``duties 0010``, the design in ``crowdsafe.common.counters``): statement-level triggers with
transition tables, one ``INSERT … SELECT … GROUP BY`` of signed deltas per statement that writes hazards, whatever
the number of rows, and none of the counter rows is ever updated, so concurrent writers do not wait on each other.
The key expression is ``risk.counts.KEYS_SQL`` (kept equal to it by tests/risk/test_hazard_counts.py). The table is
locked by the trigger creation for the rest of the migration, so the first count is of one state."""

from django.db import migrations, models

from crowdsafe.common.migration_operations import PostgreSQLOnly

KEYS = """
    SELECT coalesce(substring(h.jurisdiction_path from '^(?:[^/]*/){1,3}'), h.jurisdiction_path) AS area,
           k.kind,
           CASE k.kind WHEN 't' THEN h.level ELSE '' END AS level,
           CASE k.kind WHEN 't' THEN h.state ELSE '' END AS state,
           CASE k.kind WHEN 'o' THEN h.rectification_deadline ELSE DATE '0001-01-01' END AS day,
           h.s AS n
    FROM (%s) AS h
    CROSS JOIN (VALUES ('t'), ('o')) AS k (kind)
    WHERE h.state IN ('awaiting_confirmation', 'awaiting_verification', 'open', 'rectifying')
"""

DELTAS = """
    INSERT INTO risk_hazardcount (area, kind, level, state, day, n)
    SELECT area, kind, level, state, day, sum(n)
    FROM (%s) AS x
    GROUP BY area, kind, level, state, day
    HAVING sum(n) <> 0;
"""

FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION risk_hazardcount_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {DELTAS % (KEYS % "SELECT 1 AS s, r.* FROM risk_new AS r")}
    ELSIF TG_OP = 'UPDATE' THEN
        {DELTAS % (KEYS % "SELECT 1 AS s, r.* FROM risk_new AS r UNION ALL SELECT -1, r.* FROM risk_old AS r")}
    ELSE
        {DELTAS % (KEYS % "SELECT -1 AS s, r.* FROM risk_old AS r")}
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE OR REPLACE FUNCTION risk_hazardcount_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM risk_hazardcount;
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER risk_hazardcount_insert AFTER INSERT ON risk_hazard REFERENCING NEW TABLE AS risk_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION risk_hazardcount_change()",
    "CREATE TRIGGER risk_hazardcount_update AFTER UPDATE ON risk_hazard"
    " REFERENCING OLD TABLE AS risk_old NEW TABLE AS risk_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION risk_hazardcount_change()",
    "CREATE TRIGGER risk_hazardcount_delete AFTER DELETE ON risk_hazard REFERENCING OLD TABLE AS risk_old"
    " FOR EACH STATEMENT EXECUTE FUNCTION risk_hazardcount_change()",
    "CREATE TRIGGER risk_hazardcount_truncate AFTER TRUNCATE ON risk_hazard"
    " FOR EACH STATEMENT EXECUTE FUNCTION risk_hazardcount_truncate()",
]

# The first count, folded as of the database's current date (UTC: never after the city's local date, so the fold
# is valid for every later local today).
FIRST_COUNT = f"""
INSERT INTO risk_hazardcount (area, kind, level, state, day, n)
SELECT area, kind, level, state,
       CASE WHEN kind = 'o' AND day < current_date THEN DATE '0001-01-01' ELSE day END,
       sum(n)
FROM ({KEYS % "SELECT 1 AS s, hazard.* FROM risk_hazard AS hazard"}) AS x
GROUP BY 1, 2, 3, 4, 5
HAVING sum(n) <> 0
"""

REVERSE = [
    "DROP TRIGGER IF EXISTS risk_hazardcount_insert ON risk_hazard",
    "DROP TRIGGER IF EXISTS risk_hazardcount_update ON risk_hazard",
    "DROP TRIGGER IF EXISTS risk_hazardcount_delete ON risk_hazard",
    "DROP TRIGGER IF EXISTS risk_hazardcount_truncate ON risk_hazard",
    "DROP FUNCTION IF EXISTS risk_hazardcount_change()",
    "DROP FUNCTION IF EXISTS risk_hazardcount_truncate()",
]


class Migration(migrations.Migration):

    dependencies = [
        ("risk", "0006_hazard_open_counts_covering"),
    ]

    operations = [
        migrations.CreateModel(
            name="HazardCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("area", models.CharField(max_length=255)),
                ("kind", models.CharField(max_length=1)),
                ("level", models.CharField(blank=True, max_length=10)),
                ("state", models.CharField(blank=True, max_length=24)),
                ("day", models.DateField()),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["kind", "day", "area"],
                        include=("level", "state", "n"),
                        name="risk_hazardcount_read_idx",
                        opclasses=["varchar_ops", "date_ops", "varchar_pattern_ops"],
                    )
                ],
            },
        ),
        PostgreSQLOnly(sql=[*FUNCTIONS, FIRST_COUNT], reverse_sql=REVERSE),
    ]
