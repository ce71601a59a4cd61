"""Task transitions: start, complete with evidence (and the next occurrence of a periodic duty), reassign
with a reason (history kept), cancel, the overdue scan, and who may do each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.common.files import upload_limit
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.choices import TaskStatus
from duties.explain import explain
from duties.models import Task, TaskReassignment
from duties.services import (
    add_months,
    task_bulk_reassign,
    task_bulk_start,
    task_cancel,
    task_complete,
    task_reassign,
    task_start,
    tasks_mark_overdue,
)
from tests.helpers.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
PNG = image_bytes("PNG")
EVIDENCE_MAX_BYTES = upload_limit("evidence")


def test_staff_of_the_responsible_department_start_a_task_and_become_its_person(scenic, linzhou_users):
    task = task_start(task=scenic.industry, actor=linzhou_users.culture_staff)

    assert task.status == TaskStatus.IN_PROGRESS
    assert task.started_at is not None
    assert task.responsible_person == linzhou_users.culture_staff
    entry = ActionLog.objects.filter(verb="started", subject_id=task.pk).get()
    assert (entry.from_state, entry.to_state) == ("open", "in_progress")


def test_a_task_cannot_be_started_twice(scenic, linzhou_users):
    task_start(task=scenic.industry, actor=linzhou_users.culture_staff)
    with pytest.raises(DomainError, match="Only an open task can be started"):
        task_start(task=scenic.industry, actor=linzhou_users.culture_head)


def test_another_department_may_not_start_it(scenic, linzhou_users):
    with pytest.raises(PermissionDeniedError):
        task_start(task=scenic.industry, actor=linzhou_users.fire_staff)
    assert Task.objects.get(pk=scenic.industry.pk).status == TaskStatus.OPEN


def test_completing_keeps_the_note_and_the_files_and_logs_it(scenic, linzhou_users):
    files = [
        SimpleUploadedFile("检查记录.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    ]
    task = task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="已检查，无隐患。", files=files)

    assert task.status == TaskStatus.DONE
    assert task.completion_note == "已检查，无隐患。"
    assert task.completed_by == linzhou_users.culture_staff
    attachments = list(task.attachments.order_by("id"))
    assert [(a.original_name, a.content_type, a.size) for a in attachments] == [
        ("检查记录.pdf", "application/pdf", len(PDF)),
        ("现场.png", "image/png", len(PNG)),
    ]
    assert attachments[0].file.read() == PDF
    assert ActionLog.objects.filter(verb="completed", subject_id=task.pk).get().reason == "已检查，无隐患。"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.exe", b"MZ\x90\x00", "only"),
        ("fake.pdf", b"<html>not a pdf</html>", "is not a valid PDF file"),
        ("photo.jpg", PNG, "is not a valid JPG file"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_evidence_of_the_wrong_type_is_refused_and_nothing_changes(scenic, linzhou_users, name, content, message):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(DomainError, match=message):
        task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="done", files=[upload])
    task = Task.objects.get(pk=scenic.industry.pk)
    assert task.status == TaskStatus.OPEN
    assert task.attachments.count() == 0


def test_evidence_over_the_size_limit_is_refused(scenic, linzhou_users, settings):
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES)
    with pytest.raises(DomainError, match="at most 10 MB is accepted"):
        task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="done", files=[upload])


def test_a_completion_note_is_required(scenic, linzhou_users):
    with pytest.raises(DomainError, match="completion note is required") as excinfo:
        task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="  ")
    assert excinfo.value.field == "note"


def test_completing_a_periodic_duty_creates_the_next_one_due_the_interval_after_completion(scenic, linzhou_users):
    """The industry inspection of a scenic area repeats every 12 months, counted from the completion date."""
    task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="已检查")
    today = timezone.localdate()

    successor = Task.objects.get(rule=scenic.industry.rule, subject_id=scenic.venue.pk, period=2)
    assert successor.previous_id == scenic.industry.pk
    assert successor.status == TaskStatus.OPEN
    assert successor.responsible_department == scenic.industry.responsible_department
    raw_due = add_months(today, 12)
    # A due date on a rest day runs to the next working day (at most a long holiday later).
    assert raw_due <= successor.due_date <= raw_due + dt.timedelta(days=10)
    assert successor.anchor_date == today
    with translation.override("en"):
        sentence = explain(successor.explanation_data)
    assert sentence.startswith("Assigned to 林州市文化广电和旅游局 by rule “旅游景区人员聚集活动安全管理”")
    assert f"12 months after the previous occurrence was completed on {today.isoformat()}" in sentence


def test_a_non_periodic_duty_has_no_successor(linzhou, venues, linzhou_users):
    from duties.services import tasks_evaluate
    from tests.duties.conftest import EVENT_DAY

    ktv = venues.make("星光KTV", kind="entertainment", under=linzhou.village, operator=linzhou.operator)
    fire = next(
        t for t in tasks_evaluate(subject=ktv, event="created", actor=None, moment=EVENT_DAY) if t.basis == "approver"
    )
    task_complete(task=fire, actor=linzhou_users.fire_staff, note="检查合格")
    assert not Task.objects.filter(rule=fire.rule, period=2).exists()


def test_a_done_task_cannot_be_completed_again_and_makes_one_successor(scenic, linzhou_users):
    task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="已检查")
    with pytest.raises(DomainError, match="cannot be completed"):
        task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="again")
    assert Task.objects.filter(rule=scenic.industry.rule, subject_id=scenic.venue.pk).count() == 2


def test_the_venue_operator_completes_its_own_task(scenic, linzhou_users):
    task = task_complete(task=scenic.venue_operator, actor=linzhou_users.operator, note="自查完成")
    assert task.status == TaskStatus.DONE
    with pytest.raises(PermissionDeniedError):
        task_complete(task=scenic.industry, actor=linzhou_users.operator, note="not mine")


def test_a_head_reassigns_to_a_colleague_with_a_reason_and_the_history_is_kept(scenic, linzhou_users, linzhou):
    task = task_reassign(
        task=scenic.industry,
        actor=linzhou_users.culture_head,
        reason="张三负责该片区",
        person=linzhou_users.culture_staff2,
    )
    assert task.responsible_department == linzhou.culture
    assert task.responsible_person == linzhou_users.culture_staff2

    task = task_reassign(
        task=task,
        actor=linzhou_users.culture_head,
        reason="景区属市级重点，由市局负责",
        department=linzhou.city_culture,
    )
    assert task.responsible_department == linzhou.city_culture
    assert task.responsible_person is None

    history = list(TaskReassignment.objects.filter(task=task).order_by("id"))
    assert [(h.from_label, h.to_label, h.reason) for h in history] == [
        (
            "林州市文化广电和旅游局",
            f"林州市文化广电和旅游局 · {linzhou_users.culture_staff2.display_name}",
            "张三负责该片区",
        ),
        (
            f"林州市文化广电和旅游局 · {linzhou_users.culture_staff2.display_name}",
            "安阳市文化广电和旅游局",
            "景区属市级重点，由市局负责",
        ),
    ]
    assert all(h.actor == linzhou_users.culture_head for h in history)
    assert ActionLog.objects.filter(verb="reassigned", subject_id=task.pk).count() == 2


def test_a_reassignment_needs_a_reason(scenic, linzhou_users, linzhou):
    with pytest.raises(DomainError, match="reason") as excinfo:
        task_reassign(task=scenic.industry, actor=linzhou_users.culture_head, reason=" ", department=linzhou.fire)
    assert excinfo.value.field == "reason"
    assert not TaskReassignment.objects.exists()


def test_staff_may_not_reassign_but_the_leader_of_the_territory_may(scenic, linzhou_users, linzhou):
    with pytest.raises(PermissionDeniedError):
        task_reassign(task=scenic.industry, actor=linzhou_users.culture_staff, reason="x", department=linzhou.fire)
    task = task_reassign(task=scenic.industry, actor=linzhou_users.leader, reason="协调", department=linzhou.fire)
    assert task.responsible_department == linzhou.fire


def test_the_person_must_work_for_the_new_holder(scenic, linzhou_users):
    with pytest.raises(DomainError, match="does not work for"):
        task_reassign(
            task=scenic.industry, actor=linzhou_users.culture_head, reason="x", person=linzhou_users.fire_staff
        )


def test_reassigning_an_unassigned_task_assigns_it(linzhou, venues, linzhou_users):
    from duties.services import tasks_evaluate
    from tests.duties.conftest import EVENT_DAY
    from tests.factories import DepartmentFactory

    station = venues.make("林州汽车站", kind="station", under=linzhou.village, operator=linzhou.operator)
    unassigned = next(
        t for t in tasks_evaluate(subject=station, event="created", actor=None, moment=EVENT_DAY) if t.is_unassigned
    )
    transport = DepartmentFactory(name="林州市交通运输局", kind="transport", jurisdiction=linzhou.linzhou)

    task = task_reassign(task=unassigned, actor=linzhou_users.leader, reason="交通局已设立", department=transport)

    assert not task.is_unassigned
    assert TaskReassignment.objects.get(task=task).from_label in ("nobody (unassigned)", "无人（未分派）")


def test_cancel_needs_a_reason_and_a_manager(scenic, linzhou_users):
    with pytest.raises(DomainError, match="reason"):
        task_cancel(task=scenic.industry, actor=linzhou_users.culture_head, reason="")
    with pytest.raises(PermissionDeniedError):
        task_cancel(task=scenic.industry, actor=linzhou_users.culture_staff, reason="不适用")
    task = task_cancel(task=scenic.industry, actor=linzhou_users.culture_head, reason="景区已关闭")
    assert task.status == TaskStatus.CANCELLED
    assert task.cancel_reason == "景区已关闭"
    with pytest.raises(DomainError, match="cannot be cancelled"):
        task_cancel(task=task, actor=linzhou_users.culture_head, reason="again")


def test_the_overdue_scan_marks_late_open_and_in_progress_tasks_once(scenic, linzhou_users):
    task_start(task=scenic.territorial, actor=linzhou_users.township_officer)
    after_due = scenic.industry.due_date + dt.timedelta(days=1)

    assert tasks_mark_overdue(today=after_due, batch_size=2) == 3
    assert tasks_mark_overdue(today=after_due) == 0

    assert set(Task.objects.values_list("status", flat=True)) == {TaskStatus.OVERDUE}
    entry = ActionLog.objects.filter(verb="overdue", subject_id=scenic.territorial.pk).get()
    assert (entry.from_state, entry.to_state, entry.actor_id) == ("in_progress", "overdue", None)
    # An overdue task can still be completed.
    assert task_complete(task=scenic.industry, actor=linzhou_users.culture_staff, note="补做").status == "done"


def test_the_overdue_scan_leaves_tasks_not_yet_due(scenic):
    assert tasks_mark_overdue(today=scenic.industry.due_date) == 0


def test_bulk_start_reports_each_task(scenic, linzhou_users):
    task_start(task=scenic.industry, actor=linzhou_users.culture_staff)
    result = task_bulk_start(tasks=[scenic.industry, scenic.territorial], actor=linzhou_users.culture_head)
    assert result.done == []
    assert [task.pk for task, _ in result.refused] == [scenic.industry.pk, scenic.territorial.pk]


def test_bulk_reassign_needs_a_reason(scenic, linzhou_users, linzhou):
    with pytest.raises(DomainError):
        task_bulk_reassign(
            tasks=[scenic.industry], actor=linzhou_users.culture_head, reason="", department=linzhou.fire
        )
    result = task_bulk_reassign(
        tasks=[scenic.industry], actor=linzhou_users.culture_head, reason="分工调整", person=linzhou_users.culture_staff
    )
    assert [t.responsible_person for t in result.done] == [linzhou_users.culture_staff]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 11, 27), 12, dt.date(2027, 11, 27)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_the_celery_task_runs_the_scan(scenic):
    from duties.tasks import mark_overdue

    Task.objects.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert mark_overdue.apply().get() == 3
    assert mark_overdue.apply().get() == 0


def test_leaders_reassign_but_do_not_complete_a_departments_task(scenic, linzhou_users):
    with pytest.raises(PermissionDeniedError):
        task_complete(task=scenic.industry, actor=linzhou_users.leader, note="代为完成")
    with pytest.raises(PermissionDeniedError):
        task_start(task=scenic.industry, actor=linzhou_users.leader)
