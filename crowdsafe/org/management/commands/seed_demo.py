"""Load the demo cities (安阳市 and 梅河口市) with their departments, organisations and demo users.

Idempotent: every row is looked up by its natural key (division code, department name within its
jurisdiction, credit code, username, membership) before it is created, so a second run creates nothing,
changes nothing and writes no action log. Everything is created through the services in
``crowdsafe.org.services``, as the admin and the API create it, with the system as the actor.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from crowdsafe.org import demo_data, services
from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel
from crowdsafe.org.demo_boundaries import seed_boundaries
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation

L = JurisdictionLevel
COUNTED = ("jurisdictions", "departments", "organisations", "users", "memberships")


def jurisdiction_plan(city: dict) -> Iterator[tuple[str, str, str, str | None]]:
    """The city's territories, parents first: (code, name, level, parent code)."""
    yield city["code"], city["name"], L.CITY, None
    townships = [(city["code"], township) for township in city["townships"]]
    for district in city["districts"]:
        yield district["code"], district["name"], L.DISTRICT, city["code"]
        townships += [(district["code"], township) for township in district["townships"]]
    for parent_code, township in townships:
        yield township["code"], township["name"], L.TOWNSHIP, parent_code
        for community_code, community_name in township["communities"]:
            yield community_code, community_name, L.COMMUNITY, township["code"]
            for grid_code, grid_name in demo_data.grids(community_code, community_name):
                yield grid_code, grid_name, L.GRID, community_code


def department_plan(city: dict) -> Iterator[tuple[str, str, str]]:
    """The city's departments: (jurisdiction code, kind, name)."""
    for kind, name in city["departments"]:
        yield city["code"], kind, name
    townships = list(city["townships"])
    for district in city["districts"]:
        for kind, name in district["departments"]:
            yield district["code"], kind, name
        townships += district["townships"]
    for township in townships:
        yield township["code"], DepartmentKind.TOWNSHIP_GOVERNMENT, demo_data.township_government_name(township["name"])


def organisation_plan(city: dict) -> list[dict]:
    return [org for org in demo_data.ORGANISATIONS if org["city"] == city["code"]]


def user_plan(city: dict) -> list[dict]:
    return [user for user in demo_data.DEMO_USERS if user["city"] == city["code"]]


def plan_size(city: dict) -> int:
    return (
        sum(1 for _row in jurisdiction_plan(city))
        + sum(1 for _row in department_plan(city))
        + len(organisation_plan(city))
        + len(user_plan(city))
    )


class CitySeeder:
    """Creates what is missing of one demo city and counts what it created."""

    def __init__(self, city: dict, *, password_hash: str, progress: tqdm, created: Counter):
        self.city = city
        self.password_hash = password_hash
        self.progress = progress
        self.created = created
        prefix = city["code"] + "/"
        # Natural keys of what already exists, read once: a second run does one query per table, not per row.
        self.jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(path__startswith=prefix)}
        self.departments = {
            (d.jurisdiction.code, d.name): d
            for d in Department.objects.filter(jurisdiction__path__startswith=prefix).select_related("jurisdiction")
        }

    def run(self) -> None:
        for code, name, level, parent_code in jurisdiction_plan(self.city):
            if code not in self.jurisdictions:
                parent = self.jurisdictions[parent_code] if parent_code else None
                self.jurisdictions[code] = services.jurisdiction_create(
                    code=code, name=name, level=level, parent=parent, actor=None
                )
                self.created["jurisdictions"] += 1
            self.progress.update()
        for jurisdiction_code, kind, name in department_plan(self.city):
            if (jurisdiction_code, name) not in self.departments:
                self.departments[jurisdiction_code, name] = services.department_create(
                    name=name, kind=kind, jurisdiction=self.jurisdictions[jurisdiction_code], actor=None
                )
                self.created["departments"] += 1
            self.progress.update()
        for spec in organisation_plan(self.city):
            self.organisation(spec)
            self.progress.update()
        for spec in user_plan(self.city):
            self.user(spec)
            self.progress.update()

    def organisation(self, spec: dict) -> Organisation:
        existing = Organisation.objects.filter(credit_code=spec["credit_code"]).first()
        if existing is not None:
            return existing
        organisation = services.organisation_create(
            name=spec["name"],
            kind=spec["kind"],
            credit_code=spec["credit_code"],
            jurisdiction=self.jurisdictions[spec["jurisdiction"]],
            address=spec["address"],
            safety_officer_name=spec["safety_officer_name"],
            safety_officer_phone=spec["safety_officer_phone"],
            actor=None,
        )
        self.created["organisations"] += 1
        return organisation

    def user(self, spec: dict) -> None:
        user_model = get_user_model()
        user = user_model.objects.filter(username=spec["username"]).first()
        if user is None:
            # The password is set only here, when the user is new: a demo user who changed it keeps theirs.
            user = user_model.objects.create(
                username=spec["username"],
                full_name=spec["full_name"],
                is_staff=spec.get("is_staff", False),
                password=self.password_hash,
            )
            self.created["users"] += 1
        anchor = {
            "department": self.departments[spec["department"]] if "department" in spec else None,
            "jurisdiction": self.jurisdictions[spec["jurisdiction"]] if "jurisdiction" in spec else None,
            "organisation": (
                Organisation.objects.get(credit_code=spec["organisation"]) if "organisation" in spec else None
            ),
        }
        if not Membership.objects.filter(user=user, role=spec["role"], **anchor).exists():
            membership = services.membership_add(
                user=user, role=spec["role"], title=spec["title"], actor=None, **anchor
            )
            if spec.get("on_duty"):
                Membership.objects.filter(pk=membership.pk).update(on_duty=True)
            self.created["memberships"] += 1


class Command(BaseCommand):
    help = "Load the demo cities 安阳市 and 梅河口市 with departments, organisations and one demo user per role."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, **options):
        # One hash for all demo users, and only when one is missing: they share one published password, and a
        # password hash is deliberately slow.
        usernames = list(dict.fromkeys(spec["username"] for spec in demo_data.DEMO_USERS))
        users_missing = get_user_model().objects.filter(username__in=usernames).count() < len(usernames)
        password_hash = make_password(demo_data.DEMO_PASSWORD) if users_missing else ""
        created: Counter = Counter()
        total = sum(plan_size(city) for city in demo_data.CITIES)
        hide = options["no_progress"] or options["verbosity"] == 0
        with tqdm(total=total, unit=" rows", desc=_("Demo data"), disable=hide, leave=False) as progress:
            for city in demo_data.CITIES:
                # One city at a time: if anything fails, that city is left as it was, not half-made.
                with transaction.atomic():
                    CitySeeder(city, password_hash=password_hash, progress=progress, created=created).run()
        with transaction.atomic():
            boundaries = seed_boundaries()  # approximate, labelled 示意边界 on the maps
        if boundaries:
            created["boundaries"] += boundaries
        if options["verbosity"] == 0:
            return
        if created:
            self.stdout.write(
                _(
                    "Demo data loaded: %(jurisdictions)d jurisdictions, %(departments)d departments, "
                    "%(organisations)d organisations, %(users)d users and %(memberships)d memberships created."
                )
                % {key: created[key] for key in COUNTED}
            )
        else:
            self.stdout.write(_("Demo data already present: nothing to create."))
