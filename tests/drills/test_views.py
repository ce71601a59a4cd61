"""The plan and drill pages: scoped (owner allowed, partner where granted, outsider 404), thin over the services,
with fixed query counts on the lists, empty states, the calendar, compliance and its export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from drills import services
from drills.choices import DrillStatus, ItemStatus
from drills.models import Drill, EmergencyPlan
from duties.models import Task
from tests.drills.conftest import client_for, make_plan, pdf_upload, photo_upload
from tests.helpers.access import assert_scoped_access

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(world):
    return make_plan(world)


@pytest.fixture
def held(world, plan):
    return services.drill_record(
        actor=world.operator,
        plan=plan,
        held_on=TODAY,
        scenario="中庭踩踏险情",
        narrative="全员疏散",
        evacuation_minutes="7.5",
        photos=[photo_upload()],
        items=[
            services.ItemSpec(
                description="修订预案",
                owner=world.operator_org,
                due_date=TODAY + dt.timedelta(days=20),
                requires_plan_revision=True,
            )
        ],
    )


# --- scoping ---------------------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_plans_and_drills_outside_their_scope(world, plan, held):
    """Acceptance: owner and territory allowed, partner once granted, outsider 404 — pages, files and photos."""
    from crowdsafe.org.choices import Role
    from tests.factories import DepartmentFactory, UserFactory, member

    other_fire = DepartmentFactory(name="北关区消防救援大队", kind="fire_rescue", jurisdiction=world.city.beiguan)
    partner = member(UserFactory(username="u_partner"), role=Role.STAFF, department=other_fire).user
    services.plan_share(plan=plan, department=other_fire, actor=world.operator, reason="联合演练")
    photo = held.photos.get()
    urls = [
        reverse("drills:plan_detail", args=[plan.pk]),
        reverse("drills:version_download", args=[plan.pk, 1]),
        reverse("drills:drill_detail", args=[held.pk]),
        reverse("drills:drill_photo", args=[held.pk, photo.pk]),
    ]
    for url in urls:
        assert_scoped_access(url, owner=world.operator, partner=partner, outsider=world.users.outsider)
        assert_scoped_access(url, owner=world.users.township_officer, outsider=world.users.organizer)
    item = held.items.get()
    assert_scoped_access(
        reverse("drills:item_close", args=[item.pk]), owner=world.operator, outsider=world.users.outsider
    )


def test_forms_of_a_plan_the_user_may_only_see_are_403(world, plan, held):
    client = client_for(world.users.staff)  # police in the district: sees the territory, does not keep the plan
    assert client.get(reverse("drills:plan_detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("drills:plan_edit", args=[plan.pk])).status_code == 403
    assert client.get(reverse("drills:drill_schedule", args=[plan.pk])).status_code == 403
    assert client.get(reverse("drills:item_add", args=[held.pk])).status_code == 403


def test_the_lists_leave_out_what_the_user_may_not_see(world, plan, held):
    for name in ("drills:plan_list", "drills:drill_list", "drills:item_list", "drills:calendar"):
        html = client_for(world.users.outsider).get(reverse(name)).content.decode()
        assert plan.title not in html, name
        html = client_for(world.operator).get(reverse(name)).content.decode()
        assert plan.title in html, name


# --- query counts ----------------------------------------------------------------------------------------


def _pinned(client, url, grow, django_assert_max_num_queries, params=None):
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, params or {}).status_code == 200


def test_the_plan_list_keeps_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    make_plan(world, file=False, title="预案0")

    def grow():
        for i in range(1, 30):
            make_plan(world, file=False, title=f"预案{i}")

    _pinned(client_for(world.operator), reverse("drills:plan_list"), grow, django_assert_max_num_queries)


def test_the_drill_list_and_calendar_keep_a_fixed_number_of_queries(world, plan, django_assert_max_num_queries):
    def record(n):
        for i in range(n):
            services.drill_record(
                actor=None, plan=plan, held_on=TODAY - dt.timedelta(days=i), scenario=f"s{i}", narrative="n"
            )

    record(1)
    client = client_for(world.operator)
    _pinned(client, reverse("drills:drill_list"), lambda: record(25), django_assert_max_num_queries)
    _pinned(client, reverse("drills:calendar"), lambda: record(5), django_assert_max_num_queries)


def test_the_item_list_keeps_a_fixed_number_of_queries(world, plan, django_assert_max_num_queries):
    def raise_items(n):
        services.drill_record(
            actor=None,
            plan=plan,
            held_on=TODAY,
            scenario="s",
            narrative="n",
            items=[
                services.ItemSpec(description=f"问题{i}", owner=world.fire, due_date=TODAY + dt.timedelta(days=9))
                for i in range(n)
            ],
        )

    raise_items(1)
    _pinned(
        client_for(world.operator), reverse("drills:item_list"), lambda: raise_items(20), django_assert_max_num_queries
    )


# --- pages -----------------------------------------------------------------------------------------------


def test_the_plan_page_shows_measures_contacts_versions_drills_duties_and_history(world, plan, held):
    html = client_for(world.operator).get(reverse("drills:plan_detail", args=[plan.pk])).content.decode()
    for text in ("关闭北入口，分批放行", "刘志强", "0372-5990110", "Version 1", "中庭踩踏险情", "修订预案"):
        assert text in html, text
    assert 'data-section="duties"' in html and 'data-section="timeline"' in html
    assert "data-subject-tasks" in html  # the on-site/venue duties table or its empty state


def test_the_drill_page_shows_the_evacuation_against_the_target_photos_items_and_tasks(world, plan, held):
    html = client_for(world.operator).get(reverse("drills:drill_detail", args=[held.pk])).content.decode()
    assert "data-evacuation-met" in html  # 7.5 min against a target of 8
    assert reverse("drills:drill_photo", args=[held.pk, held.photos.get().pk]) in html
    assert "修订预案" in html and 'data-section="timeline"' in html
    assert "Open" in html  # the item's task status


def test_creating_a_plan_through_the_page_with_measures_and_a_document(world):
    client = client_for(world.operator)
    url = reverse("drills:plan_create")
    page = client.get(url, {"venue": world.mall.pk})
    assert page.status_code == 200
    data = {
        "title": "万达广场现场处置方案",
        "kind": "on_site",
        "owner": f"organisation:{world.operator_org.pk}",
        "scope_kind": "venue",
        "venue": str(world.mall.pk),
        "evacuation_target_minutes": "6",
        "measures-TOTAL_FORMS": "2",
        "measures-INITIAL_FORMS": "0",
        "measures-0-alert_level": "red",
        "measures-0-kind": "let_out_block_in",
        "measures-0-action": "只出不进",
        "measures-0-responsible": "安保部",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "刘志强",
        "contacts-0-role": "总指挥",
        "contacts-0-phone": "13800000102",
        "file": pdf_upload(),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = EmergencyPlan.objects.get(title="万达广场现场处置方案")
    assert plan.current_version == 1 and plan.measures.count() == 1 and plan.contacts.count() == 1


def test_a_bad_upload_on_the_page_shows_the_message_and_creates_nothing(world):
    client = client_for(world.operator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("drills:plan_create"),
        {
            "title": "坏文件",
            "kind": "overall",
            "owner": f"organisation:{world.operator_org.pk}",
            "scope_kind": "venue",
            "venue": str(world.mall.pk),
            "measures-TOTAL_FORMS": "0",
            "measures-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
            "file": SimpleUploadedFile("坏.pdf", b"nope"),
        },
    )
    assert response.status_code == 200
    assert "is not a valid PDF file" in response.content.decode()
    assert not EmergencyPlan.objects.exists()


def test_planning_and_recording_a_drill_through_the_pages(world, plan):
    client = client_for(world.operator)
    when = timezone.localtime() + dt.timedelta(days=5)
    response = client.post(
        reverse("drills:drill_schedule", args=[plan.pk]),
        {
            "scheduled_for": when.strftime("%Y-%m-%dT%H:%M"),
            "form": "full_scale",
            "scenario": "踩踏险情",
            "place": "中庭",
            "departments": [world.fire.pk],
        },
    )
    assert response.status_code == 302
    drill = Drill.objects.get()
    assert drill.status == DrillStatus.PLANNED
    response = client.post(
        reverse("drills:drill_record", args=[drill.pk]),
        {
            "held_on": TODAY.isoformat(),
            "form": "full_scale",
            "scenario": "踩踏险情",
            "narrative": "按预案疏散",
            "evacuation_minutes": "9",
            "items-TOTAL_FORMS": "3",
            "items-INITIAL_FORMS": "0",
            "items-0-description": "北门指示不清",
            "items-0-owner": f"organisation:{world.operator_org.pk}",
            "items-0-due_date": (TODAY + dt.timedelta(days=10)).isoformat(),
            "items-1-description": "消防通道占用",
            "items-1-owner": f"department:{world.fire.pk}",
            "items-1-due_date": (TODAY + dt.timedelta(days=10)).isoformat(),
            "photos": [photo_upload()],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    drill.refresh_from_db()
    assert drill.status == DrillStatus.HELD and drill.photos.count() == 1
    assert Task.objects.filter(subject_type="after_action_item").count() == 2


def test_closing_a_revision_item_on_the_page_needs_the_revised_plan(world, plan, held):
    item = held.items.get()
    client = client_for(world.operator)
    url = reverse("drills:item_close", args=[item.pk])
    response = client.post(url, {"note": "已修订"})
    assert response.status_code == 200
    assert "requires a revision of the plan" in response.content.decode()
    response = client.post(url, {"note": "已修订", "file": pdf_upload(body=b"v2"), "summary_of_changes": "增加点位"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.resolved_by_version.number == 2


def test_the_calendar_shows_the_months_drills_and_due_dates_and_navigates(world, plan):
    services.drill_schedule(
        plan=plan, actor=world.operator, scheduled_for=timezone.now() + dt.timedelta(days=1), scenario="夜间演练"
    )
    client = client_for(world.operator)
    html = client.get(reverse("drills:calendar")).content.decode()
    assert "data-drill=" in html and "夜间演练" in html
    next_month = (TODAY.replace(day=1) + dt.timedelta(days=32)).strftime("%Y-%m")
    assert client.get(reverse("drills:calendar"), {"month": next_month}).status_code == 200
    assert client.get(reverse("drills:calendar"), {"month": "bogus"}).status_code == 200
    # The mall's first drill duty (30 days after registration) is a due date in the calendar.
    due = Task.objects.get(subject_type="venue", subject_id=world.mall.pk, rule__key="drills.venue_drill").due_date
    html = client.get(reverse("drills:calendar"), {"month": due.strftime("%Y-%m")}).content.decode()
    assert "data-due=" in html


def test_compliance_page_and_xlsx_export(world, plan, held):
    from openpyxl import load_workbook

    make_plan(world, file=False, title="从未演练的预案")
    client = client_for(world.users.leader)
    html = client.get(reverse("drills:compliance")).content.decode()
    assert 'data-compliance="township"' in html and "东大街街道" in html
    response = client.get(reverse("drills:compliance_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) == 4
    assert client.get(reverse("drills:compliance"), {"jurisdiction": "999999"}).status_code == 200


def test_the_pages_render_in_chinese(world, plan, held):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.operator)
    for url in (
        reverse("drills:calendar"),
        reverse("drills:plan_list"),
        reverse("drills:plan_detail", args=[plan.pk]),
        reverse("drills:drill_detail", args=[held.pk]),
        reverse("drills:compliance"),
        reverse("drills:pre_event_gaps"),
        reverse("drills:item_list"),
    ):
        assert client.get(url).status_code == 200, url


def test_the_nav_item_and_the_home_panel_show_overdue_drills(world, plan):
    services.drill_record(actor=None, plan=plan, held_on=dt.date(2025, 1, 10), scenario="s", narrative="n")
    html = client_for(world.operator).get(reverse("home")).content.decode()
    assert reverse("drills:calendar") in html
    assert 'data-panel="drills_overdue"' in html
    assert "万达广场" in html  # the mall's drill, due 2025-07-10, is overdue
