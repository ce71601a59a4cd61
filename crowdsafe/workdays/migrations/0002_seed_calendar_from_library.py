"""Seed the working-day calendar from the holiday library, so that a fresh ``migrate`` can count working days.

Runs the same sync as ``calendar_sync_from_library`` (the ``sync_calendar`` command and the nightly task) on
the historical models. It writes no action-log entry: there is no actor and nothing before it, the rows say
where they came from (source=library, notice "chinese-calendar <version>"), and writing the log here would
tie this migration to whatever the audit app's schema becomes. Every later sync that changes something logs.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from crowdsafe.workdays.services import sync_library_years

    sync_library_years(
        day_model=apps.get_model("workdays", "CalendarDay"),
        year_model=apps.get_model("workdays", "CalendarYear"),
        years=None,
        log=None,
    )


def unseed(apps, schema_editor):
    apps.get_model("workdays", "CalendarDay").objects.filter(source="library").delete()
    apps.get_model("workdays", "CalendarYear").objects.filter(source="library").delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
