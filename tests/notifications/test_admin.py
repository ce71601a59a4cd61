"""Admin: a department's group robot is configured with its address checked, its secret never shown again and
kept when left empty, the change logged; a test message can be sent."""

from __future__ import annotations

import pytest
from django.test import Client

from crowdsafe.audit.models import ActionLog
from notifications.models import Delivery, DepartmentWebhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.gov.cn", "correct-horse-battery")
    client = Client()
    client.force_login(user)
    return client


def form(city, **changes):
    data = {
        "department": city.wenfeng_police.pk,
        "name": "值班群",
        "provider": "dingtalk",
        "url": "https://oapi.dingtalk.com/robot/send?access_token=abc",
        "secret": "SECsecret",
        "keyword": "",
        "scope": "escalations",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_a_robot_is_saved_checked_and_logged(admin_client, city):
    url = "/admin/notifications/departmentwebhook/add/"
    response = admin_client.post(url, form(city, url="https://evil.example.com/hook"))
    assert response.status_code == 200 and "Robots may only post to" in response.content.decode()
    assert not DepartmentWebhook.objects.exists()
    response = admin_client.post(url, form(city))
    assert response.status_code == 302
    hook = DepartmentWebhook.objects.get()
    assert hook.secret == "SECsecret"
    assert ActionLog.objects.filter(verb="created", subject_id=hook.pk).exists()
    change = admin_client.get(f"/admin/notifications/departmentwebhook/{hook.pk}/change/").content.decode()
    assert "SECsecret" not in change
    admin_client.post(
        f"/admin/notifications/departmentwebhook/{hook.pk}/change/", form(city, secret="", name="值班群2")
    )
    hook.refresh_from_db()
    assert (hook.name, hook.secret) == ("值班群2", "SECsecret")
    log = ActionLog.objects.filter(verb="updated", subject_id=hook.pk).get()
    assert "SECsecret" not in str(log.data)


def test_the_test_action_queues_a_message_to_the_robot(admin_client, city):
    hook = DepartmentWebhook.objects.create(
        department=city.wenfeng_police,
        name="值班群",
        provider="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    response = admin_client.post(
        "/admin/notifications/departmentwebhook/", {"action": "send_test", "_selected_action": [hook.pk]}
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert (delivery.webhook_id, delivery.channel, delivery.status) == (hook.pk, "wecom", "pending")


def test_the_read_only_pages_open(admin_client, city, people):
    from notifications.services import notify

    notify(recipients=[people.staff], title="t")
    for model in ("reminder", "message", "delivery", "notificationpreference"):
        assert admin_client.get(f"/admin/notifications/{model}/").status_code == 200
    delivery = Delivery.objects.first()
    assert admin_client.get(f"/admin/notifications/delivery/{delivery.pk}/change/").status_code == 200
