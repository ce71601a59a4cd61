"""Seed one capacity setting per zone kind with the defaults of DESIGN.md section 6.

0.5 m² per person (HSG195: 2 persons per m² for standing crowds at outdoor events); ~82 persons per metre per
minute through level exits and ~66 down stairs, and 8 minutes allowed egress time (Green Guide, as used by
G. K. Still). DESIGN.md gives no other figures for the other zone kinds, so they start from the same values;
a city that follows a local standard (≥0.75 m² or ≥2 m² per person for unseated events) changes them in the
admin. The values are written out here, not imported from the app, so this migration never changes meaning.
"""

from decimal import Decimal

from django.db import migrations

SOURCE = "HSG195 (0.5 m²/person standing); Green Guide (82 / 66 persons per metre per minute; 8 minutes)"
ZONE_KINDS = ["standing", "seated", "walkway", "stairs_ramp", "bridge", "narrow_passage"]


def seed(apps, schema_editor):
    CapacitySetting = apps.get_model("venues", "CapacitySetting")
    for kind in ZONE_KINDS:
        CapacitySetting.objects.get_or_create(
            zone_kind=kind,
            defaults={
                "space_per_person_m2": Decimal("0.50"),
                "flow_rate_level": 82,
                "flow_rate_stairs": 66,
                "egress_minutes": Decimal("8.0"),
                "source": SOURCE,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
