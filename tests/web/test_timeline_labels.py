"""The timeline shows states and access changes in words, never the codes the log stores (issue 20 point 2), and
hides access changes from people outside the government."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from crowdsafe.audit.labels import state_label
from crowdsafe.audit.services import log_action
from crowdsafe.org import services as org_services
from crowdsafe.org.models import Jurisdiction

pytestmark = pytest.mark.django_db


def render(obj, user=None) -> str:
    request = RequestFactory().get("/")
    if user is not None:
        request.user = user
    with translation.override("zh-hans"):
        return Template("{% load audit_tags %}{% timeline obj %}").render(Context({"obj": obj, "request": request}))


def test_a_state_change_shows_the_states_labels(city, users):
    with transaction.atomic():
        log_action(actor=users.admin, subject=city.grid, verb="updated", from_state="grid", to_state="community")
    html = render(city.grid, users.admin)
    assert '<span class="state">网格</span>' in html
    assert html.count('<span class="state">') == 2
    assert ">grid<" not in html and ">community<" not in html


def test_a_code_of_no_known_vocabulary_is_not_shown_as_it_is(city, users):
    with translation.override("en"):
        assert state_label(Jurisdiction, "made_up_code") == "(other)"
        # Free text and numbers are shown as stored: they are not codes.
        assert state_label(Jurisdiction, "西大街街道") == "西大街街道"
        assert state_label(Jurisdiction, "12") == "12"


def test_an_access_change_is_a_sentence_for_staff_and_hidden_from_outsiders(city, users):
    org_services.grant_to_department(
        obj=city.street, codename="view_jurisdiction", department=city.wenfeng_police, actor=users.admin
    )
    staff = render(city.street, users.staff)
    assert "view_jurisdiction" not in staff
    assert "安阳市公安局文峰分局 · 可查看此" in staff
    outsider = render(city.street, users.organizer)
    assert "view_jurisdiction" not in outsider
    assert "安阳市公安局文峰分局" not in outsider
    assert "授予权限" not in outsider
