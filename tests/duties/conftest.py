"""Fixtures of the responsibility engine's tests.

``linzhou``: 安阳市 → 林州市 (a county-level city, 410581) → 石板岩镇 → a village → grids, with 林州市's culture &
tourism, fire and health departments, 石板岩镇's government, and a scenic-area operator. Codes and names as in
the demo city (``crowdsafe/org/demo_data.py``).

``venues``: a stand-in for the venue model, so that these tests do not depend on the venues app. Registration
is a runtime call, so a test registers ``org.Jurisdiction`` under the subject type "venue": each stand-in venue
is a grid of its own (its jurisdiction is itself), and its kind, operator and other attributes are kept in a
dict beside it. The real registration (if any) is put back afterwards.
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
from types import SimpleNamespace

import pytest
from django.utils import translation

from crowdsafe.org.choices import DepartmentKind, JurisdictionLevel, OrganisationKind, Role
from crowdsafe.org.models import Jurisdiction
from duties import subjects
from tests.factories import DepartmentFactory, JurisdictionFactory, OrganisationFactory, UserFactory, member

L = JurisdictionLevel
K = DepartmentKind
EVENT_DAY = dt.date(2026, 11, 27)  # a Friday


@pytest.fixture(autouse=True)
def _engine_rules_only(request):
    """These tests pin what the engine makes from the rules seeded with it (duties 0002: venue supervision, the
    permit review, territorial control of gatherings). The domain apps seed more rules on the same subjects (a
    scenic area also owes a drill every six months); their own tests cover those, so here they are switched off."""
    if "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None:
            return
    from duties.models import ResponsibilityRule

    seeded_here = importlib.import_module("duties.migrations.0004_seed_rule_keys").KEYS.values()
    ResponsibilityRule.objects.exclude(key__in=list(seeded_here)).exclude(key__startswith="tests.").update(
        is_active=False
    )


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English msgids (pages, API errors, explanations); the zh-hans catalogue has its own
    checks. The site language (stored explanations, requests without Accept-Language) is English here too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def linzhou(city):
    anyang = city.anyang
    linzhou = JurisdictionFactory(code="410581", name="林州市", level=L.DISTRICT, parent=anyang)
    town = JurisdictionFactory(code="410581101", name="石板岩镇", level=L.TOWNSHIP, parent=linzhou)
    village = JurisdictionFactory(code="410581101201", name="桃花洞村", level=L.COMMUNITY, parent=town)
    town2 = JurisdictionFactory(code="410581100", name="任村镇", level=L.TOWNSHIP, parent=linzhou)
    ns = SimpleNamespace(anyang=anyang, linzhou=linzhou, town=town, village=village, town2=town2)
    ns.culture = DepartmentFactory(name="林州市文化广电和旅游局", kind=K.CULTURE_TOURISM, jurisdiction=linzhou)
    ns.city_culture = DepartmentFactory(name="安阳市文化广电和旅游局", kind=K.CULTURE_TOURISM, jurisdiction=anyang)
    ns.fire = DepartmentFactory(name="林州市消防救援大队", kind=K.FIRE_RESCUE, jurisdiction=linzhou)
    ns.health = DepartmentFactory(name="林州市卫生健康委员会", kind=K.HEALTH, jurisdiction=linzhou)
    ns.township_gov = DepartmentFactory(name="石板岩镇人民政府", kind=K.TOWNSHIP_GOVERNMENT, jurisdiction=town)
    ns.operator = OrganisationFactory(
        name="林州太行大峡谷旅游有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        jurisdiction=linzhou,
        credit_code="91410581MA0000001W",
    )
    return ns


@pytest.fixture
def linzhou_users(linzhou):
    def make(username, role, **anchor):
        return member(UserFactory(username=username), role=role, **anchor).user

    return SimpleNamespace(
        culture_staff=make("lz_culture_staff", Role.STAFF, department=linzhou.culture),
        culture_head=make("lz_culture_head", Role.HEAD, department=linzhou.culture),
        culture_staff2=make("lz_culture_staff2", Role.STAFF, department=linzhou.culture),
        fire_staff=make("lz_fire_staff", Role.STAFF, department=linzhou.fire),
        fire_head=make("lz_fire_head", Role.HEAD, department=linzhou.fire),
        township_officer=make("lz_town_officer", Role.TOWNSHIP_OFFICER, jurisdiction=linzhou.town),
        leader=make("lz_leader", Role.LEADER, jurisdiction=linzhou.linzhou),
        operator=make("lz_operator", Role.VENUE_OPERATOR, organisation=linzhou.operator),
        # Works in 文峰区, not in 林州市: sees none of 林州市's tasks.
        outsider=make("lz_outsider", Role.STAFF, department=linzhou_outsider_department()),
    )


def linzhou_outsider_department():
    wenfeng = Jurisdiction.objects.get(code="410502")
    return DepartmentFactory(name="文峰区文化广电和旅游局", kind=K.CULTURE_TOURISM, jurisdiction=wenfeng)


class StandInVenues:
    """Makes stand-in venues: each a grid jurisdiction registered as the subject type "venue"."""

    def __init__(self):
        self.specs: dict[int, dict] = {}
        self._codes = itertools.count(1)

    def make(self, name: str, *, kind: str, under: Jurisdiction, operator=None, **attributes) -> Jurisdiction:
        grid = JurisdictionFactory(code=f"{under.code}G{next(self._codes)}", name=name, level=L.GRID, parent=under)
        self.specs[grid.pk] = {"name": name, "kind": kind, "operator": operator, **attributes}
        return grid

    def set(self, venue: Jurisdiction, **changes) -> None:
        self.specs[venue.pk].update(changes)

    def attributes(self, venue: Jurisdiction) -> dict:
        spec = self.specs[venue.pk]
        return {k: v for k, v in spec.items() if k not in ("name", "operator")}


@pytest.fixture
def venues(db):
    stand_in = StandInVenues()
    previous = subjects.registration_for_name("venue")
    try:  # a jurisdiction may be a subject of its own (e.g. a street drill): put that back too
        previous_for_model = subjects.registration_for(Jurisdiction())
    except subjects.UnknownSubjectError:
        previous_for_model = None
    subjects.register_subject(
        Jurisdiction,
        subject_type="venue",
        jurisdiction=lambda grid: grid,
        organisation=lambda grid: stand_in.specs[grid.pk]["operator"],
        attributes=stand_in.attributes,
        label=lambda grid: stand_in.specs[grid.pk]["name"],
    )
    yield stand_in
    subjects.unregister_subject("venue")
    if previous is not None:
        subjects.restore_subject(previous)
    if previous_for_model is not None:
        subjects.restore_subject(previous_for_model)


@pytest.fixture
def scenic(linzhou, venues):
    """A scenic area in 石板岩镇 with its three tasks (industry, territorial, venue operator), by basis."""
    from duties.services import tasks_evaluate

    venue = venues.make("太行大峡谷景区", kind="scenic_area", under=linzhou.village, operator=linzhou.operator)
    tasks = tasks_evaluate(subject=venue, event="created", actor=None, moment=EVENT_DAY)
    return SimpleNamespace(venue=venue, **{task.basis: task for task in tasks})


def make_tasks(n: int, *, rule_name: str, jurisdiction, department=None, due=None, status="open", start_id=10_000):
    """``n`` tasks of one rule about made-up subjects (ids only), in bulk: for list and query-count tests."""
    from duties.models import ResponsibilityRule, Task

    rule = ResponsibilityRule.objects.get(name=rule_name)
    due = due or EVENT_DAY
    tasks = [
        Task(
            subject_type="venue",
            subject_id=start_id + i,
            subject_label=f"场所{i}",
            jurisdiction=jurisdiction,
            jurisdiction_path=jurisdiction.path,
            rule=rule,
            event="created",
            duty_name=rule.duty_name,
            basis=rule.basis,
            party_kind=rule.party_kind,
            responsible_department=department,
            anchor_date=due,
            due_date=due + dt.timedelta(days=i % 40 - 20),
            status=status,
            explanation=f"test task {i}",
            completed_at=None if status != "done" else dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
        for i in range(n)
    ]
    return Task.objects.bulk_create(tasks)
