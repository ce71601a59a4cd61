"""Plan and drill services: validation (nothing changed on bad input), permissions, versions, the drill record,
after-action items as tasks, and the revision loop (演练—评估—修订)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from drills import services
from drills.choices import DrillStatus, ItemStatus, OwnerKind, PlanKind, ScopeKind
from drills.duties import AFTER_ACTION_ITEM
from drills.models import AfterActionItem, Drill, EmergencyPlan, PlanVersion
from duties.choices import TaskStatus
from duties.models import Task
from tests.drills.conftest import make_plan, pdf_upload, photo_upload

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SOON = TODAY + dt.timedelta(days=30)


# --- plans -----------------------------------------------------------------------------------------------


def test_creating_a_plan_stores_its_measures_contacts_first_version_and_timeline(world):
    plan = make_plan(world, actor=world.operator)
    assert plan.jurisdiction == world.city.grid and plan.jurisdiction_path == world.city.grid.path
    assert plan.current_version == 1
    version = plan.versions.get()
    assert version.content_type == "application/pdf" and len(version.sha256) == 64
    assert [m.kind for m in plan.measures.all()] == ["flow_limiting"]
    assert plan.contacts.get().duty_phone == "0372-5990110"
    assert plan.drill_interval_months == 6  # a venue's plan: the venue rule's interval
    verbs = set(ActionLog.objects.filter(subject_id=plan.pk).values_list("verb", flat=True))
    assert {"created", "version_added"} <= verbs


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("预案.exe", b"MZ..."), "only DOC, DOCX, PDF, WPS files are accepted"),
        (SimpleUploadedFile("预案.pdf", b"not a pdf at all"), "is not a valid PDF file"),
        (SimpleUploadedFile("预案.pdf", b""), "is empty"),
    ],
)
def test_a_bad_plan_file_is_refused_and_nothing_is_created(world, upload, message):
    with pytest.raises(DomainError, match=message):
        services.plan_create(
            actor=None,
            title="预案",
            kind=PlanKind.OVERALL,
            owner_kind=OwnerKind.VENUE_OPERATOR,
            owner=world.operator_org,
            scope_kind=ScopeKind.VENUE,
            venue=world.mall,
            file=upload,
        )
    assert not EmergencyPlan.objects.exists()


def test_a_too_large_plan_file_is_refused(world, settings, monkeypatch):
    settings.UPLOAD_LIMITS = {**settings.UPLOAD_LIMITS, "plan": 10}
    with pytest.raises(DomainError, match="MB is accepted"):
        make_plan(world)
    assert not EmergencyPlan.objects.exists()


def test_a_measure_without_who_does_it_is_refused(world):
    with pytest.raises(DomainError, match="who does it") as info:
        make_plan(world, measures=[{"alert_level": "red", "kind": "one_way", "action": "单向通行", "responsible": ""}])
    assert info.value.field == "measures"
    assert not EmergencyPlan.objects.exists()


def test_a_contact_with_a_bad_phone_is_refused(world):
    with pytest.raises(DomainError) as info:
        make_plan(world, contacts=[{"name": "张三", "role": "联络员", "phone": "abc"}])
    assert info.value.field == "contacts"


def test_an_outsider_may_not_create_a_plan_for_someone_elses_venue(world):
    with pytest.raises(PermissionDeniedError):
        make_plan(world, actor=world.users.organizer)
    with pytest.raises(PermissionDeniedError):
        make_plan(world, actor=world.users.outsider)


def test_the_territorys_coordinators_create_plans_for_its_venues(world):
    plan = make_plan(world, actor=world.users.township_officer)
    assert plan.owner == world.operator_org
    assert make_plan(world, actor=world.emergency_staff, title="另一预案").pk


def test_a_second_version_needs_a_summary_and_a_new_file(world):
    plan = make_plan(world)
    with pytest.raises(DomainError, match="Summarise what changed"):
        services.plan_version_add(plan=plan, actor=world.operator, file=pdf_upload(body=b"v2"), summary_of_changes="")
    with pytest.raises(DomainError, match="same as the current version"):
        services.plan_version_add(plan=plan, actor=world.operator, file=pdf_upload(), summary_of_changes="无变化")
    version = services.plan_version_add(
        plan=plan, actor=world.operator, file=pdf_upload(body=b"v2"), summary_of_changes="增加北门疏散路线"
    )
    assert version.number == 2
    plan.refresh_from_db()
    assert plan.current_version == 2
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_updating_a_plan_replaces_its_measures_and_logs_the_changes(world):
    plan = make_plan(world)
    services.plan_update(
        plan=plan,
        actor=world.operator,
        data={"title": "万达广场应急预案（2026修订）", "evacuation_target_minutes": "6"},
        measures=[
            {"alert_level": "yellow", "kind": "upstream_holding", "action": "地铁口远端控制", "responsible": "派出所"},
            {"alert_level": "red", "kind": "let_out_block_in", "action": "只出不进", "responsible": "安保部"},
        ],
    )
    plan.refresh_from_db()
    assert plan.title.endswith("修订）") and str(plan.evacuation_target_minutes) == "6.0"
    assert [m.kind for m in plan.measures.all()] == ["upstream_holding", "let_out_block_in"]
    entry = ActionLog.objects.filter(subject_id=plan.pk, verb="updated").get()
    assert "measures" in entry.data["changes"]


def test_a_partner_may_see_but_not_change_a_plan(world):
    plan = make_plan(world)
    with pytest.raises(PermissionDeniedError):
        services.plan_update(plan=plan, actor=world.users.staff, data={"title": "x"})


# --- drills ----------------------------------------------------------------------------------------------


def test_a_planned_drill_cannot_be_in_the_past(world):
    plan = make_plan(world)
    with pytest.raises(DomainError, match="cannot be in the past"):
        services.drill_schedule(
            plan=plan, actor=world.operator, scheduled_for=timezone.now() - dt.timedelta(days=2), scenario="s"
        )
    assert not Drill.objects.exists()


def test_planning_then_recording_a_drill_with_photos_and_the_evacuation_time(world):
    plan = make_plan(world)
    drill = services.drill_schedule(
        plan=plan,
        actor=world.operator,
        scheduled_for=timezone.now() + dt.timedelta(days=3),
        scenario="中庭大客流踩踏险情",
        place="万达广场中庭",
        departments=[world.fire],
        public_participants=40,
    )
    assert drill.status == DrillStatus.PLANNED and drill.public_participation
    recorded = services.drill_record(
        actor=world.operator,
        drill=drill,
        held_on=TODAY,
        narrative="启动橙色响应，分流限流后疏散",
        duration_minutes=45,
        participants_count=120,
        evacuation_minutes="9.5",
        evacuated_people=800,
        problems="北门疏散指示不清",
        photos=[photo_upload(), photo_upload("二.png", (0, 0, 200))],
    )
    assert recorded.status == DrillStatus.HELD
    assert recorded.evacuation_target_minutes == plan.evacuation_target_minutes
    assert recorded.evacuation_met is False  # 9.5 min against a target of 8
    assert recorded.photos.count() == 2
    assert list(recorded.departments.all()) == [world.fire]
    with pytest.raises(DomainError, match="cannot be recorded again"):
        services.drill_record(actor=world.operator, drill=drill, held_on=TODAY, narrative="again")


def test_a_drill_cannot_be_recorded_before_it_is_held_nor_without_what_happened(world):
    plan = make_plan(world)
    with pytest.raises(DomainError, match="before it is held"):
        services.drill_record(
            actor=world.operator, plan=plan, held_on=TODAY + dt.timedelta(days=1), scenario="s", narrative="n"
        )
    with pytest.raises(DomainError) as info:
        services.drill_record(actor=world.operator, plan=plan, held_on=TODAY, scenario="s", narrative="  ")
    assert info.value.field == "narrative"
    assert not Drill.objects.exists()


def test_a_bad_photo_rolls_back_the_whole_record(world):
    plan = make_plan(world)
    with pytest.raises(DomainError):
        services.drill_record(
            actor=world.operator,
            plan=plan,
            held_on=TODAY,
            scenario="s",
            narrative="n",
            photos=[SimpleUploadedFile("x.png", b"not an image")],
        )
    assert not Drill.objects.exists()
    plan.refresh_from_db()
    assert plan.last_drilled_on is None


def test_cancelling_a_planned_drill_needs_a_reason(world):
    plan = make_plan(world)
    drill = services.drill_schedule(
        plan=plan, actor=world.operator, scheduled_for=timezone.now() + dt.timedelta(days=3), scenario="s"
    )
    with pytest.raises(DomainError):
        services.drill_cancel(drill=drill, actor=world.operator, reason="")
    services.drill_cancel(drill=drill, actor=world.operator, reason="暴雨预警，改期")
    drill.refresh_from_db()
    assert drill.status == DrillStatus.CANCELLED


# --- after-action items and the revision loop --------------------------------------------------------------


def record_with_two_items(world, plan):
    return services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=TODAY,
        scenario="中庭踩踏险情",
        narrative="n",
        items=[
            services.ItemSpec(description="增设北门疏散指示标志", owner=world.operator_org, due_date=SOON),
            services.ItemSpec(
                description="修订预案：增加远端控制点位",
                owner=world.operator_org,
                due_date=SOON,
                requires_plan_revision=True,
            ),
        ],
    )


def test_recording_a_drill_with_two_after_action_items_creates_two_tasks(world):
    """Acceptance: two items → two tasks, held by the items' owners, due on their due dates."""
    plan = make_plan(world)
    drill = record_with_two_items(world, plan)
    items = list(drill.items.order_by("pk"))
    assert len(items) == 2
    tasks = list(Task.objects.filter(rule__key=AFTER_ACTION_ITEM, subject_type="after_action_item").order_by("pk"))
    assert len(tasks) == 2
    assert [t.subject_id for t in tasks] == [i.pk for i in items]
    assert all(t.responsible_organisation == world.operator_org for t in tasks)
    assert all(t.due_date >= SOON for t in tasks)


def test_an_item_can_be_held_by_a_department_or_a_street(world):
    plan = make_plan(world)
    drill = services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=TODAY,
        scenario="s",
        narrative="n",
        items=[
            services.ItemSpec(description="消防通道占用", owner=world.fire, due_date=SOON),
            services.ItemSpec(description="周边交通疏导", owner=world.city.street, due_date=SOON),
        ],
    )
    holders = {t.subject_id: t.holder for t in Task.objects.filter(rule__key=AFTER_ACTION_ITEM)}
    items = list(drill.items.order_by("pk"))
    assert holders[items[0].pk] == world.fire
    assert holders[items[1].pk] == world.city.street


def test_an_item_due_in_the_past_is_refused(world):
    plan = make_plan(world)
    with pytest.raises(DomainError, match="Item 1"):
        services.drill_record(
            actor=world.operator,
            plan=plan,
            held_on=TODAY,
            scenario="s",
            narrative="n",
            items=[services.ItemSpec(description="x", owner=world.fire, due_date=TODAY - dt.timedelta(days=1))],
        )
    assert not Drill.objects.exists() and not AfterActionItem.objects.exists()


def test_closing_an_ordinary_item_settles_its_task(world):
    plan = make_plan(world)
    item = record_with_two_items(world, plan).items.order_by("pk").first()
    services.item_close(item=item, actor=world.operator, note="已增设标志")
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED
    assert Task.objects.get(subject_type="after_action_item", subject_id=item.pk).status == TaskStatus.DONE


def test_closing_the_item_that_requires_a_revision_needs_a_new_plan_version(world):
    """Acceptance: the revision loop (演练—评估—修订) is enforced by the service."""
    plan = make_plan(world)
    item = record_with_two_items(world, plan).items.get(requires_plan_revision=True)
    with pytest.raises(DomainError, match="requires a revision of the plan") as info:
        services.item_close(item=item, actor=world.operator, note="已修订")
    assert info.value.code == "revision_required"
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    assert Task.objects.get(subject_type="after_action_item", subject_id=item.pk).status == TaskStatus.OPEN

    services.item_close(
        item=item,
        actor=world.operator,
        note="预案已修订",
        file=pdf_upload(body=b"revised"),
        summary_of_changes="增加远端控制点位（演练问题整改）",
    )
    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.status == ItemStatus.CLOSED
    assert item.resolved_by_version.number == 2 == plan.current_version
    assert Task.objects.get(subject_type="after_action_item", subject_id=item.pk).status == TaskStatus.DONE


def test_a_version_uploaded_before_closing_counts_but_an_older_one_does_not(world):
    plan = make_plan(world)
    item = record_with_two_items(world, plan).items.get(requires_plan_revision=True)
    first = plan.versions.get(number=1)
    with pytest.raises(DomainError, match="requires a revision"):
        services.item_close(item=item, actor=world.operator, note="x", version=first)
    services.plan_version_add(plan=plan, actor=world.operator, file=pdf_upload(body=b"v2"), summary_of_changes="修订")
    services.item_close(item=item, actor=world.operator, note="已按修订版执行")
    item.refresh_from_db()
    assert item.resolved_by_version.number == 2


def test_the_items_holder_may_close_it_but_an_outsider_may_not(world):
    plan = make_plan(world)
    drill = services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=TODAY,
        scenario="s",
        narrative="n",
        items=[
            services.ItemSpec(
                description="清理消防通道", owner=world.users.staff.memberships.get().department, due_date=SOON
            )
        ],
    )
    item = drill.items.get()
    with pytest.raises(PermissionDeniedError):
        services.item_close(item=item, actor=world.users.outsider, note="x")
    services.item_close(item=item, actor=world.users.staff, note="已清理")
    with pytest.raises(DomainError, match="already closed"):
        services.item_close(item=item, actor=world.users.staff, note="again")
