"""Issue 16 acceptance, service level: from a red monitoring alert to measures as tasks and urgent alerts; the
commander's powers; the higher-level request, its re-sending and acceptance; matching hotline tickets by
distance and time; the situation report's numbered PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertTarget
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from notifications.models import Delivery, Notification
from response import selectors, services
from response.models import Incident, IncidentLevel, PublicReport
from tests.events.conftest import report

pytestmark = pytest.mark.django_db


def _open(rc, actor):
    return services.incident_open_from_monitoring(alert=rc.monitoring_alert, actor=actor)


def test_a_red_monitoring_alert_opens_a_level_i_incident_once(response_city):
    rc = response_city
    incident = _open(rc, rc.officer)
    assert incident.level.code == "I" and incident.commander == rc.officer
    assert list(incident.zones.all()) == [rc.zone]
    assert incident.tier.key == "grid" and incident.command_jurisdiction == rc.zone.jurisdiction
    assert _open(rc, rc.officer).pk == incident.pk  # a second "open" finds it


def test_activating_the_zones_plan_makes_the_levels_measures_tasks_of_the_right_departments_due_in_minutes(
    response_city, city
):
    rc = response_city
    incident = _open(rc, rc.officer)
    [proposal] = selectors.plans_proposed(incident)
    assert proposal.plan == rc.plan and "3" in " ".join(proposal.reasons)
    before = timezone.now()
    activation = services.plan_activate(incident=incident, plan=rc.plan, actor=rc.officer, reason="红色预警")
    measures = {m.kind: m for m in activation.measures.all()}
    assert set(measures) == {"upstream_holding", "other", "medical_point"}  # red only, not the orange one
    assert measures["upstream_holding"].department == city.wenfeng_police
    assert measures["other"].department == rc.fire
    assert measures["medical_point"].department == rc.health
    for m in measures.values():
        assert before + dt.timedelta(minutes=14) < m.due_at <= timezone.now() + dt.timedelta(minutes=15)
        task = Task.objects.get(rule__key="response.incident_measure", subject_id=m.pk)
        assert task.responsible_department == m.department
        assert task.due_date == timezone.localdate()
    # The fire brigade's on-duty officer is alerted urgently, by SMS too.
    alert = Alert.objects.get(rule__key="response.measure_task", subject_id=measures["other"].pk)
    assert AlertTarget.objects.filter(alert=alert, user=rc.fire_duty).exists()
    assert Notification.objects.filter(recipient=rc.fire_duty).exists()
    assert Delivery.objects.filter(recipient=rc.fire_duty, channel="sms").exists()


def test_only_the_commander_or_the_on_duty_head_changes_the_level(response_city, city):
    rc = response_city
    incident = _open(rc, rc.officer)
    iii = IncidentLevel.objects.get(code="III")
    with pytest.raises(PermissionDeniedError):
        services.level_change(incident=incident, level=iii, actor=rc.office_staff, reason="x")
    services.level_change(incident=incident, level=iii, actor=rc.officer, reason="态势缓和")
    assert Incident.objects.get(pk=incident.pk).level == iii
    # A leader of the commanding jurisdiction or above (文峰区) may too.
    services.level_change(incident=incident, level=IncidentLevel.objects.get(code="II"), actor=rc.leader, reason="升级")


def test_raising_the_level_activates_the_next_levels_measures(response_city):
    rc = response_city
    incident = services.incident_open(
        actor=rc.officer,
        jurisdiction=rc.zone.jurisdiction,
        title="广场人员聚集",
        level=IncidentLevel.objects.get(code="II"),
    )
    services.plan_activate(incident=incident, plan=rc.plan, actor=rc.officer)
    assert list(incident.measures.values_list("kind", flat=True)) == ["flow_limiting"]
    services.level_change(incident=incident, level=IncidentLevel.objects.get(code="I"), actor=rc.officer, reason="超员")
    assert incident.measures.count() == 4


def test_a_higher_level_request_reaches_the_on_duty_user_and_on_acceptance_moves_command_up(response_city, city):
    rc = response_city
    incident = services.incident_open(
        actor=rc.officer, jurisdiction=city.street, title="东大街人员聚集", level=IncidentLevel.objects.get(code="II")
    )
    assert incident.tier.key == "township"
    request = services.escalation_request(incident=incident, actor=rc.officer, reason="现场警力不足")
    assert request.to_jurisdiction == city.wenfeng
    alert = Alert.objects.get(rule__key="response.higher_level", subject_id=request.pk)
    assert AlertTarget.objects.filter(alert=alert, user=rc.county_emergency_head).exists()
    with pytest.raises(PermissionDeniedError):
        services.escalation_accept(request=request, actor=rc.office_head)  # the township asks, it cannot accept
    accepted = services.escalation_accept(request=request, actor=rc.county_emergency_head)
    assert accepted.window is not None
    incident.refresh_from_db()
    assert incident.command_jurisdiction == city.wenfeng and incident.commander == rc.county_emergency_head
    assert incident.tier.key == "county"
    # The township still sees it and can still act on it.
    assert Incident.objects.visible_to(rc.officer).filter(pk=incident.pk).exists()
    services.log_add(incident=incident, actor=rc.officer, text_="东口已封闭")
    # De-escalation hands command back.
    services.escalation_return(incident=incident, actor=rc.county_emergency_head, reason="态势平稳")
    incident.refresh_from_db()
    assert incident.commander == rc.officer and incident.tier.key == "township"


def test_a_ticket_150_m_from_an_open_gathering_within_30_minutes_matches_and_one_3_km_away_does_not(
    response_city, city, users
):
    rc = response_city
    gathering = report(
        users.grid_worker,
        grid=city.grid,
        latitude=Decimal("36.096800"),
        longitude=Decimal("114.352300"),
        starts_at=timezone.now() - dt.timedelta(minutes=20),
    )
    near, _ = services.report_receive(
        channel="110",
        ticket_number="110-0001",
        place_text="文峰塔广场东侧",
        latitude="36.098150",  # ≈150 m north
        longitude="114.352300",
        caller_phone="13812345678",
        received_at=timezone.now() - dt.timedelta(minutes=10),
    )
    far, _ = services.report_receive(
        channel="12345",
        ticket_number="12345-0001",
        place_text="人民公园",
        latitude="36.123800",  # ≈3 km north
        longitude="114.352300",
    )
    [match] = [m for m in selectors.report_matches(near) if m.kind == "gathering"]
    assert match.obj == gathering and 140 < match.distance_m < 160
    assert any("150" in r or "m away" in r for r in match.reasons)
    assert not [m for m in selectors.report_matches(far) if m.kind == "gathering"]
    assert near.jurisdiction == city.grid  # placed by the gathering nearby
    services.report_link(report=near, actor=rc.officer, gathering=gathering)
    near.refresh_from_db()
    assert near.first_action_at is not None and near.status == "linked"
    [row] = [r for r in selectors.first_action_by_township(user=rc.leader) if r["count"]]
    assert row["township"] == str(city.street)


def test_a_ticket_pushed_twice_is_one_report_and_bad_input_is_refused(response_city):
    first, created = services.report_receive(channel="110", ticket_number="110-9", place_text="广场")
    again, created_again = services.report_receive(channel="110", ticket_number="110-9", place_text="广场")
    assert created and not created_again and first.pk == again.pk
    with pytest.raises(DomainError):
        services.report_receive(channel="110", ticket_number="", place_text="广场")
    with pytest.raises(DomainError):
        services.report_receive(channel="web", place_text="广场", latitude="95", longitude="114")
    assert PublicReport.objects.count() == 1


def test_a_situation_report_is_issued_as_a_numbered_pdf(response_city, django_capture_on_commit_callbacks):
    from notices.services import notice_render
    from tests.notices.pdfcheck import compact, pdf_text

    rc = response_city
    incident = _open(rc, rc.officer)
    with django_capture_on_commit_callbacks(execute=False):
        report_ = services.situation_report_submit(
            incident=incident,
            actor=rc.officer,
            situation="广场主区密度5.2人/㎡，东口拥堵",
            measures="远端控制已落实",
            forces="警力20人到场",
            needs="增派医疗力量",
            next_steps="30分钟后再报",
        )
    assert report_.sequence == 1 and report_.notice is not None and "情" in report_.notice.number
    notice = notice_render(notice_id=report_.notice.pk)
    assert notice is not None
    text = compact(pdf_text(notice.pdf.read()))
    assert notice.number in text and incident.number in text
    for part in (
        "情况报告",
        "广场主区密度5.2人/㎡，东口拥堵",
        "远端控制已落实",
        "警力20人到场",
        "增派医疗力量",
        "30分钟后再报",
    ):
        assert compact(part) in text, part
    incident.refresh_from_db()
    assert incident.next_report_due_at > timezone.now() + dt.timedelta(minutes=25)


def test_a_due_situation_report_is_reminded_once(response_city):
    rc = response_city
    incident = _open(rc, rc.officer)
    Incident.objects.filter(pk=incident.pk).update(next_report_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.reports_remind_due() == 1
    assert services.reports_remind_due() == 0


def test_closing_needs_a_summary(response_city):
    rc = response_city
    incident = _open(rc, rc.officer)
    with pytest.raises(DomainError):
        services.incident_close(incident=incident, actor=rc.officer, summary=" ")
    services.incident_close(incident=incident, actor=rc.officer, summary="人员已疏散，无伤亡")
