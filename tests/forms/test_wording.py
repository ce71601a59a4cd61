"""Wording of joined sentences and of a period of 0 days (issue 20 point 3): reasons joined by "；" lose their own
full stop ("。；" no more), and a deadline of 0 working days reads "当日", not "后0个工作日"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.common.text import join_clauses
from crowdsafe.workdays.selectors import add_calendar_days, add_working_days
from duties.explain import explain
from events.models import Gathering
from events.services.gatherings import _log_risk
from tests.forms.conftest import gathering_form_data, signed_in


def test_clauses_drop_their_own_stop_before_the_separator():
    assert join_clauses(["人数超过安全容量。", "只有一个出口。"]) == "人数超过安全容量；只有一个出口。"
    assert join_clauses(["A.", " ", "B."]) == "A；B."
    assert join_clauses([]) == ""


def _facts(days: int, unit: str = "working") -> dict:
    return {
        "holder": "北关区消防救援大队",
        "rule": "公众聚集场所消防安全检查",
        "basis": "approver",
        "due": "2026-12-07",
        "anchor": "2026-12-07",
        "anchor_kind": "event",
        "days": days,
        "unit": unit,
    }


@pytest.mark.parametrize("unit", ["working", "calendar"])
def test_a_period_of_no_days_ends_the_same_day(unit):
    with translation.override("zh-hans"):
        text = explain(_facts(0, unit))
        assert "0个" not in text and "0天" not in text
        assert "2026-12-07当日" in text
        assert "。；" not in text and text.endswith("。")
        assert "2026-12-07后3个工作日" in explain(_facts(3))


@pytest.mark.django_db  # a deadline reads the working-day calendar
def test_the_deadline_sentence_of_no_days():
    start = dt.date(2026, 12, 7)
    with translation.override("zh-hans"):
        for deadline in (add_working_days(start, 0), add_calendar_days(start, 0)):
            assert deadline.sentence() == "2026-12-07当日到期。"


@pytest.mark.django_db
def test_the_risk_log_joins_the_reasons_without_a_stop_before_the_separator(city, users):
    response = signed_in(users.grid_worker).post(reverse("events:gathering_create"), gathering_form_data(city))
    assert response.status_code == 302
    gathering = Gathering.objects.latest("pk")
    gathering.risk_reasons = ["预计人数超过安全容量。", "场所只有一个出口。"]
    _log_risk(gathering, actor=users.grid_worker, previous="blue")
    log = ActionLog.objects.filter(verb="risk_level_set").latest("pk")
    assert log.reason == "预计人数超过安全容量；场所只有一个出口。"
