#!/usr/bin/env python
"""Seed the database of the load test (bench/load): the demo city scaled up, and the people who use it.

Seeds once (``--reset`` drops the database and starts again), in a PostgreSQL database of its own,
``crowdsafe_load`` (``DATABASE_URL`` overrides):

- the whole demo city (``seed_demo`` and every ``seed_demo_*`` command: venues, permits, drills, gatherings,
  documents with their PDFs, risk, notifications), as ``scripts/run`` loads it;
- scaled up with the duties benchmark's data (``bench/bench_duties.py``): 1,000 venue operators, 10,000 venues
  over the 144 grids of 安阳市 and 200,000 tasks made by the seeded venue rules (about 31,000 outstanding, a third
  of them overdue);
- 200 load users with one password (``LOAD_PASSWORD``): 60 grid workers (one per grid), 60 department staff
  (the city's and counties' bureaus; every sixth a head), 40 leaders (the city and its districts) and 40
  organizers (each of an event company of their own).

Writes ``var/load/users.json`` (username, role, and the ids the user's forms need), which bench/locustfile.py
reads. Prints the table sizes at the end.

    .venv/bin/python bench/load_seed.py [--reset]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crowdsafe_load")
os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "load" / "media"))

LOAD_PASSWORD = "load-test-2026"
USERS_FILE = ROOT / "var" / "load" / "users.json"
MIX = {"grid_worker": 60, "staff": 60, "leader": 40, "organizer": 40}
DEMO_COMMANDS = [
    "seed_demo",
    "seed_demo_venues",
    "seed_demo_permits",
    "seed_demo_drills",
    "seed_demo_events",
    "seed_demo_notices",
    "seed_demo_risk",
    "seed_demo_notifications",
]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ensure_database(*, reset: bool) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    connection = psycopg2.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        if reset:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")
    connection.close()


def seed_city() -> None:
    from django.core.management import call_command

    from bench import bench_duties
    from venues.models import Venue

    if Venue.objects.count() >= bench_duties.VENUES:
        say(f"already seeded: {Venue.objects.count():,} venues (--reset to redo)")
        return
    # The duties benchmark's venues and tasks first (its COPY of tasks assumes no venue has tasks yet), then
    # the rest of the demo city through its own commands.
    say("seed_demo")
    call_command("seed_demo", verbosity=0, no_progress=True)
    bench_duties.seed_operators()
    bench_duties.seed_venues()
    bench_duties.seed_tasks()
    for command in DEMO_COMMANDS[1:]:
        say(command)
        call_command(command, verbosity=0)


def seed_users() -> list[dict]:
    """The 200 load users (idempotent: existing ones are kept), through the org services."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count, Q

    from crowdsafe.org.choices import OrganisationKind
    from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation
    from crowdsafe.org.services import membership_add

    user_model = get_user_model()
    password = make_password(LOAD_PASSWORD)
    city = Jurisdiction.objects.get(code="410500")
    grids = list(Jurisdiction.objects.filter(level="grid", path__startswith=city.path).order_by("path"))
    departments = list(
        Department.objects.filter(
            jurisdiction__path__startswith=city.path, jurisdiction__level__in=["city", "district"]
        )
        .exclude(kind="township_government")
        .annotate(open=Count("tasks", filter=Q(tasks__status__in=["open", "in_progress", "overdue"])))
        .order_by("-open", "pk")
    )
    leaders_at = [city, *Jurisdiction.objects.filter(level="district", parent=city).order_by("code")]
    organisers = []
    for i in range(MIX["organizer"]):
        organisation, _ = Organisation.objects.get_or_create(
            credit_code=f"91410500LD{i:08d}",
            defaults={
                "name": f"安阳压测活动策划{i:03d}有限公司",
                "kind": OrganisationKind.ORGANIZER,
                "jurisdiction": leaders_at[1 + i % (len(leaders_at) - 1)],
                "safety_officer_name": "李安全",
                "safety_officer_phone": "13800000000",
            },
        )
        organisers.append(organisation)

    def person(username: str, role: str, **anchor) -> None:
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"full_name": username, "password": password}
        )
        if not Membership.objects.filter(user=user).exists():
            membership_add(user=user, role=role, actor=None, **anchor)

    people: list[dict] = []
    for i in range(MIX["grid_worker"]):
        grid = grids[i * len(grids) // MIX["grid_worker"]]
        person(f"load_grid{i:03d}", "grid_worker", jurisdiction=grid)
        people.append({"username": f"load_grid{i:03d}", "role": "grid_worker", "grid": grid.pk})
    for i in range(MIX["staff"]):
        head = i % 6 == 0  # a sixth are heads, who also issue task assignment sheets (documents)
        person(f"load_staff{i:03d}", "head" if head else "staff", department=departments[i % len(departments)])
        people.append({"username": f"load_staff{i:03d}", "role": "staff", "head": head})
    for i in range(MIX["leader"]):
        person(f"load_leader{i:03d}", "leader", jurisdiction=leaders_at[i % len(leaders_at)])
        people.append({"username": f"load_leader{i:03d}", "role": "leader"})
    for i, organisation in enumerate(organisers):
        person(f"load_org{i:03d}", "organizer", organisation=organisation)
        people.append({"username": f"load_org{i:03d}", "role": "organizer", "organisation": organisation.pk})
    return people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reset", action="store_true", help="drop the load database and seed again")
    args = parser.parse_args()
    ensure_database(reset=args.reset)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    say(f"migrate ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    seed_city()
    people = seed_users()
    USERS_FILE.parent.mkdir(parents=True, exist_ok=True)
    USERS_FILE.write_text(json.dumps({"password": LOAD_PASSWORD, "users": people}, ensure_ascii=False, indent=1))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        sizes = {}
        for table in ("venues_venue", "duties_task", "events_gathering", "permits_permitapplication", "notices_notice"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # fixed names
            sizes[table] = cursor.fetchone()[0]
    say(
        f"{len(people)} load users in {USERS_FILE.relative_to(ROOT)}; "
        + ", ".join(f"{k} {v:,}" for k, v in sizes.items())
    )


if __name__ == "__main__":
    main()
