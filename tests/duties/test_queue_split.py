"""The queue in two parts (issue 20 point 1): what the user, their department or their jurisdiction holds, and the
rest of their area's tasks (a police duty is not a township officer's own work), on the page and the home panel."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from duties.filters import HeldFilter
from duties.selectors import task_queue

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_township_officer_holds_the_territorial_task_and_sees_the_others_as_the_area(scenic, linzhou_users):
    officer = linzhou_users.township_officer
    mine = set(task_queue(user=officer, filters={"held": HeldFilter.MINE}))
    area = set(task_queue(user=officer, filters={"held": HeldFilter.AREA}))
    assert mine == {scenic.territorial}
    assert area == {scenic.industry, scenic.venue_operator}
    assert mine | area == set(task_queue(user=officer))


def test_a_department_holds_its_own_tasks_and_has_no_area_part(scenic, linzhou_users):
    staff = linzhou_users.culture_staff
    assert set(task_queue(user=staff, filters={"held": HeldFilter.MINE})) == {scenic.industry}
    assert list(task_queue(user=staff, filters={"held": HeldFilter.AREA})) == []


def test_the_page_has_the_two_tabs_and_the_panel_the_two_parts(scenic, linzhou_users):
    client = client_for(linzhou_users.township_officer)
    body = client.get(reverse("duties:queue"), {"held": "mine"}).content.decode()
    assert "data-held-tabs" in body
    assert body.count('data-task="') == 1
    body = client.get(reverse("duties:queue"), {"held": "area"}).content.decode()
    assert body.count('data-task="') == 2
    home = client.get(reverse("home")).content.decode()
    assert 'data-queue="mine"' in home
    assert 'data-queue="area"' in home
    assert "?held=area" in home
