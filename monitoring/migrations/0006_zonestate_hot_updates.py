"""Zone states are rewritten on every batch (issue 15 point 8: 5,000 sensors a second): no index on the level's
source, and pages kept 40 % full on PostgreSQL, so that a state's new version fits on its page (a HOT update: no
index entry, and the dead version is pruned on the page without waiting for a vacuum)."""

import django.db.models.deletion
from django.db import migrations, models


def fillfactor(value):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE monitoring_zonestate SET (fillfactor = {int(value)})")

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0005_zone_level_operator_parties"),
    ]

    operations = [
        migrations.AlterField(
            model_name="zonestate",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="monitoring.source",
                verbose_name="level from source",
            ),
        ),
        migrations.RunPython(fillfactor(40), fillfactor(100)),
    ]
