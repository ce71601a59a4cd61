"""The ``{% timeline obj %}`` tag: the action log of one record, newest first."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from crowdsafe.audit import verbs
from crowdsafe.org import services as org_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def render(obj, extra: str = "") -> str:
    with translation.override("en"):
        return Template("{% load audit_tags %}{% timeline obj" + extra + " %}").render(Context({"obj": obj}))


def test_it_shows_time_actor_verb_states_and_reason_newest_first(city, users, monkeypatch):
    monkeypatch.setitem(verbs._VERBS, "renamed", "renamed (test label)")
    org_services.jurisdiction_rename(
        jurisdiction=city.street2, name="西大街街道办", actor=users.admin, reason="更名批复"
    )
    html = render(city.street2)
    assert html.count("<li>") == 2
    assert html.index("renamed (test label)") < html.index("created")  # newest first
    assert '<span class="state">西大街街道</span>' in html
    assert '<span class="state">西大街街道办</span>' in html
    assert "更名批复" in html
    assert users.admin.display_name in html
    assert "<time" in html


def test_it_says_what_will_appear_when_there_is_nothing(city):
    html = render(UserFactory())
    assert "data-timeline-empty" in html
    assert "<li>" not in html


def test_it_shows_at_most_the_limit_and_says_so(city, users):
    for n in range(3):
        org_services.jurisdiction_rename(jurisdiction=city.grid, name=f"网格{n}", actor=users.admin)
    html = render(city.grid, " limit=2")
    assert html.count("<li>") == 2
    assert "panel-foot" in html
