"""Task pages: the queue (scoped, filtered, overdue first, bulk actions for heads, fixed query count), task
detail with its actions and evidence download (owner / partner / outsider), the overview and the rules pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.services import grant_to_department
from duties.choices import TaskStatus
from duties.models import Task, TaskReassignment
from tests.duties.conftest import make_tasks
from tests.helpers.access import assert_scoped_access
from tests.helpers.files import pdf_bytes

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_shows_the_departments_tasks_only(scenic, linzhou_users):
    body = client_for(linzhou_users.culture_staff).get(reverse("duties:queue")).content.decode()
    assert "旅游景区人员聚集活动安全管理" in body
    assert "人员聚集场所经营管理单位安全自查" not in body  # the operator's task
    body = client_for(linzhou_users.outsider).get(reverse("duties:queue")).content.decode()
    assert "太行大峡谷景区" not in body


def test_the_township_officer_sees_the_territory_and_the_operator_its_own(scenic, linzhou_users):
    body = client_for(linzhou_users.township_officer).get(reverse("duties:queue")).content.decode()
    assert body.count('data-task="') == 3
    body = client_for(linzhou_users.operator).get(reverse("duties:queue")).content.decode()
    assert body.count('data-task="') == 1
    assert "人员聚集场所经营管理单位安全自查" in body


def test_overdue_tasks_come_first_in_red(linzhou, linzhou_users):
    today = timezone.localdate()
    make_tasks(
        1,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        due=today + dt.timedelta(days=25),
        start_id=1,
    )
    late = make_tasks(
        1,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        due=today - dt.timedelta(days=15),
        start_id=2,
    )[0]
    body = client_for(linzhou_users.culture_staff).get(reverse("duties:queue")).content.decode()
    first_row = body.index('data-task="')
    assert body[first_row:].startswith(f'data-task="{late.pk}"')
    assert f'class="task-overdue" data-task="{late.pk}"' in body


def test_queue_filters(scenic, linzhou_users, linzhou):
    client = client_for(linzhou_users.leader)
    body = client.get(reverse("duties:queue"), {"department": linzhou.culture.pk}).content.decode()
    assert body.count('data-task="') == 1
    body = client.get(reverse("duties:queue"), {"party": "organisation"}).content.decode()
    assert body.count('data-task="') == 1
    body = client.get(reverse("duties:queue"), {"status": "done"}).content.decode()
    assert body.count('data-task="') == 0
    # Bad filter values are ignored (and shown as errors), never a 500.
    assert (
        client.get(reverse("duties:queue"), {"status": "bogus", "department": "x", "due": "never"}).status_code == 200
    )


@pytest.mark.parametrize("role", ["culture_head", "leader"])
def test_the_queue_takes_the_same_number_of_queries_for_3_or_60_tasks(
    linzhou, linzhou_users, role, django_assert_num_queries
):
    make_tasks(3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client = client_for(getattr(linzhou_users, role))
    client.get(reverse("duties:queue"))  # warm the session and the content-type cache
    baseline = _count(client, reverse("duties:queue"))
    make_tasks(
        57,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        start_id=20_000,
    )
    with django_assert_num_queries(baseline):
        response = client.get(reverse("duties:queue"))
    assert response.content.decode().count('data-task="') == 50


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_the_queue_query_count_is_pinned(linzhou, linzhou_users, django_assert_max_num_queries):
    make_tasks(60, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client = client_for(linzhou_users.culture_head)
    client.get(reverse("duties:queue"))
    # session, user, memberships, tasks shared with the department, filter departments, count, page, reassign
    # targets, people to give tasks to
    with django_assert_max_num_queries(9):
        client.get(reverse("duties:queue"))


def test_task_detail_owner_partner_outsider(scenic, linzhou_users, linzhou):
    task = scenic.industry
    grant_to_department(obj=task, codename="view_task", department=linzhou.fire, actor=None)
    assert_scoped_access(
        reverse("duties:detail", args=[task.pk]),
        owner=linzhou_users.culture_staff,
        partner=linzhou_users.fire_staff,
        outsider=linzhou_users.outsider,
    )


def test_task_detail_explains_and_shows_the_timeline(scenic, linzhou_users):
    body = client_for(linzhou_users.culture_staff).get(reverse("duties:detail", args=[scenic.industry.pk])).content
    body = body.decode()
    assert "data-explanation" in body
    assert "林州市文化广电和旅游局" in body
    assert "data-timeline" in body


def test_actions_through_the_pages(scenic, linzhou_users, linzhou):
    client = client_for(linzhou_users.culture_staff)
    pk = scenic.industry.pk
    assert client.post(reverse("duties:start", args=[pk])).status_code == 302
    assert Task.objects.get(pk=pk).status == TaskStatus.IN_PROGRESS

    response = client.post(
        reverse("duties:complete", args=[pk]),
        {"note": "检查完毕", "files": [SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")]},
    )
    assert response.status_code == 302
    task = Task.objects.get(pk=pk)
    assert task.status == TaskStatus.DONE
    attachment = task.attachments.get()
    download = client.get(reverse("duties:attachment", args=[pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert (
        client_for(linzhou_users.outsider).get(reverse("duties:attachment", args=[pk, attachment.pk])).status_code
        == 404
    )


def test_reassign_and_cancel_through_the_pages(scenic, linzhou_users, linzhou):
    client = client_for(linzhou_users.culture_head)
    pk = scenic.industry.pk
    response = client.post(reverse("duties:reassign", args=[pk]), {"department": linzhou.fire.pk, "reason": ""})
    assert response.status_code == 302
    assert not TaskReassignment.objects.exists()  # the reason is required
    client.post(
        reverse("duties:reassign", args=[pk]),
        {"person": linzhou_users.culture_staff2.pk, "reason": "片区分工"},
    )
    assert Task.objects.get(pk=pk).responsible_person == linzhou_users.culture_staff2
    client.post(reverse("duties:cancel", args=[pk]), {"reason": "景区停业"})
    assert Task.objects.get(pk=pk).status == TaskStatus.CANCELLED


def test_outsiders_get_404_on_every_action(scenic, linzhou_users):
    pk = scenic.industry.pk
    for name in ("start", "complete", "reassign", "cancel"):
        response = client_for(linzhou_users.outsider).post(reverse(f"duties:{name}", args=[pk]), {"reason": "x"})
        assert response.status_code == 404
    assert Task.objects.get(pk=pk).status == TaskStatus.OPEN


def test_staff_without_the_right_see_a_message_and_nothing_changes(scenic, linzhou_users):
    client = client_for(linzhou_users.township_officer)  # sees the industry task (territory) but does not hold it
    response = client.post(reverse("duties:start", args=[scenic.industry.pk]), follow=True)
    assert "You are not responsible for this task." in response.content.decode()
    assert Task.objects.get(pk=scenic.industry.pk).status == TaskStatus.OPEN


def test_heads_start_and_reassign_selected_tasks_in_bulk(linzhou, linzhou_users):
    tasks = make_tasks(
        3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture
    )
    client = client_for(linzhou_users.culture_head)
    ids = [t.pk for t in tasks[:2]]
    response = client.post(reverse("duties:bulk"), {"action": "start", "tasks": ids})
    assert response.status_code == 302
    assert set(Task.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"in_progress"}
    assert Task.objects.get(pk=tasks[2].pk).status == "open"

    client.post(reverse("duties:bulk"), {"action": "reassign", "tasks": ids, "department": linzhou.fire.pk})
    assert not TaskReassignment.objects.exists()  # no reason: refused
    client.post(
        reverse("duties:bulk"),
        {"action": "reassign", "tasks": ids, "department": linzhou.fire.pk, "reason": "转消防"},
    )
    assert set(Task.objects.filter(pk__in=ids).values_list("responsible_department", flat=True)) == {linzhou.fire.pk}


def test_bulk_actions_are_for_heads_and_only_on_visible_tasks(linzhou, linzhou_users, city):
    tasks = make_tasks(
        1, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture
    )
    assert (
        client_for(linzhou_users.culture_staff)
        .post(reverse("duties:bulk"), {"action": "start", "tasks": [tasks[0].pk]})
        .status_code
        == 403
    )
    # The fire head cannot start (or even select) the culture bureau's task.
    client_for(linzhou_users.fire_head).post(reverse("duties:bulk"), {"action": "start", "tasks": [tasks[0].pk]})
    assert Task.objects.get(pk=tasks[0].pk).status == "open"


def test_the_overview_counts_by_holder_and_links_to_the_list_behind_each_count(linzhou, linzhou_users, scenic):
    today = timezone.localdate()
    make_tasks(
        2,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        due=today - dt.timedelta(days=30),
        start_id=1,
    )  # overdue (due 50 and 49 days ago)
    make_tasks(
        1,
        rule_name="旅游景区人员聚集活动安全管理",
        jurisdiction=linzhou.village,
        department=linzhou.culture,
        due=today + dt.timedelta(days=21),
        start_id=3,
    )  # due today + 1
    client = client_for(linzhou_users.leader)
    response = client.get(reverse("duties:overview"))
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["overview"].rows}
    culture = rows["林州市文化广电和旅游局"]
    assert (culture.open, culture.overdue, culture.due_soon) == (4, 2, 1)
    for url, expected in ((culture.open_url, 4), (culture.overdue_url, 2), (culture.due_soon_url, 1)):
        assert client.get(url).content.decode().count('data-task="') == expected
    assert rows["石板岩镇人民政府"].open == 1
    assert rows["Organizers and venue operators"].open == 1


def test_the_overview_is_for_leaders(linzhou_users):
    assert client_for(linzhou_users.culture_staff).get(reverse("duties:overview")).status_code == 403


def test_the_overview_takes_the_same_number_of_queries_for_few_or_many_rows(
    linzhou, linzhou_users, django_assert_num_queries
):
    make_tasks(3, rule_name="旅游景区人员聚集活动安全管理", jurisdiction=linzhou.village, department=linzhou.culture)
    client = client_for(linzhou_users.leader)
    client.get(reverse("duties:overview"))
    baseline = _count(client, reverse("duties:overview"))
    for i, department in enumerate((linzhou.fire, linzhou.health, linzhou.city_culture, linzhou.township_gov)):
        make_tasks(
            30,
            rule_name="旅游景区人员聚集活动安全管理",
            jurisdiction=linzhou.village,
            department=department,
            start_id=20_000 + i * 100,
        )
    with django_assert_num_queries(baseline):
        response = client.get(reverse("duties:overview"))
    assert len(response.context["overview"].rows) == 5
    # session, user, memberships, the aggregate, department names (township names only when a township holds)
    assert baseline <= 6


def test_rules_pages(linzhou_users, users):
    body = client_for(linzhou_users.culture_staff).get(reverse("duties:rule_list")).content.decode()
    assert "公众聚集场所消防安全检查" in body
    assert client_for(linzhou_users.culture_staff).get(reverse("duties:rules_health")).status_code == 403
    response = client_for(users.admin).get(reverse("duties:rules_health"))
    assert response.status_code == 200
    assert "data-gap-rule" in response.content.decode()


def test_the_health_page_lists_unassigned_tasks(linzhou, venues, linzhou_users):
    from duties.services import tasks_evaluate

    station = venues.make("林州汽车站", kind="station", under=linzhou.village, operator=linzhou.operator)
    tasks_evaluate(subject=station, event="created", actor=None)
    body = client_for(linzhou_users.leader).get(reverse("duties:rules_health")).content.decode()
    assert "data-unassigned" in body
    assert "客运站人员聚集场所安全监管" in body


def test_the_home_page_shows_my_tasks_panel(scenic, linzhou_users):
    response = client_for(linzhou_users.culture_staff).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-panel="duties_queue"' in body
    assert "旅游景区人员聚集活动安全管理" in body
    body = client_for(linzhou_users.leader).get(reverse("home")).content.decode()
    assert 'data-panel="duties_overview"' in body


def test_the_pages_render_in_chinese_too(scenic, linzhou_users, users):
    pages = [
        (linzhou_users.culture_head, reverse("duties:queue")),
        (linzhou_users.culture_head, reverse("duties:detail", args=[scenic.industry.pk])),
        (linzhou_users.leader, reverse("duties:overview")),
        (linzhou_users.leader, reverse("duties:rule_list")),
        (users.admin, reverse("duties:rules_health")),
    ]
    for user, url in pages:
        assert client_for(user).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 200, url
