"""The weekly briefing (安全形势简报, issue 17 point 6): issued through notices as a numbered PDF whose figures equal
the hand-counted ledger (read back with pdftotext, imaged with pdftoppm), charts drawn on the server as SVG;
issued by the beat once per week and territory (run twice: once); on demand by a leader from the dashboard (POST,
scoped); a township leader's briefing covers only their subtree."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from crowdsafe.org.choices import DepartmentKind, Role
from dashboard import svg
from dashboard.models import WeeklyBriefing
from dashboard.services import briefing_issue, briefings_issue_weekly
from monitoring.models import MonitoringAlert, Zone
from notices.models import Notice
from notices.services import notice_render
from notifications.models import Notification
from response.models import Incident, IncidentLevel, ResponseTier
from tests.factories import DepartmentFactory, UserFactory, member
from tests.notices.pdfcheck import page_image, red_share

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def briefing_city(city, users, ledger, escalations):
    """The ledger and its 督办, plus: 安阳市's emergency management bureau (the issuer), a city leader and a leader of
    东大街街道; a red monitoring alert raised now in the grid and an incident opened now in 东大街街道."""
    ns = city
    ns.emergency = DepartmentFactory(name="安阳市应急管理局", kind=DepartmentKind.EMERGENCY, jurisdiction=city.anyang)
    ns.city_leader = member(UserFactory(username="u_city_leader"), role=Role.LEADER, jurisdiction=city.anyang).user
    ns.street_leader = member(UserFactory(username="u_street_leader"), role=Role.LEADER, jurisdiction=city.street).user
    zone = Zone.objects.create(
        name="广场主区", jurisdiction=city.grid, jurisdiction_path=city.grid.path, kind="standing", area_m2=1250
    )
    MonitoringAlert.objects.create(
        zone=zone,
        kind="level",
        level="red",
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        raised_at=timezone.now(),
        reason="密度超过红色阈值",
    )
    Incident.objects.create(
        number="SJ-TEST-0001",
        title="东大街踩踏险情",
        source="manual",
        level=IncidentLevel.objects.order_by("pk").first(),
        jurisdiction=city.street,
        jurisdiction_path=city.street.path,
        command_jurisdiction=city.street,
        command_path=city.street.path,
        tier=ResponseTier.objects.order_by("pk").first(),
        commander=users.township_officer,
    )
    ns.users = users
    ns.ledger = ledger
    return ns


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    source = tmp_path / "briefing.pdf"
    source.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _rendered(briefing: WeeklyBriefing) -> bytes:
    notice = notice_render(notice_id=briefing.notice_id)
    assert notice is not None and notice.pdf
    with notice.pdf.open("rb") as f:
        return f.read()


def test_the_pdf_shows_the_hand_counted_figures_and_charts(briefing_city, tmp_path):
    c, today = briefing_city, briefing_city.ledger.today
    briefing, created = briefing_issue(
        root=c.anyang,
        week_from=today - dt.timedelta(days=6),
        week_to=today,
        reader=c.city_leader,
        actor=c.city_leader,
        scheduled=False,
        today=today,
    )
    assert created
    notice = briefing.notice
    assert notice.kind == "weekly_briefing" and notice.issuer == c.emergency
    assert notice.title.startswith("安阳市安全形势简报（")
    f = notice.context["figures"]
    # Outstanding: A B C D I J (L is another city's); overdue A(10) B(4) I(1) J(2), median 3; due soon C.
    # Done in the seven days: E (on time), F (late), K (on time). 督办 in the week: a b c d, read a c; gap 北关分局.
    assert (f["open"], f["overdue"], f["due_soon"], f["median_days_overdue"]) == (6, 4, 1, 3.0)
    assert (f["done"], f["on_time"], f["on_time_percent"]) == (3, 2, 67)
    assert (f["escalations"], f["escalations_acknowledged"], f["gaps"]) == (4, 2, 1)
    assert (f["alerts"], f["incidents"]) == (1, 1)
    police = next(g for g in notice.context["overdue"] if g["key"] == "public_security")
    assert police["overdue"] == 3 and [i["duty"] for i in police["items"]] == ["duty A", "duty B", "duty J"]

    content = _rendered(briefing)
    text = _compact(_pdf_text(content, tmp_path))
    assert notice.number.replace(" ", "") in text
    assert "未办结任务6项其中逾期4项" in text
    assert "3个工作日内到期1项逾期天数中位数3天" in text
    assert "本周办结3项按期办结率67%" in text
    assert "本周督办4次督办已阅2次" in text
    assert "无人可接收提醒1个" in text
    assert "本周预警1条本周新发事件1起" in text
    assert "dutyA" in text and "10天" in text  # the oldest overdue item and its days late
    assert "东大街踩踏险情" in text and "SJ-TEST-0001" in text
    assert "图1" in text and "图2" in text and "图3" in text
    assert "乡镇（街道）本级" in text  # a column's label, in Chinese: the SVG chart's category and the overdue table
    assert "重大风险" in text  # the levels chart's legend (SVG text)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard-briefing.pdf").write_bytes(content)
    pages = []
    for number in (1, 2):
        image = page_image(content, page=number, dpi=60)
        image.save(ARTIFACTS / f"dashboard-briefing-p{number}.png")
        pages.append(image)
    # The charts are drawn: the red bars of the overdue tasks (#c62828) somewhere on the first two pages, beyond the
    # red rule of the head.
    width, height = pages[1].size
    assert any(
        red_share(image, (0, int(h * 0.25), w, int(h * 0.95))) > 0.01 for image in pages for w, h in [image.size]
    )
    assert width > 0 and height > 0


def test_the_beat_issues_once_per_week_and_territory(briefing_city):
    c = briefing_city
    monday = c.ledger.today - dt.timedelta(days=c.ledger.today.weekday())
    first = briefings_issue_weekly(today=monday)
    # Leaders: 安阳市 (the city leader), 文峰区 (users.leader), 东大街街道 (the street leader).
    assert sorted(b.jurisdiction.code for b in first) == ["410500", "410502", "410502001"]
    assert all(
        b.week_from == monday - dt.timedelta(days=7) and b.week_to == monday - dt.timedelta(days=1) for b in first
    )
    assert briefings_issue_weekly(today=monday) == []
    assert briefings_issue_weekly(today=monday + dt.timedelta(days=1)) == []  # the same week, a day later
    assert WeeklyBriefing.objects.count() == 3
    assert Notice.objects.filter(kind="weekly_briefing").count() == 3
    # Each territory's leaders are told once, with a link to the document.
    told = Notification.objects.filter(recipient=c.city_leader, message__title__contains="安全形势简报")
    assert told.count() == 1
    assert told.get().message.url == reverse("notices:detail", args=[first[0].notice_id])


def test_the_beat_entry_runs_every_monday_morning():
    from crowdsafe.celery import app
    from dashboard.tasks import issue_weekly_briefings

    entry = app.conf.beat_schedule["dashboard-weekly-briefings"]
    assert entry["task"] == issue_weekly_briefings.name == "dashboard.tasks.issue_weekly_briefings"
    assert entry["schedule"].day_of_week == {1} and entry["schedule"].hour == {7}


def test_the_celery_task_run_twice_issues_once(briefing_city):
    from dashboard.tasks import issue_weekly_briefings

    assert issue_weekly_briefings.apply().get() == 3  # 安阳市, 文峰区, 东大街街道: last week's
    assert issue_weekly_briefings.apply().get() == 0
    assert WeeklyBriefing.objects.filter(scheduled=True).count() == 3


def test_a_township_leaders_briefing_covers_only_the_subtree(briefing_city):
    c = briefing_city
    # Issued on the ledger's today, whatever the weekday: its figures are counted as of that day (issued on the
    # week's Monday, a task due the day before the ledger's today is not yet overdue — the test failed on Tuesdays).
    briefings_issue_weekly(today=c.ledger.today)
    street = WeeklyBriefing.objects.get(jurisdiction=c.street).notice
    f = street.context["figures"]
    # Under 东大街街道: A B C D I outstanding, A B I overdue; not J (北关区) nor L (梅河口市).
    assert (f["open"], f["overdue"]) == (5, 3)
    duties = {i["duty"] for g in street.context["overdue"] for i in g["items"]}
    assert duties == {"duty A", "duty B", "duty I"}
    assert f["gaps"] == 0  # 北关分局's gap is not theirs
    assert street.subject_path == c.street.path
    wenfeng = WeeklyBriefing.objects.get(jurisdiction=c.wenfeng).notice
    assert "duty J" not in {i["duty"] for g in wenfeng.context["overdue"] for i in g["items"]}


def test_a_leader_asks_for_it_from_the_dashboard(client, briefing_city):
    c = briefing_city
    url = reverse("dashboard:briefing")
    client.force_login(c.users.leader)  # 文峰区
    page = client.get(reverse("dashboard:matrix")).content.decode()
    assert f'action="{url}"' in page
    response = client.post(url, {"root": c.wenfeng.code})
    briefing = WeeklyBriefing.objects.get(jurisdiction=c.wenfeng, scheduled=False)
    assert response.status_code == 302 and response["Location"] == reverse("notices:detail", args=[briefing.notice_id])
    assert briefing.requested_by == c.users.leader and briefing.week_to == timezone.localdate()
    assert client.get(response["Location"]).status_code == 200  # the leader may open the document
    again = client.post(url, {"root": c.wenfeng.code})
    assert again["Location"] == response["Location"] and WeeklyBriefing.objects.count() == 1
    assert client.post(url, {"root": c.anyang.code}).status_code == 404  # above the leader
    assert client.post(url, {"root": c.beiguan.code}).status_code == 404  # the partner district
    assert client.get(url).status_code == 405
    for outsider in (c.users.outsider, c.users.organizer, c.users.staff):
        client.force_login(outsider)
        assert client.post(url, {"root": c.wenfeng.code}).status_code == 404
    client.logout()
    assert client.post(url, {"root": c.wenfeng.code}).status_code == 302  # to the login page
    assert WeeklyBriefing.objects.count() == 1


def test_the_svg_charts_are_well_formed_and_draw_the_values():
    bar = svg.bar_chart(
        {
            "categories": ["公安", "消防<救援>"],
            "series": [{"name": "逾期", "data": [3, 0]}, {"name": "未办结", "data": [5, 2]}],
        }
    )
    root = ET.fromstring(bar)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "消防<救援>" in texts and "3" in texts and "5" in texts
    assert len(root.findall(f"{ns}rect")) >= 4 + 2  # the bars and the legend's keys
    line = ET.fromstring(
        svg.line_chart(
            {
                "categories": ["a", "b", "c", "d"],
                "series": [{"name": "x", "data": [50, None, 80, 100]}],
                "max": 100,
                "unit": "%",
            }
        )
    )
    assert len(line.findall(f"{ns}polyline")) == 1  # a, then a gap, then c–d
    assert len(line.findall(f"{ns}circle")) == 3
    assert ET.fromstring(svg.bar_chart({})) is not None
