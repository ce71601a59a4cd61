"""The zone state's rewritten JSON columns stored as PostgreSQL ``json`` (issue 15 point 8: see RewrittenJSONField)."""

from django.db import migrations

import monitoring.models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0006_zonestate_hot_updates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="zonestate",
            name="forecast",
            field=monitoring.models.RewrittenJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="zonestate",
            name="latest",
            field=monitoring.models.RewrittenJSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="zonestate",
            name="recent",
            field=monitoring.models.RewrittenJSONField(blank=True, default=list),
        ),
        migrations.AlterField(
            model_name="zonestate",
            name="working",
            field=monitoring.models.RewrittenJSONField(blank=True, default=dict),
        ),
    ]
