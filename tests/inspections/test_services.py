"""Issue 21 points 1 and 2, through the services: templates are versioned data, answers arrive once per key, a
failed 重大 item becomes a major hazard with its supervising department and deadline, a joint inspection is signed by
each department and completed with its record (a PDF through notices), and the results feed the risk factors."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from crowdsafe.errors import DomainError, PermissionDeniedError
from inspections import services
from inspections.choices import InspectionState, Severity
from inspections.models import ChecklistTemplate, InspectionAnswer, Submission
from risk.choices import HazardLevel
from tests.inspections.conftest import answer_all, photo_upload, photos_for_required

pytestmark = pytest.mark.django_db


def test_the_seeded_checklists_cite_their_basis_and_cover_the_large_event_sections():
    pre_event = ChecklistTemplate.objects.get(code="pre_event", is_current=True)
    titles = list(pre_event.sections.values_list("title", flat=True))
    for needed in (
        "安全出口与疏散通道",
        "消防设施器材",
        "临时搭建设施",
        "安检设备",
        "安保力量配备",
        "医疗救护",
        "应急照明与应急广播",
        "台阶、坡道等部位防护",
    ):
        assert needed in titles
    assert all(item.basis for item in pre_event.items.all())
    assert pre_event.items.filter(basis__contains="《大型群众性活动安全管理条例》第九条").exists()
    assert ChecklistTemplate.objects.filter(code="venue.general", items__basis__contains="GB 50016").exists()
    for kind in ("square", "stadium", "entertainment", "scenic_area", "hospital"):
        assert ChecklistTemplate.objects.filter(code=f"venue.{kind}", is_current=True).exists()


def test_a_template_edited_after_use_keeps_old_inspections_on_their_version(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    old = inspection.template
    assert old.code == "venue.entertainment" and old.version == 1
    item = old.items.get(key="exits_width")
    services.answers_submit(
        inspection=inspection, actor=world.users.staff, key=uuid.uuid4(), answers=[{"item": item.pk, "number": "1.2"}]
    )

    new = services.template_edit(
        template=old, actor=None, items={"exits_width": {"text": "疏散门净宽度不小于1.5米", "threshold": "1.5"}}
    )

    assert new.pk != old.pk and new.version == 2 and new.is_current
    old.refresh_from_db()
    inspection.refresh_from_db()
    assert not old.is_current
    assert inspection.template_id == old.pk  # the inspection keeps its version
    assert old.items.get(key="exits_width").text == "疏散门和安全出口净宽度不小于1.4米（人员密集的公共场所）"
    assert str(inspection.answers.get().item.threshold) == "1.40"
    assert str(new.items.get(key="exits_width").threshold) == "1.50"
    assert new.items.count() == old.items.count()
    # A new inspection uses the new version; an unused version is edited in place.
    again = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    assert again.template_id == new.pk
    third = services.template_edit(template=new, actor=None, values={"name": "KTV安全检查表"})
    assert third.pk != new.pk  # used now by ``again``
    unused = services.template_edit(template=third, actor=None, values={"description": "试行"})
    assert unused.pk == third.pk and unused.version == 3


def test_an_old_version_cannot_be_edited(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    services.template_edit(template=inspection.template, actor=None, values={"name": "新名称"})
    with pytest.raises(DomainError):
        services.template_edit(template=inspection.template, actor=None, values={"name": "又一个"})


def test_a_batch_of_answers_is_applied_once_per_key(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    key = uuid.uuid4()
    item = inspection.template.items.get(key="exits_open")
    first = services.answers_submit(
        inspection=inspection,
        actor=world.users.staff,
        key=key,
        answers=[{"item": item.pk, "answer": "no", "note": "北侧出口上锁"}],
        photos={item.pk: [photo_upload()]},
        latitude="36.097500",
        longitude="114.349000",
        device_time=(timezone.now() - dt.timedelta(hours=2)).isoformat(),
    )
    repeat = services.answers_submit(
        inspection=inspection,
        actor=world.users.staff,
        key=str(key),
        answers=[{"item": item.pk, "answer": "no", "note": "北侧出口上锁"}],
        photos={item.pk: [photo_upload()]},
    )
    assert first["repeat"] is False and repeat["repeat"] is True
    assert (repeat["answered"], repeat["failed"]) == (first["answered"], first["failed"]) == (1, 1)
    assert Submission.objects.filter(key=key).count() == 1
    answer = InspectionAnswer.objects.get(inspection=inspection)
    assert answer.photos.count() == 1  # the repeat's photo was not stored
    inspection.refresh_from_db()
    assert str(inspection.latitude) == "36.097500"
    assert inspection.device_time < timezone.now() - dt.timedelta(hours=1)


def test_a_failed_major_item_becomes_a_major_hazard_with_its_supervising_department_and_deadline(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    item = inspection.template.items.get(key="exits_open")
    assert item.severity == Severity.MAJOR
    services.answers_submit(
        inspection=inspection, actor=world.users.staff, key=uuid.uuid4(), answers=[{"item": item.pk, "answer": "no"}]
    )
    answer = InspectionAnswer.objects.get(inspection=inspection, item=item)

    hazard = services.answer_to_hazard(answer=answer, actor=world.users.staff)

    assert hazard.level == HazardLevel.MAJOR
    assert hazard.supervising_department == world.culture  # entertainment venues: 文广旅 (管行业必须管安全)
    assert hazard.rectification_deadline == timezone.localdate() + dt.timedelta(days=30)
    assert hazard.organisation == world.operator_org
    assert hazard.venue == world.ktv and hazard.source == "inspection"
    assert "《中华人民共和国消防法》第二十八条" in hazard.description
    # One step, once: a second click returns the same hazard.
    assert services.answer_to_hazard(answer=answer, actor=world.users.staff).pk == hazard.pk


def test_a_significant_item_is_an_ordinary_hazard_with_the_shorter_deadline(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    item = inspection.template.items.get(key="exits_width")
    services.answers_submit(
        inspection=inspection, actor=world.users.staff, key=uuid.uuid4(), answers=[{"item": item.pk, "number": "1.1"}]
    )
    hazard = services.answer_to_hazard(answer=inspection.answers.get(), actor=world.users.staff)
    assert hazard.level == HazardLevel.ORDINARY
    assert hazard.rectification_deadline == timezone.localdate() + dt.timedelta(days=7)
    assert "1.1" in hazard.description


def test_a_passed_item_does_not_become_a_hazard(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    item = inspection.template.items.get(key="exits_open")
    services.answers_submit(
        inspection=inspection, actor=world.users.staff, key=uuid.uuid4(), answers=[{"item": item.pk, "answer": "yes"}]
    )
    with pytest.raises(DomainError):
        services.answer_to_hazard(answer=inspection.answers.get(), actor=world.users.staff)


def test_a_joint_inspection_is_signed_by_each_department_and_completed_with_its_record(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv, departments=[world.fire])
    parts = {p.department_id: p for p in inspection.parts.all()}
    assert set(parts) == {world.police.pk, world.fire.pk}
    # The fire brigade's part is the fire equipment section; the police's the rest.
    fire_sections = services.part_sections(parts[world.fire.pk])
    assert list(inspection.template.sections.filter(pk__in=fire_sections).values_list("title", flat=True)) == [
        "消防设施器材"
    ]
    with pytest.raises(DomainError):  # nothing answered yet
        services.part_sign(part=parts[world.fire.pk], actor=world.fire_staff)
    services.answers_submit(
        inspection=inspection,
        actor=world.fire_staff,
        key=uuid.uuid4(),
        answers=answer_all(inspection, failed_keys={"fire_extinguishers"}),
        photos=photos_for_required(inspection),
    )
    with pytest.raises(PermissionDeniedError):  # only its people sign a department's part
        services.part_sign(part=parts[world.fire.pk], actor=world.users.staff)
    services.part_sign(part=parts[world.fire.pk], actor=world.fire_staff, note="灭火器过期2具")
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.IN_PROGRESS
    services.part_sign(part=parts[world.police.pk], actor=world.users.staff)
    inspection.refresh_from_db()
    assert inspection.state == InspectionState.COMPLETED and inspection.failed_count == 1

    from notices.selectors import notices_for
    from notices.services import notice_render

    notice = notices_for(inspection).get()
    assert notice.kind == "inspection_record" and notice.issuer == world.police
    assert notice.title == "星光KTV安全检查记录"
    rendered = notice_render(notice_id=notice.pk)
    assert rendered.pdf
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(rendered.pdf.open("rb")).pages).replace("\n", "")
    assert "灭火器配置齐全" in text and "文峰区消防救援大队" in text


def test_an_inspection_cannot_be_filled_by_an_outsider(world):
    inspection = services.inspection_start(actor=world.users.staff, venue=world.ktv)
    item = inspection.template.items.first()
    with pytest.raises(PermissionDeniedError):
        services.answers_submit(
            inspection=inspection,
            actor=world.users.outsider,
            key=uuid.uuid4(),
            answers=[{"item": item.pk, "answer": "yes"}],
        )
    with pytest.raises(PermissionDeniedError):
        services.inspection_start(actor=world.users.outsider, venue=world.ktv)


def test_completing_the_venue_inspection_settles_the_routine_task_and_the_next_one_is_due_later(world):
    from duties.models import Task

    task = Task.objects.get(rule__key="inspections.venue_routine", subject_id=world.ktv.pk, subject_type="venue")
    assert task.status == "open"
    inspection = services.inspection_start(actor=world.users.township_officer, venue=world.ktv)
    assert not inspection.parts.exists()
    services.answers_submit(
        inspection=inspection,
        actor=world.users.township_officer,
        key=uuid.uuid4(),
        answers=answer_all(inspection),
        photos=photos_for_required(inspection),
    )
    services.inspection_complete(inspection=inspection, actor=world.users.township_officer)
    task.refresh_from_db()
    assert task.status == "done"
    following = Task.objects.get(previous=task)
    assert following.due_date > timezone.localdate() + dt.timedelta(days=80)


def test_the_latest_inspection_weighs_on_the_history_factor(world):
    from risk.services.assessments import factor_hints
    from risk.subjects import subject_info

    inspection = services.inspection_start(actor=world.users.township_officer, venue=world.ktv)
    services.answers_submit(
        inspection=inspection,
        actor=world.users.township_officer,
        key=uuid.uuid4(),
        answers=answer_all(inspection, failed_keys={"exits_open"}),
        photos=photos_for_required(inspection),
    )
    info = subject_info("venue", world.ktv)
    before = factor_hints(info, expected_attendance=None, assessed_for=None)["history"]
    assert before.score == 0
    services.inspection_complete(inspection=inspection, actor=world.users.township_officer)
    after = factor_hints(info, expected_attendance=None, assessed_for=None)["history"]
    assert after.score == 3
    assert "1 major" in after.reason


def test_inspections_are_planned_before_a_key_date_once(world):
    from events.models import KeyDate
    from inspections.choices import Origin
    from inspections.services.rounds import key_date_rounds

    today = dt.date(2026, 9, 24)
    KeyDate.objects.update(is_active=False)  # the seeded calendar (中秋节 falls on 2026-09-25) is not this test's
    KeyDate.objects.create(
        name="国庆节（测试）", rule="fixed", month=10, day=1, lead_days=10, venue_kinds=["entertainment"]
    )
    first = key_date_rounds(today=today)
    assert [i.venue for i in first.created] == [world.ktv]
    inspection = first.created[0]
    assert inspection.origin == Origin.KEY_DATE and inspection.due_on == dt.date(2026, 9, 30)
    assert inspection.template.code == "venue.entertainment"
    again = key_date_rounds(today=today + dt.timedelta(days=1))
    assert again.created == [] and again.skipped == 1
    assert key_date_rounds(today=dt.date(2026, 9, 1)).created == []  # too early
