"""Compliance for reporting upward: per department, township/street and venue kind — plans drilled within their
interval, overdue drills, open after-action items — and the .xlsx workbook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from drills import services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from drills.compliance import drill_compliance, write_compliance
from tests.drills.conftest import make_plan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def landscape(world):
    """The mall: one plan drilled in time, one never drilled; 东大街街道办事处's plan, drilled 13 months ago (its
    interval is 12); an open item overdue and one not yet due."""
    drilled = make_plan(world, title="商场总体预案")
    services.drill_record(
        actor=None,
        plan=drilled,
        held_on=dt.date(2026, 10, 1),
        scenario="s",
        narrative="n",
        today=dt.date(2026, 10, 2),
        items=[
            services.ItemSpec(description="逾期整改", owner=world.fire, due_date=dt.date(2026, 11, 1)),
            services.ItemSpec(description="未到期整改", owner=world.fire, due_date=dt.date(2026, 12, 31)),
        ],
    )
    make_plan(world, title="商场从未演练的预案", kind=PlanKind.ON_SITE)
    street_plan = services.plan_create(
        actor=None,
        title="街道自发聚集预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=world.street_office,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="festival",
        territory=world.city.street,
    )
    services.drill_record(
        actor=None, plan=street_plan, held_on=dt.date(2025, 10, 1), scenario="s", narrative="n", today=TODAY
    )
    return world


def test_the_shares_overdue_drills_and_open_items_per_department_township_and_venue_kind(landscape):
    world = landscape
    c = drill_compliance(user=world.users.leader, today=TODAY)
    assert (c.totals.plans, c.totals.drilled) == (3, 1)
    assert c.totals.open_items == 2 and c.totals.overdue_items == 1
    townships = {row.label: row for row in c.by_township}
    street = townships["东大街街道"]
    assert (street.plans, street.drilled, street.open_items) == (3, 1, 2)
    assert street.share == pytest.approx(33.3)
    kinds = {row.key: row for row in c.by_venue_kind}
    assert (kinds["commercial"].plans, kinds["commercial"].drilled) == (2, 1)
    departments = {row.label: row for row in c.by_department}
    assert departments["东大街街道办事处"].plans == 1 and departments["东大街街道办事处"].drilled == 0
    assert departments["文峰区消防救援大队"].open_items == 2 and departments["文峰区消防救援大队"].overdue_items == 1
    # The never-drilled on-site plan's first duty (30 days after it was registered) is not overdue on TODAY... but
    # the mall's venue duty and the plan duties are counted where they are overdue:
    assert c.totals.overdue_drills == len(c.overdue)
    assert all(task.due_date < TODAY for task in c.overdue)


def test_an_outsider_counts_nothing_of_another_territory(landscape):
    c = drill_compliance(user=landscape.users.outsider, today=TODAY)
    assert c.totals.plans == 0 and c.totals.open_items == 0 and c.overdue == []


def test_the_workbook_has_a_sheet_per_breakdown_and_the_overdue_list(landscape):
    c = drill_compliance(user=landscape.users.leader, today=TODAY, territory=landscape.city.street)
    buffer = io.BytesIO()
    write_compliance(c, buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["By department", "By township or street", "By venue kind", "Overdue drills"]
    sheet = workbook["By township or street"]
    assert "东大街街道" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:3] == ("东大街街道", 3, 1)
    assert rows[-1][0] == "Total"
