"""Risk now (issue 17 point 2): red gatherings appear, and the counts agree with the gatherings' attention list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors.risk import risk_now
from events.models import Gathering
from events.selectors import attention_list
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


def test_red_gatherings_appear_and_agree_with_the_attention_list(city, users, client):
    red1 = report(users.grid_worker, grid=city.grid)
    red2 = report(users.grid_worker, grid=city.grid)
    orange = report(users.grid_worker, grid=city.grid)
    Gathering.objects.filter(pk__in=[red1.pk, red2.pk]).update(risk_level="red")  # e.g. set by an assessment
    Gathering.objects.filter(pk=orange.pk).update(risk_level="orange")
    now = risk_now(user=users.admin, root=city.anyang, today=timezone.localdate())
    assert now.gathering_totals["red"] == 2 and now.gathering_totals["orange"] == 1
    attention = list(attention_list(user=users.admin))
    assert sum(1 for g in attention if g.risk_level == "red") == now.gathering_totals["red"]
    assert len(attention) == now.gathering_totals["red"] + now.gathering_totals["orange"]
    wenfeng = next(r for r in now.rows if r.jurisdiction == city.wenfeng)
    assert wenfeng.counts["red"] == 2
    client.force_login(users.admin)
    page = client.get(reverse("dashboard:risk"))
    assert page.status_code == 200
    assert 'data-figure="red-gatherings">2<' in page.content.decode()
    client.force_login(users.leader)  # partner: their own district only
    assert client.get(reverse("dashboard:risk"), {"root": "410503"}).status_code == 404
    client.force_login(users.outsider)
    assert client.get(reverse("dashboard:risk")).status_code == 404
