"""The seeded ramp/slope flow rate (66 persons per metre per minute) says what it rests on (issue 20 point 6).

No standard or guidance consulted gives a rate of passage for ramps or slopes: the Green Guide gives ~82 on the
level and ~66 on stairs (DESIGN.md section 6) and treats ramps with stairways as vertical circulation; GB
50016-2014 (2018 edition, 建筑设计防火规范) sizes exits by width per 100 persons, not by rate, and its
explanatory notes (条文说明 to 5.5.16-5.5.17, the exits and seating of sports-hall audience halls) count 37
persons per minute through one 0.55 m lane (单股人流) on stepped floors, i.e. ~67 per metre per minute: the
same order as the Green Guide's stair rate. A ramp or slope is slower than the level (gradient, often wet or
uneven outdoors) and no source makes it faster than stairs for a crowd going down it; so the stair rate is
kept as a stated design assumption, and the seeded source says so. It is data: the capacity settings in the
admin change it per zone kind (a city that follows a local standard or its own measurements sets its figure
there). Only rows still carrying the seeded text are touched.
"""

from django.db import migrations

PREVIOUS = (
    "HSG195 (0.5 m²/person standing); Green Guide (82 / 66 persons per metre per minute; 8 minutes); "
    "ramps 66: configurable default"
)
SOURCE = (
    "HSG195 (0.5 m²/person standing); Green Guide (82 / 66 persons per metre per minute; 8 minutes); "
    "ramps 66: design assumption, no standard gives a ramp rate: the stair rate "
    "(GB 50016-2014 notes: 37/min per 0.55 m lane ≈ 67 on steps)"
)


def seed(apps, schema_editor):
    CapacitySetting = apps.get_model("venues", "CapacitySetting")
    CapacitySetting.objects.filter(source=PREVIOUS).update(source=SOURCE)


def unseed(apps, schema_editor):
    CapacitySetting = apps.get_model("venues", "CapacitySetting")
    CapacitySetting.objects.filter(source=SOURCE).update(source=PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("venues", "0003_exit_ramp_and_ramp_flow_rate")]

    operations = [migrations.RunPython(seed, unseed)]
