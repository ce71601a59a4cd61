"""The drill notice (演练通知) through the notices service: numbered, about the drill, listing who takes part."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdsafe.errors import DomainError, PermissionDeniedError
from drills import services
from notices.choices import NoticeKind
from notices.models import Notice
from tests.drills.conftest import client_for, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(world):
    plan = make_plan(world)
    return services.drill_schedule(
        plan=plan,
        actor=world.operator,
        scheduled_for=timezone.now() + dt.timedelta(days=5),
        scenario="中庭踩踏险情",
        place="万达广场中庭",
        departments=[world.fire],
        public_participants=50,
    )


def test_the_territorys_emergency_bureau_issues_the_drill_notice(world, planned):
    notice = services.drill_notice_issue(
        drill=planned,
        actor=world.emergency_staff,
        issuer=world.emergency,
        recipient=world.operator_org.name,
        requirements=["提前30分钟到场", "保持消防通道畅通"],
        copy_to=["文峰区消防救援大队"],
    )
    assert notice.kind == NoticeKind.DRILL_NOTICE and notice.subject_id == planned.pk
    assert notice.number and notice.context["place"] == "万达广场中庭"
    participants = notice.context["participants"]
    assert world.operator_org.name in participants and world.fire.name in participants
    assert any("50" in p for p in participants)


def test_only_the_plans_managers_or_a_participating_department_issue_it(world, planned):
    with pytest.raises(PermissionDeniedError):
        services.drill_notice_issue(
            drill=planned,
            actor=world.users.staff,
            issuer=world.city.wenfeng_police,
            recipient="x",
            requirements=["y"],
        )
    planned.departments.add(world.city.wenfeng_police)
    notice = services.drill_notice_issue(
        drill=planned, actor=world.users.staff, issuer=world.city.wenfeng_police, recipient="x", requirements=["y"]
    )
    assert notice.issuer == world.city.wenfeng_police


def test_a_notice_needs_requirements_and_a_planned_drill(world, planned):
    with pytest.raises(DomainError):
        services.drill_notice_issue(
            drill=planned, actor=world.emergency_staff, issuer=world.emergency, recipient="x", requirements=[]
        )
    services.drill_cancel(drill=planned, actor=world.operator, reason="改期")
    with pytest.raises(DomainError, match="planned drill"):
        services.drill_notice_issue(
            drill=planned, actor=world.emergency_staff, issuer=world.emergency, recipient="x", requirements=["y"]
        )
    assert not Notice.objects.exists()


def test_the_drill_page_issues_and_lists_the_notice(world, planned):
    client = client_for(world.emergency_staff)
    page = client.get(reverse("drills:drill_detail", args=[planned.pk])).content.decode()
    assert 'data-section="notice-form"' in page
    response = client.post(
        reverse("drills:drill_notice", args=[planned.pk]),
        {"issuer": world.emergency.pk, "recipient": world.operator_org.name, "requirements": "提前到场\n携带对讲机"},
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    page = client.get(reverse("drills:drill_detail", args=[planned.pk])).content.decode()
    assert notice.number in page
