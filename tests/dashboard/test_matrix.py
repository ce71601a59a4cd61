"""The responsibility matrix (issue 17 point 1): figures equal the hand-counted ledger (tests/dashboard/conftest.py),
the list behind every figure has exactly its rows, a leader sees only their subtree, the export."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from dashboard.access import dashboard_root
from dashboard.forms import DEFAULT_PERIOD_DAYS
from dashboard.selectors.matrix import TERRITORIAL, responsibility_matrix
from duties.selectors import task_queue

pytestmark = pytest.mark.django_db


def _period(today):
    import datetime as dt

    return (today - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1), today)


def _matrix(user, root, ledger):
    return responsibility_matrix(user=user, root=root, today=ledger.today, period=_period(ledger.today))


def _cell(matrix, row_code, column_key):
    row = next(r for r in matrix.rows if r.jurisdiction.code == row_code and not r.own_level)
    index = [c.key for c in matrix.columns].index(column_key)
    return row.cells[index]


def _listed(user, url, today):
    """The ids of the task list behind a figure's link, as the task list page computes them."""
    parts = urlsplit(url)
    assert parts.path == reverse("duties:queue")
    return {t.pk for t in task_queue(user=user, filters=QueryDict(parts.query), today=today)}


def test_the_figures_equal_the_hand_counted_ledger(city, users, ledger):
    m = _matrix(users.admin, city.anyang, ledger)
    assert [r.label for r in m.rows] == ["文峰区", "北关区", "安阳市 itself"]
    police = _cell(m, "410502", "public_security")
    assert (police.open, police.due_soon, police.overdue, police.done, police.on_time) == (4, 1, 2, 2, 1)
    assert police.on_time_rate == 0.5
    assert police.median_days_overdue == 7.0  # 10 and 4 days late
    assert police.oldest == ledger.A
    assert police.lateness == "late"
    township = _cell(m, "410502", TERRITORIAL)
    assert (township.open, township.overdue, township.median_days_overdue, township.oldest) == (1, 1, 1.0, ledger.I)
    wenfeng_total = m.rows[0].total
    assert (wenfeng_total.open, wenfeng_total.overdue, wenfeng_total.done) == (5, 3, 2)
    assert wenfeng_total.median_days_overdue == 4.0  # 10, 4 and 1
    column = m.column_totals[[c.key for c in m.columns].index("public_security")]
    assert (column.open, column.overdue, column.done, column.on_time) == (5, 3, 3, 2)
    assert column.median_days_overdue == 4.0  # 10, 4 and 2
    assert (m.total.open, m.total.overdue, m.total.done, m.total.on_time) == (6, 4, 3, 2)
    assert m.total.median_days_overdue == 3.0  # 10, 4, 2, 1
    assert m.total.oldest == ledger.A
    own = m.rows[2].total
    assert (own.done, own.on_time, own.on_time_rate) == (1, 1, 1.0)


def test_the_list_behind_each_figure_has_exactly_its_rows(city, users, ledger):
    m = _matrix(users.admin, city.anyang, ledger)
    t, today = ledger, ledger.today
    police = _cell(m, "410502", "public_security")
    assert _listed(users.admin, police.open_url, today) == {t.A.pk, t.B.pk, t.C.pk, t.D.pk}
    assert _listed(users.admin, police.due_soon_url, today) == {t.C.pk}
    assert _listed(users.admin, police.overdue_url, today) == {t.A.pk, t.B.pk}
    assert _listed(users.admin, police.done_url, today) == {t.E.pk, t.F.pk}
    assert _listed(users.admin, police.on_time_url, today) == {t.E.pk}
    assert police.oldest_url == reverse("duties:detail", args=[t.A.pk])
    township = _cell(m, "410502", TERRITORIAL)
    assert _listed(users.admin, township.overdue_url, today) == {t.I.pk}
    assert _listed(users.admin, m.rows[0].total.overdue_url, today) == {t.A.pk, t.B.pk, t.I.pk}
    assert _listed(users.admin, m.rows[2].total.done_url, today) == {t.K.pk}
    assert _listed(users.admin, m.total.overdue_url, today) == {t.A.pk, t.B.pk, t.I.pk, t.J.pk}
    assert _listed(users.admin, m.total.on_time_url, today) == {t.E.pk, t.K.pk}
    for cells in [*([*r.cells, r.total] for r in m.rows), m.column_totals, [m.total]]:
        for cell in cells:
            assert len(_listed(users.admin, cell.open_url, today)) == cell.open
            assert len(_listed(users.admin, cell.due_soon_url, today)) == cell.due_soon
            assert len(_listed(users.admin, cell.overdue_url, today)) == cell.overdue
            assert len(_listed(users.admin, cell.done_url, today)) == cell.done
            assert len(_listed(users.admin, cell.on_time_url, today)) == cell.on_time


def test_a_leader_sees_only_their_subtree(city, users, ledger, client):
    root = dashboard_root(users.leader)
    assert root == city.wenfeng
    m = _matrix(users.leader, root, ledger)
    assert [r.label for r in m.rows] == ["东大街街道", "西大街街道"]
    assert m.total.open == 5 and m.total.overdue == 3
    client.force_login(users.leader)
    page = client.get(reverse("dashboard:matrix"))
    assert page.status_code == 200
    assert "北关区" not in page.content.decode()
    for code in ("410500", "410503", "220581"):
        assert client.get(reverse("dashboard:matrix"), {"root": code}).status_code == 404
        assert client.get(reverse("dashboard:matrix-export"), {"root": code}).status_code == 404


def test_owner_partner_outsider(city, users, ledger, client):
    client.force_login(users.admin)  # owner: the city's administrator
    page = client.get(reverse("dashboard:matrix"), {"root": "410500"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "文峰区" in html and "北关区" in html and "梅河口市" not in html
    text = re.sub(r"<[^>]+>", " ", html)  # what the page says (links carry filter values, the words do not)
    assert "public_security" not in text and "territorial" not in text and "Public security" in text
    client.force_login(users.leader)  # partner: a district's leader, their own district only
    assert client.get(reverse("dashboard:matrix"), {"root": "410502"}).status_code == 200
    assert client.get(reverse("dashboard:matrix"), {"root": "410503"}).status_code == 404
    for outsider in (users.outsider, users.organizer, users.staff):
        client.force_login(outsider)
        assert client.get(reverse("dashboard:matrix")).status_code == 404
        assert client.get(reverse("dashboard:matrix-export")).status_code == 404
    client.logout()
    assert client.get(reverse("dashboard:matrix")).status_code == 302


def test_a_bad_period_is_a_form_error_not_a_500(users, ledger, client):
    client.force_login(users.admin)
    page = client.get(reverse("dashboard:matrix"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert page.status_code == 200
    page = client.get(reverse("dashboard:matrix"), {"date_from": "nonsense", "root": "x" * 200})
    assert page.status_code in (200, 404)


def test_the_export_has_the_figures(city, users, ledger, client):
    client.force_login(users.admin)
    response = client.get(reverse("dashboard:matrix-export"), {"root": "410500"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = {(r[0], r[1]): r[2:] for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows[("文峰区", "Public security")][:6] == (4, 1, 2, 2, 0.5, 7.0)
    assert rows[("合计", "合计")][:6] == (6, 1, 4, 3, 0.6667, 3.0)


def test_the_matrix_is_one_grouped_query(city, users, ledger, django_assert_max_num_queries):
    users.admin.refresh_from_db()
    # Once first: the working-day calendar, which each process reads once and keeps, is read (its count was left
    # to whichever test the worker happened to run before).
    _matrix(users.admin, city.anyang, ledger)
    with django_assert_max_num_queries(6):
        _matrix(users.admin, city.anyang, ledger)
