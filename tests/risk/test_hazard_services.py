"""Hazards: reporting with photos, the responsible unit and the supervising department by rule, the ordinary
hazard closed with a photo (or fixed on the spot), the major hazard's plan and verification, extensions,
cancelling."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from risk import services
from risk.models import Hazard
from risk.subjects import subject_info
from tests.risk.conftest import hazard, photo

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def tasks_of(h):
    return {t.rule.key: t for t in Task.objects.filter(subject_type="hazard", subject_id=h.pk)}


def plan_data(**kwargs):
    return {
        "goal": "拆除违规展架，恢复疏散通道净宽",
        "measures": "清理展架；划设禁止占用标线；每日巡查",
        "funds_yuan": "12000",
        "people": "安全主管周敏及物业维修班组",
        "deadline": TODAY() + dt.timedelta(days=5),
        "interim_measures": "设专人值守，限制东侧入口客流",
        **kwargs,
    }


def test_a_hazard_is_reported_with_photos_and_its_duties_follow_the_rules(venue, users, depts, operator):
    h = hazard(venue, users.grid_worker, photos=[photo(), photo("b.png", fmt="PNG")])
    assert h.state == "open"
    assert h.organisation == operator.organisation
    assert h.photos.filter(stage="found").count() == 2
    # A square: the township supervises it (属地).
    assert h.supervising_department == depts.street_office
    tasks = tasks_of(h)
    assert tasks["risk.hazard_rectification"].responsible_organisation == operator.organisation
    assert tasks["risk.hazard_rectification"].due_date >= h.rectification_deadline
    assert tasks["risk.hazard_supervision_territorial"].responsible_department == depts.street_office
    assert "risk.major_hazard_plan" not in tasks


def test_the_industry_department_supervises_a_scenic_area_hazard(scenic, users, depts):
    h = hazard(scenic, users.grid_worker, level="major")
    assert h.supervising_department == depts.culture
    tasks = tasks_of(h)
    assert tasks["risk.hazard_supervision_culture_tourism"].responsible_department == depts.culture
    assert "risk.major_hazard_plan" in tasks


def test_an_ordinary_hazard_is_closed_with_a_photo_of_the_fix(venue, users, operator, depts):
    h = hazard(venue, users.grid_worker)
    with pytest.raises(DomainError) as err:
        services.hazard_close(hazard=h, actor=operator.user, note="已清理")
    assert err.value.field == "photos"
    h.refresh_from_db()
    assert h.state == "open"
    services.hazard_close(hazard=h, actor=operator.user, note="已清理展架", photos=[photo("fixed.jpg")])
    h.refresh_from_db()
    assert h.state == "closed"
    assert h.closed_by == operator.user
    assert h.photos.filter(stage="fixed").count() == 1
    assert {t.status for t in tasks_of(h).values()} == {"done"}


def test_an_ordinary_hazard_fixed_on_the_spot_is_closed_at_once_and_owes_nothing(venue, users, depts):
    info_hazard = services.hazard_report(
        actor=users.grid_worker,
        data={
            "title": "消防通道被电动车占用",
            "description": "北侧消防通道停放电动车三辆",
            "level": "ordinary",
            "source": "patrol",
            "location": "北侧消防通道",
            "rectification_deadline": TODAY(),
        },
        subject=subject_info("venue", venue),
        photos=[photo()],
        fixed_on_spot=True,
        fix_note="当场挪走",
        fix_photos=[photo("after.jpg")],
    )
    assert info_hazard.state == "closed"
    assert info_hazard.supervising_department == depts.street_office  # by rule, even with no task
    assert not tasks_of(info_hazard)


def test_fixing_on_the_spot_needs_a_photo_and_an_ordinary_hazard(venue, users):
    data = {
        "title": "x",
        "description": "y",
        "level": "ordinary",
        "location": "z",
        "rectification_deadline": TODAY(),
    }
    with pytest.raises(DomainError) as err:
        services.hazard_report(
            actor=users.grid_worker, data=data, subject=subject_info("venue", venue), fixed_on_spot=True, fix_note="ok"
        )
    assert err.value.field == "fix_photos"
    with pytest.raises(DomainError):
        services.hazard_report(
            actor=users.grid_worker,
            data={**data, "level": "major"},
            subject=subject_info("venue", venue),
            fixed_on_spot=True,
            fix_note="ok",
            fix_photos=[photo()],
        )
    assert not Hazard.objects.exists()


def test_a_major_hazard_cannot_be_closed_without_a_verification_inspection(venue, users, operator, depts):
    h = hazard(venue, users.grid_worker, level="major")
    with pytest.raises(DomainError):
        services.hazard_close(hazard=h, actor=operator.user, note="已整改", photos=[photo()])
    with pytest.raises(DomainError):
        services.hazard_report_fixed(hazard=h, actor=operator.user, note="已整改")  # no plan yet
    with pytest.raises(DomainError) as err:
        services.hazard_submit_plan(hazard=h, actor=operator.user, data=plan_data(interim_measures=""))
    assert err.value.field == "interim_measures"
    services.hazard_submit_plan(hazard=h, actor=operator.user, data=plan_data())
    h.refresh_from_db()
    assert h.state == "rectifying"
    assert tasks_of(h)["risk.major_hazard_plan"].status == "done"
    services.hazard_report_fixed(hazard=h, actor=operator.user, note="展架已拆除", photos=[photo()])
    h.refresh_from_db()
    assert h.state == "awaiting_verification"
    # Still not closable by hand, even with photos: only the verification closes it.
    with pytest.raises(DomainError):
        services.hazard_close(hazard=h, actor=users.township_officer, note="看过了", photos=[photo()])
    assert not services.hazard_verified_fixed(h)
    verify_task = tasks_of(h)["risk.major_hazard_verification"]
    assert verify_task.responsible_department == depts.street_office
    # The unit cannot verify its own fix.
    with pytest.raises(PermissionDeniedError):
        services.hazard_verify(
            hazard=h, actor=operator.user, inspected_on=TODAY(), outcome="fixed", findings="自查合格"
        )
    # Not fixed: back to rectification; the verification duty stays open.
    services.hazard_verify(
        hazard=h, actor=users.township_officer, inspected_on=TODAY(), outcome="not_fixed", findings="通道仍被占用"
    )
    h.refresh_from_db()
    assert h.state == "rectifying"
    assert tasks_of(h)["risk.major_hazard_verification"].status == "open"
    services.hazard_report_fixed(hazard=h, actor=operator.user, note="再次清理")
    services.hazard_verify(
        hazard=h,
        actor=users.township_officer,
        inspected_on=TODAY(),
        outcome="fixed",
        findings="通道净宽恢复至2米",
        photos=[photo()],
    )
    h.refresh_from_db()
    assert h.state == "closed"
    assert services.hazard_verified_fixed(h)
    assert tasks_of(h)["risk.major_hazard_verification"].status == "done"


def test_photos_over_the_limits_are_refused(venue, users):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg")
    text = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    fake = SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg")
    for upload in (big, text, fake):
        with pytest.raises(DomainError) as err:
            hazard(venue, users.grid_worker, photos=[upload])
        assert err.value.field == "photos"
    with pytest.raises(DomainError):
        hazard(venue, users.grid_worker, photos=[photo(f"{i}.jpg") for i in range(7)])
    assert not Hazard.objects.exists()


def test_an_extension_is_asked_for_with_reasons_and_decided(venue, users, operator, depts):
    h = hazard(venue, users.grid_worker)
    later = h.rectification_deadline + dt.timedelta(days=10)
    with pytest.raises(DomainError):
        services.hazard_request_extension(hazard=h, actor=operator.user, reason="", requested_deadline=later)
    with pytest.raises(DomainError):
        services.hazard_request_extension(
            hazard=h, actor=operator.user, reason="材料未到", requested_deadline=h.rectification_deadline
        )
    ext = services.hazard_request_extension(
        hazard=h, actor=operator.user, reason="防火门需定制", requested_deadline=later
    )
    with pytest.raises(DomainError):
        services.hazard_request_extension(hazard=h, actor=operator.user, reason="再延", requested_deadline=later)
    with pytest.raises(PermissionDeniedError):
        services.hazard_decide_extension(extension=ext, actor=operator.user, approve=True)
    with pytest.raises(DomainError):
        services.hazard_decide_extension(extension=ext, actor=users.township_officer, approve=False, note="")
    before = tasks_of(h)["risk.hazard_rectification"].due_date
    services.hazard_decide_extension(extension=ext, actor=users.township_officer, approve=True, note="同意")
    h.refresh_from_db()
    assert h.rectification_deadline == later
    # The rectification and supervision duties are counted again from the new deadline.
    tasks = tasks_of(h)
    assert tasks["risk.hazard_rectification"].due_date >= later > before
    assert tasks["risk.hazard_supervision_territorial"].due_date == tasks["risk.hazard_rectification"].due_date
    assert later.isoformat() in tasks["risk.hazard_rectification"].explanation_data["anchor"]
    ext.refresh_from_db()
    assert ext.state == "approved"
    with pytest.raises(DomainError):
        services.hazard_decide_extension(extension=ext, actor=users.township_officer, approve=False, note="x")


def test_a_hazard_recorded_in_error_is_cancelled_with_its_duties(venue, users, operator):
    h = hazard(venue, users.grid_worker, level="major")
    with pytest.raises(PermissionDeniedError):
        services.hazard_cancel(hazard=h, actor=operator.user, reason="不是隐患")
    services.hazard_cancel(hazard=h, actor=users.township_officer, reason="重复登记")
    h.refresh_from_db()
    assert h.state == "cancelled"
    assert {t.status for t in tasks_of(h).values()} == {"cancelled"}


def test_a_hazard_off_any_venue_is_placed_in_a_grid_and_needs_a_responsible_unit(city, users, depts):
    data = {
        "title": "临时舞台无验收",
        "description": "街头促销搭建舞台，未经验收",
        "level": "ordinary",
        "source": "patrol",
        "location": "东大街与中华路交叉口",
        "rectification_deadline": TODAY() + dt.timedelta(days=1),
    }
    with pytest.raises(DomainError) as err:
        services.hazard_report(actor=users.grid_worker, data=data, jurisdiction=city.grid)
    assert err.value.field == "responsible_unit_name"
    h = services.hazard_report(
        actor=users.grid_worker, data={**data, "responsible_unit_name": "某商贸公司"}, jurisdiction=city.grid
    )
    assert h.venue is None
    assert h.supervising_department == depts.street_office
    with pytest.raises(DomainError):
        services.hazard_report(actor=users.grid_worker, data=data, jurisdiction=city.wenfeng)
    with pytest.raises(PermissionDeniedError):
        services.hazard_report(
            actor=users.outsider, data={**data, "responsible_unit_name": "x"}, jurisdiction=city.grid
        )


def test_an_approved_extension_reopens_an_overdue_rectification_duty(venue, users, operator):
    from duties.services import tasks_mark_overdue

    h = hazard(
        venue,
        users.grid_worker,
        found_on=TODAY() - dt.timedelta(days=10),
        rectification_deadline=TODAY() - dt.timedelta(days=3),
    )
    tasks_mark_overdue()
    assert tasks_of(h)["risk.hazard_rectification"].status == "overdue"
    ext = services.hazard_request_extension(
        hazard=h, actor=operator.user, reason="防火门需定制", requested_deadline=TODAY() + dt.timedelta(days=5)
    )
    services.hazard_decide_extension(extension=ext, actor=users.township_officer, approve=True)
    task = tasks_of(h)["risk.hazard_rectification"]
    assert task.status == "open"
    assert task.due_date >= TODAY() + dt.timedelta(days=5)
