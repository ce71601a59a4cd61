"""Acceptance (issue 4): a 3,000-person temple fair at a square whose safe capacity is 2,500, on a public-holiday
evening, is pre-levelled red with its reasons, assigned to the township and public security with explanations,
and appears on the district leader's attention list; a township officer of another township gets 404 for it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from duties.models import Task
from events.choices import GatheringKind, GatheringSource
from tests.events.conftest import report
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def temple_fair(city, users, places, holiday_evening):
    return report(
        users.grid_worker,
        venue=places.square,
        kind=GatheringKind.FESTIVAL_RELIGIOUS,
        title="文峰塔广场庙会",
        starts_at=holiday_evening,
        estimated_attendance_min=2500,
        estimated_attendance_max=3000,
        source=GatheringSource.GRID_PATROL,
    )


def test_it_is_pre_levelled_red_with_its_reasons(temple_fair, holiday_evening):
    assert places_capacity(temple_fair) == 2500
    assert temple_fair.risk_level == "red"
    assert temple_fair.risk_source == "triage"
    client = Client()
    client.force_login(temple_fair.reported_by)
    body = client.get(reverse("v1:gathering-detail", args=[temple_fair.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["risk_level"] == "red"
    day = holiday_evening.date().isoformat()
    assert body["risk_reasons"] == [
        "Estimated attendance of up to 3,000 is 120% of the safe capacity of 文峰塔广场 (2,500): "
        "Red (major) (from 100%).",
        "It takes place at night (19:00–06:00).",
        f"It falls on a statutory holiday (国庆节, {day}).",
        "The aggravating factors cannot raise it further: red is the highest level.",
    ]
    # The reasons are kept in the platform's first language too, for the record.
    assert "文峰塔广场" in temple_fair.risk_reasons[0]


def places_capacity(gathering) -> int:
    return gathering.venue.computed_capacity


def test_it_is_assigned_to_the_township_and_public_security_with_explanations(temple_fair, city, places):
    tasks = {t.rule.key: t for t in Task.objects.filter(subject_type="gathering", subject_id=temple_fair.pk)}
    township = tasks["events.territorial_control"]
    police = tasks["events.on_duty_police"]
    assert township.responsible_department == places.township_government  # 东大街街道办事处
    assert police.responsible_department == city.wenfeng_police  # 安阳市公安局文峰分局
    assert "东大街街道办事处" in township.explanation and "群众自发性聚集活动属地管控" in township.explanation
    assert "安阳市公安局文峰分局" in police.explanation and "较大及以上风险聚集活动公安执勤备勤" in police.explanation
    assert police.due_date == police.anchor_date  # due at once: the on-duty queue


def test_it_appears_on_the_district_leaders_attention_list(temple_fair, users):
    client = Client()
    client.force_login(users.leader)  # 文峰区's leader
    page = client.get(reverse("events:attention_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f'data-gathering="{temple_fair.pk}"' in page.content.decode()
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-panel="gatherings_attention"' in home
    assert "文峰塔广场庙会" in home


def test_a_township_officer_of_another_township_gets_404(temple_fair, users, other_township_officer):
    for url in (
        reverse("events:gathering_detail", args=[temple_fair.pk]),
        reverse("v1:gathering-detail", args=[temple_fair.pk]),
    ):
        assert_scoped_access(url, owner=users.township_officer, outsider=other_township_officer)
    client = Client()
    client.force_login(other_township_officer)
    assert client.get(reverse("events:attention_list")).content.decode().count("文峰塔广场庙会") == 0
