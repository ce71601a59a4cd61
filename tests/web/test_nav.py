"""The navigation registry: items by role, current page marked, no links to pages that are not wired."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crowdsafe.web.nav import register_nav_item, unregister_nav_item
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_of(html: str) -> list[str]:
    desktop = html[html.index('class="nav-desktop"') :]
    return re.findall(r'data-nav="(\w+)"', desktop)


@pytest.fixture
def extra_items():
    register_nav_item("grid_only", label="Grid work", url="org:jurisdiction_list", order=30, roles={"grid_worker"})
    register_nav_item("not_wired", label="Nowhere", url="no_such_app:index", order=31)
    yield
    unregister_nav_item("grid_only")
    unregister_nav_item("not_wired")


def test_items_follow_the_roles_and_unwired_pages_are_left_out(users, login, extra_items):
    grid = nav_of(login(users.grid_worker).get(reverse("home")).content.decode())
    assert "grid_only" in grid
    assert "not_wired" not in grid
    assert grid.index("departments") < grid.index("grid_only")
    assert "grid_only" not in nav_of(login(users.staff).get(reverse("home")).content.decode())


def test_the_current_page_is_marked(users, login, city):
    html = login(users.leader).get(reverse("org:jurisdiction_detail", args=[city.street.code])).content.decode()
    current = re.findall(r'data-nav="(\w+)" aria-current="page"', html)
    assert set(current) == {"jurisdictions"}


def test_a_user_without_role_gets_home_and_the_calculator_only(login):
    items = nav_of(login(UserFactory()).get(reverse("home")).content.decode())
    assert "jurisdictions" not in items and "departments" not in items and "api" not in items
    assert items[0] == "home"
