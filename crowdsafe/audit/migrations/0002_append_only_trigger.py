"""Make the action log append-only in the database itself: UPDATE and DELETE on it are refused."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION audit_actionlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_actionlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_actionlog_no_update BEFORE UPDATE OR DELETE ON audit_actionlog
    FOR EACH ROW EXECUTE FUNCTION audit_actionlog_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS audit_actionlog_no_update ON audit_actionlog;
DROP FUNCTION IF EXISTS audit_actionlog_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER audit_actionlog_no_update BEFORE UPDATE ON audit_actionlog "
    "BEGIN SELECT RAISE(ABORT, 'audit_actionlog is append-only'); END;",
    "CREATE TRIGGER audit_actionlog_no_delete BEFORE DELETE ON audit_actionlog "
    "BEGIN SELECT RAISE(ABORT, 'audit_actionlog is append-only'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_actionlog_no_update;",
    "DROP TRIGGER IF EXISTS audit_actionlog_no_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
