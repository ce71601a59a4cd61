"""Issue 21 point 6: failed items by kind of venue, by item and by township over time — hand-counted — on the home
page through the panels registry (docs/contracts/panels.md), scoped to what the user may see; and the admin's edit
of a used checklist item makes a new version (the kernel's admin base class, through the service)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections import selectors, services
from inspections.models import ChecklistItem, ChecklistTemplate, Inspection
from tests.inspections.conftest import answer_all, client_for
from venues.choices import VenueKind
from venues.services import venue_create

pytestmark = pytest.mark.django_db


def _inspect(user, venue, failed, *, months_ago=0):
    inspection = services.inspection_start(actor=user, venue=venue)
    services.answers_submit(
        inspection=inspection, actor=user, key=uuid.uuid4(), answers=answer_all(inspection, failed_keys=failed)
    )
    if months_ago:
        Inspection.objects.filter(pk=inspection.pk).update(
            started_at=timezone.now() - dt.timedelta(days=31 * months_ago)
        )
    return inspection


@pytest.fixture
def figures(world, city):
    square = venue_create(actor=None, name="西大街广场", kind=VenueKind.SQUARE, grid=city.grid)
    from crowdsafe.org.choices import JurisdictionLevel
    from tests.factories import JurisdictionFactory

    other_street_grid = JurisdictionFactory(
        code="410502002001", name="西大街社区", level=JurisdictionLevel.COMMUNITY, parent=city.street2
    )
    park = venue_create(actor=None, name="人民公园", kind=VenueKind.SQUARE, grid=other_street_grid)
    staff = world.users.staff
    _inspect(staff, world.ktv, {"exits_open", "fire_extinguishers"})  # entertainment, 东大街街道: 2
    _inspect(staff, world.ktv, {"exits_open"}, months_ago=2)  # entertainment, 东大街街道: 1, two months ago
    _inspect(staff, square, {"barriers", "exits_open"})  # square, 东大街街道: 2
    _inspect(staff, park, {"barriers"})  # square, 西大街街道: 1
    return world


def test_failed_items_by_venue_kind_item_and_township_over_time(figures):
    data = selectors.analytics(user=figures.users.staff)
    assert data.inspections == 4 and data.failed == 6
    kinds = {row["kind"]: row["n"] for row in data.by_venue_kind}
    assert kinds == {"entertainment": 3, "square": 3}
    items = {row["text"][:6]: row["n"] for row in data.by_item}
    assert items["安全出口、疏"] == 3 and items["台阶、坡道、"] == 2 and items["灭火器配置齐"] == 1
    towns = {row["name"]: row["n"] for row in data.by_township}
    assert towns == {"东大街街道": 5, "西大街街道": 1}
    assert len(data.months) == 2
    east = next(row for row in data.township_months if row["name"] == "东大街街道")
    assert [c["n"] for c in east["counts"]] == [1, 4]


def test_the_analytics_are_scoped_and_on_the_home_page(figures):
    assert selectors.analytics(user=figures.users.outsider).failed == 0
    home = client_for(figures.users.staff).get("/")
    body = home.content.decode()
    assert 'data-panel="inspections_failed"' in body
    page = client_for(figures.users.staff).get(reverse("inspections:analytics")).content.decode()
    assert "西大街街道" in page and 'data-by="township"' in page
    outsider = client_for(figures.users.outsider).get(reverse("inspections:analytics")).content.decode()
    assert "西大街街道" not in outsider
    # The organizer's and operator's home pages do not get the panel.
    assert 'data-panel="inspections_failed"' not in client_for(figures.operator).get("/").content.decode()
    # Nor does a grid worker's: analytics are for those who plan inspections; a phone home starts with the work.
    assert 'data-panel="inspections_failed"' not in client_for(figures.users.grid_worker).get("/").content.decode()


def test_list_pages_are_pinned_in_queries(figures, django_assert_max_num_queries):
    client = client_for(figures.users.staff)
    client.get(reverse("inspections:list"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("inspections:list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("v1:inspection-list")).status_code == 200


def test_the_admin_revises_a_used_item_into_a_new_version(world, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="x" * 12)
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    item = inspection.template.items.get(key="exits_width")
    client = client_for(admin)
    url = reverse("admin:inspections_checklistitem_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"text": "疏散门净宽度不小于1.5米", "threshold": "1.5"})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    item.refresh_from_db()
    assert item.text.startswith("疏散门和安全出口") and item.template_id == inspection.template_id
    current = ChecklistTemplate.objects.get(code="venue.entertainment", is_current=True)
    assert current.version == 2
    assert ChecklistItem.objects.get(template=current, key="exits_width").text == "疏散门净宽度不小于1.5米"
    # The old version is read-only in the admin.
    assert client.post(url, data).status_code == 403


def test_the_analytics_are_on_the_dashboard_for_the_chosen_territory(figures, city, django_user_model):
    """Issue 21 point 6 "on the dashboard": the leaders' risk-now page shows the failed items of its territory."""
    leader = django_user_model.objects.create_superuser(username="city-leader", password="x" * 12)
    assert selectors.analytics(user=leader, root=city.street2).failed == 1
    client = client_for(leader)
    page = client.get(reverse("dashboard:risk"), {"root": city.street2.parent.code}).content.decode()
    block = page.split('data-block="inspections"', 1)[1]
    assert "东大街街道" in block and "西大街街道" in block and reverse("inspections:analytics") in block
    west = client.get(reverse("dashboard:risk"), {"root": city.street2.code}).content.decode()
    west_block = west.split('data-block="inspections"', 1)[1]
    assert "西大街街道" in west_block and "东大街街道" not in west_block.split("</section>", 1)[0]
