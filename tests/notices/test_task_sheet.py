"""The task assignment sheet (任务交办单): a head of the department holding a task previews it and issues it, from
the task's page, through the notices service."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from duties.models import Task
from duties.services import task_reassign
from notices.choices import NoticeKind
from notices.formatting import cn_date
from notices.models import Notice
from notices.services import notice_render
from tests.notices.pdfcheck import compact, pdf_text


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def task(city, users, venue):
    """The venue's fire-safety inspection, which found no fire brigade in 文峰区, given to 文峰分局 by the leader."""
    task = Task.objects.get(subject_id=venue.pk, duty_name="公众聚集场所消防安全检查")
    return task_reassign(
        task=task, actor=users.leader, reason="辖区暂无消防救援机构，由公安分局代为检查", department=city.wenfeng_police
    )


def test_a_head_finds_the_action_on_the_tasks_page_and_staff_do_not(users, task):
    url = reverse("notices:task_sheet", args=[task.pk])
    head_page = client_for(users.head).get(reverse("duties:detail", args=[task.pk]))
    assert url.encode() in head_page.content
    staff_page = client_for(users.staff).get(reverse("duties:detail", args=[task.pk]))
    assert staff_page.status_code == 200
    assert url.encode() not in staff_page.content
    assert client_for(users.staff).get(url).status_code == 403
    assert client_for(users.outsider).get(url).status_code == 404


def test_a_head_previews_then_issues_the_sheet(city, users, task):
    client = client_for(users.head)
    url = reverse("notices:task_sheet", args=[task.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'srcdoc="&lt;!doctype html&gt;' in page.content
    draft = client.post(url, {"recipient": "治安管理大队", "note": "", "contact": "", "action": "pdf"})
    assert draft["Content-Type"] == "application/pdf"
    assert "草稿" in compact(pdf_text(draft.content))
    assert not Notice.objects.exists()

    response = client.post(
        url,
        {
            "recipient": "治安管理大队",
            "note": "请于检查后一周内上传检查记录",
            "contact": "王警官 0372-1234567",
            "action": "issue",
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == notice.get_absolute_url()
    assert notice.kind == NoticeKind.TASK_ASSIGNMENT
    assert (notice.issuer, notice.subject, notice.recipient) == (city.wenfeng_police, task, "治安管理大队")
    assert notice.context["task_id"] == task.pk
    assert notice.issued_by == users.head

    text = compact(pdf_text(notice_render(notice_id=notice.pk).pdf.read()))
    assert notice.number in text
    assert "公众聚集场所消防安全检查" in text
    assert "安阳万达广场" in text
    assert f"{cn_date(task.due_date)}前" in text
    assert "王警官0372-1234567" in text

    # The task's page lists the sheet.
    task_page = client.get(reverse("duties:detail", args=[task.pk]))
    assert notice.number.encode() in task_page.content


def test_a_sheet_needs_its_addressee(users, task):
    response = client_for(users.head).post(
        reverse("notices:task_sheet", args=[task.pk]), {"recipient": "", "action": "issue"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["recipient"]
    assert not Notice.objects.exists()


def test_no_sheet_for_a_finished_task(users, task):
    from duties.services import task_cancel

    task_cancel(task=task, actor=users.leader, reason="场所已停业")
    assert client_for(users.head).get(reverse("notices:task_sheet", args=[task.pk])).status_code == 403
