"""The home page with every panel that the installed apps register, for every role."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from crowdsafe.web.home import registered_panels

pytestmark = pytest.mark.django_db

ROLES = ["staff", "head", "grid_worker", "township_officer", "leader", "admin", "organizer", "outsider"]


@pytest.mark.parametrize("day", [datetime.date(2030, 6, 1), datetime.date(2030, 11, 15)])
@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_renders_with_all_registered_panels(role, day, users, login, today):
    today(day)
    response = login(getattr(users, role)).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = [p.key for p in registered_panels() if f'data-panel="{p.key}"' in html]
    assert "roles" in shown
    assert "recent_actions" in shown
