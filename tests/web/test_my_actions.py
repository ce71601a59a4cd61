"""The user's own action log on its own page (issue 20 point 1): paginated, states in words, linked from the home
page's short panel and from the menu."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from crowdsafe.audit.services import log_action
from crowdsafe.web.views import ACTIONS_PAGE_SIZE

pytestmark = pytest.mark.django_db


def test_the_page_lists_the_users_actions_a_page_at_a_time(users, login, city):
    with transaction.atomic():
        for n in range(ACTIONS_PAGE_SIZE + 5):
            log_action(
                actor=users.admin,
                subject=city.grid,
                verb="updated",
                from_state="grid",
                to_state="community",
                reason=f"理由{n}",
            )
    client = login(users.admin)
    first = client.get(reverse("my_actions"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert first.count('class="timeline-head"') == ACTIONS_PAGE_SIZE
    assert "理由34" in first and "理由0<" not in first  # newest first
    assert ">grid<" not in first and ">community<" not in first  # states in words
    second = client.get(reverse("my_actions"), {"page": 2}).content.decode()
    assert second.count('class="timeline-head"') == 5
    assert "理由0<" in second
    # Nobody else's actions.
    assert "理由" not in login(users.leader).get(reverse("my_actions")).content.decode()


def test_the_home_panel_is_short_and_links_to_the_page(users, login, city):
    with transaction.atomic():
        for n in range(8):
            log_action(actor=users.admin, subject=city.grid, verb="updated", reason=f"理由{n}")
    home = login(users.admin).get(reverse("home")).content.decode()
    panel = home[home.index('data-panel="recent_actions"') :]
    assert panel[: panel.index("</section>")].count('class="timeline-head"') == 3
    assert reverse("my_actions") in panel
