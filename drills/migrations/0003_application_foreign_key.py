"""The event plan's permit application becomes a foreign key now that the permits app has its models.

The scope check constraint names the column too: it is removed before the column is dropped (PostgreSQL would drop
it silently with the column) and added again after the new column exists."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('drills', '0002_seed_rules'),
        ('permits', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='emergencyplan',
            name='drills_plan_scope_complete',
        ),
        migrations.RemoveConstraint(
            model_name='emergencyplan',
            name='drills_plan_one_active_per_application',
        ),
        migrations.RemoveIndex(
            model_name='emergencyplan',
            name='drills_plan_application_idx',
        ),
        migrations.RemoveField(
            model_name='emergencyplan',
            name='application_id',
        ),
        migrations.AddField(
            model_name='emergencyplan',
            name='application',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='emergency_plans', to='permits.permitapplication', verbose_name='permit application'),
        ),
        migrations.AddConstraint(
            model_name='emergencyplan',
            constraint=models.UniqueConstraint(condition=models.Q(('application_id__isnull', False), ('is_active', True)), fields=('application',), name='drills_plan_one_active_per_application'),
        ),
        migrations.AddConstraint(
            model_name='emergencyplan',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('scope_kind', 'venue'), ('venue__isnull', False)), models.Q(('application_id__isnull', False), ('scope_kind', 'event')), models.Q(('scope_kind', 'gathering_kind'), models.Q(('gathering_kind', ''), _negated=True)), ('scope_kind', 'jurisdiction'), _connector='OR'), name='drills_plan_scope_complete'),
        ),
    ]
