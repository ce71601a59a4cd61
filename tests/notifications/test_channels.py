"""The channels on their own, against real local servers: DingTalk's signature, robot payloads and answers, the
allowed addresses, email over SMTP, and the SMS backends. Nothing counts as delivered that a real channel did not
accept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest
from django.core import mail

from notifications.channels import PermanentError, TransientError, webhooks
from notifications.channels import email as email_channel
from notifications.channels import sms as sms_channel
from tests.notifications.servers import RobotServer, expected_dingtalk_sign


def test_the_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret_base64_then_url_encoded():
    secret, timestamp = "SECf6d8bd0a3c8b3e7a2f", 1577262236757
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(digest))
    assert webhooks.dingtalk_sign(secret, timestamp) == expected
    url = webhooks.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, timestamp_ms=timestamp)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    assert query == {"access_token": "abc", "timestamp": str(timestamp), "sign": base64.b64encode(digest).decode()}
    assert webhooks.signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", "") == (
        "https://oapi.dingtalk.com/robot/send?access_token=abc"
    )


def test_payloads_follow_each_providers_markdown_format(settings):
    settings.SITE_URL = "https://crowdsafe.anyang.gov.cn"
    wecom = webhooks.payload(provider="wecom", title="任务已逾期", body="请尽快办理。", url="/tasks/1/", urgent=False)
    assert wecom["msgtype"] == "markdown"
    assert "任务已逾期" in wecom["markdown"]["content"]
    assert "https://crowdsafe.anyang.gov.cn/tasks/1/" in wecom["markdown"]["content"]
    ding = webhooks.payload(
        provider="dingtalk", title="红色预警", body="立即处置。", url="", urgent=True, keyword="安全"
    )
    assert ding["markdown"]["title"] == "安全 红色预警"
    assert ding["markdown"]["text"].startswith("#### 安全 红色预警")
    assert ding["at"] == {"isAtAll": True}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://oapi.dingtalk.com/robot/send?access_token=x", True),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", True),
        ("http://oapi.dingtalk.com/robot/send?access_token=x", False),  # plain HTTP off this machine
        ("https://evil.example.com/robot/send", False),
        ("http://127.0.0.1:8080/robot/send", True),
        ("ftp://127.0.0.1/x", False),
    ],
)
def test_robots_may_only_post_to_the_allowed_hosts_over_https(settings, url, allowed):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["oapi.dingtalk.com", "qyapi.weixin.qq.com", "127.0.0.1"]
    assert (webhooks.check_url(url) is None) is allowed


def post(server: RobotServer, provider="dingtalk", secret=""):
    data = webhooks.payload(provider=provider, title="提醒", body="正文", url="", urgent=False)
    return webhooks.post(provider=provider, url=server.url(), secret=secret, data=data)


def test_a_signed_post_that_dingtalk_accepts_is_delivered(robot, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    robot.secret = "SEC0123456789abcdef"
    outcome = post(robot, secret=robot.secret)
    assert outcome.delivered
    received = robot.received[0]
    assert received.query["sign"] == expected_dingtalk_sign(robot.secret, received.query["timestamp"])
    assert received.body["msgtype"] == "markdown"


def test_a_wrong_secret_is_a_permanent_failure(robot, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    robot.secret = "SECright"
    with pytest.raises(PermanentError, match="310000"):
        post(robot, secret="SECwrong")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, {}), TransientError),
        ((502, {}), TransientError),
        ((429, {}), TransientError),
        ((200, {"errcode": 45009, "errmsg": "api freq out of limit"}), TransientError),
        ((200, {"errcode": 130101, "errmsg": "send too fast"}), TransientError),
        ((200, {"errcode": -1, "errmsg": "system busy"}), TransientError),
        ((404, {}), PermanentError),
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), PermanentError),
        ((200, {"errcode": 300001, "errmsg": "token is not exist"}), PermanentError),
    ],
)
def test_robot_answers_are_transient_or_permanent(robot, settings, answer, error):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    robot.answers.append(answer)
    with pytest.raises(error):
        post(robot, provider="wecom")


def test_an_unreachable_robot_is_a_transient_failure(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = RobotServer()
    url = server.url()
    server.close()
    with pytest.raises(TransientError, match="Could not reach"):
        webhooks.post(provider="wecom", url=url, secret="", data={"msgtype": "text", "text": {"content": "x"}})


def test_a_slow_robot_times_out_as_a_transient_failure(robot, settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS = 1
    robot.delay = 2
    with pytest.raises(TransientError):
        post(robot, provider="wecom")


def test_email_accepted_by_an_smtp_server_is_delivered_in_chinese_html_and_text(smtp, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    message = email_channel.build(
        to="zhang@example.gov.cn", title="任务即将到期", body="请于10月8日前办结。", url="/tasks/1/", urgent=True
    )
    outcome = email_channel.send(message)
    assert outcome.delivered
    [received] = smtp.messages
    assert received["to"] == ["zhang@example.gov.cn"]
    raw = received["data"].decode()
    assert "text/plain" in raw and "text/html" in raw
    assert message.subject.startswith("[CrowdSafe] 【紧急】任务即将到期")
    assert "请于10月8日前办结。" in message.body
    assert "通知设置" in message.alternatives[0][0] or "通知设置" in message.alternatives[0].content


def test_smtp_refusals_are_permanent_and_deferrals_transient(smtp):
    with pytest.raises(PermanentError, match="550"):
        email_channel.send(email_channel.build(to="bounce@example.gov.cn", title="t", body="b", url="", urgent=False))
    with pytest.raises(TransientError, match="451"):
        email_channel.send(email_channel.build(to="later@example.gov.cn", title="t", body="b", url="", urgent=False))


def test_email_through_a_development_backend_is_only_logged():
    outcome = email_channel.send(email_channel.build(to="a@example.gov.cn", title="t", body="b", url="", urgent=False))
    assert not outcome.delivered
    assert len(mail.outbox) == 1


def test_the_console_and_file_sms_backends_never_count_as_delivered(settings, tmp_path, capsys):
    assert not sms_channel.ConsoleSmsBackend().send("13800000000", "测试").delivered
    assert "[SMS to 13800000000] 测试" in capsys.readouterr().out
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    assert not sms_channel.FileSmsBackend().send("13800000000", "测试").delivered
    line = json.loads((tmp_path / "sms.log").read_text().splitlines()[0])
    assert (line["phone"], line["text"]) == ("13800000000", "测试")


def test_the_http_sms_gateway_delivers_only_what_it_accepts(robot, settings):
    settings.SMS_BACKEND = "notifications.channels.sms.HttpSmsBackend"
    settings.SMS_HTTP_URL = robot.url("/sms/send")
    settings.SMS_HTTP_TOKEN = "gateway-token"
    robot.answers.extend(
        [(200, {"code": 0, "message_id": "m1"}), (200, {"code": 1001, "msg": "blacklisted"}), (503, {})]
    )
    backend = sms_channel.get_backend()
    assert backend.send("13800000000", "【平台】提醒").delivered
    assert robot.received[0].body == {"phone": "13800000000", "text": "【平台】提醒", "sign": settings.SMS_SIGN_NAME}
    assert robot.received[0].headers["Authorization"] == "Bearer gateway-token"
    with pytest.raises(PermanentError, match="blacklisted"):
        backend.send("13800000000", "x")
    with pytest.raises(TransientError):
        backend.send("13800000000", "x")


def test_the_http_sms_gateway_needs_an_address(settings):
    settings.SMS_HTTP_URL = ""
    with pytest.raises(PermanentError, match="SMS_HTTP_URL"):
        sms_channel.HttpSmsBackend().send("13800000000", "x")
