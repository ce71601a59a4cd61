"""The responsibility overview page (issue 19: ≤ 100 ms at a million outstanding tasks): its rows written by
``{% overview_rows %}`` (``duties/templatetags/duty_tags.py``) exactly as the template's loop wrote them — markup,
whitespace, escaping, counts — without a template lookup per row, and the holders' names read in one query."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.template import Context, Template
from django.template.base import Variable
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from duties.choices import PartyKind
from duties.filters import PartyFilter
from duties.models import Task
from duties.selectors import OverviewRow
from tests.duties.conftest import make_tasks

RULE = "旅游景区人员聚集活动安全管理"

# The template's loop before the tag (templates/duties/overview.html until issue 19's page work), kept to compare.
LOOP = """{% for row in rows %}
            <tr class="{% if row.overdue %}task-overdue{% endif %}" data-row="{{ row.party }}">
              <td data-label="{{ col_held }}">{{ row.label }} <span class="muted small">{{ row.detail }}</span></td>
              <td class="num" data-label="{{ col_open }}"><a class="count-link{% if not row.open %} count-zero{% endif %}" href="{{ row.open_url }}">{{ row.open }}</a></td>
              <td class="num" data-label="{{ col_soon }}"><a class="count-link{% if not row.due_soon %} count-zero{% endif %}" href="{{ row.due_soon_url }}">{{ row.due_soon }}</a></td>
              <td class="num" data-label="{{ col_overdue }}"><a class="count-link{% if row.overdue %} count-overdue{% else %} count-zero{% endif %}" href="{{ row.overdue_url }}">{{ row.overdue }}</a></td>
              <td class="num" data-label="{{ col_done }}"><a class="count-link{% if not row.done %} count-zero{% endif %}" href="{{ row.done_url }}">{{ row.done }}</a></td>
            </tr>
          {% endfor %}"""  # noqa: E501
TAG = "{% load duty_tags %}{% overview_rows rows col_held col_open col_soon col_overdue col_done %}"


def _rows() -> list[OverviewRow]:
    return [
        OverviewRow(
            party=PartyKind.DEPARTMENT,
            label="<script>alert(\"x\")</script> & 'co'",
            detail="Fire & rescue",
            filters={"department": 7},
            open=1234,
            due_soon=0,
            overdue=12,
            done=1_000_000,
        ),
        OverviewRow(
            party=PartyKind.TERRITORIAL,
            label="石板岩镇",
            detail=translation.gettext_lazy("Township / street (no township-government department)"),
            filters={"responsible_jurisdiction": 3},
            open=0,
            due_soon=0,
            overdue=0,
            done=5,
        ),
        OverviewRow(
            party=PartyFilter.ORGANISATION,
            label="Organizers and venue operators",
            detail="Duties of the organisations themselves",
            filters={"party": PartyFilter.ORGANISATION},
            queue_url="/tasks/",
            open=3,
            due_soon=2,
            overdue=0,
            done=0,
        ),
        OverviewRow(
            party=PartyFilter.UNASSIGNED,
            label="Unassigned",
            detail="No party found",
            filters={"party": PartyFilter.UNASSIGNED},
            open=1,
            due_soon=1,
            overdue=1,
            done=1,
        ),
    ]


def _words() -> dict:
    # A word with markup as the template's {% translate … as %} gives it (escaped, safe) and plain ones.
    return {
        "col_held": mark_safe("Held &amp; <i>by</i>"),
        "col_open": "Outstanding",
        "col_soon": 'Due "soon"',
        "col_overdue": "Overdue <3",
        "col_done": "完成",
    }


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("grouping", [False, True])
def test_the_overview_rows_are_what_the_templates_loop_wrote(settings, language, grouping):
    settings.USE_THOUSAND_SEPARATOR = grouping
    with translation.override(language):
        context = {"rows": _rows(), **_words()}
        loop = Template(LOOP).render(Context(context))
        tag = Template(TAG).render(Context(context))
    assert tag == loop
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;co&#x27;" in tag
    assert "<script>" not in tag
    assert 'href="/tasks/?department=7&amp;due=overdue">12</a>' in tag
    if not grouping:
        assert ">1234</a>" in tag
    elif language == "en":
        assert ">1,234</a>" in tag


def test_the_overview_rows_take_no_template_lookup_per_row():
    """A city has a few hundred holders: the rows cost no lookup of the template engine each."""

    def lookups(n: int) -> int:
        rows = (_rows() * n)[:n]
        with mock.patch.object(Variable, "_resolve_lookup", autospec=True, side_effect=Variable._resolve_lookup) as spy:
            Template(TAG).render(Context({"rows": rows, **_words()}))
        return spy.call_count

    assert lookups(1) == lookups(40)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_overview_page_writes_each_holders_row_and_reads_their_names_in_one_query(linzhou, linzhou_users):
    linzhou.culture.name = "林州市<文化> & '旅游' 局"
    linzhou.culture.save(update_fields=["name"])
    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture)
    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.fire, start_id=20_000)
    in_a_month = timezone.localdate() + dt.timedelta(days=30)  # due in 10 to 12 days: neither soon nor overdue
    territorial = make_tasks(3, rule_name=RULE, jurisdiction=linzhou.village, due=in_a_month, start_id=30_000)
    Task.objects.filter(pk__in=[t.pk for t in territorial]).update(responsible_jurisdiction=linzhou.town)
    client = _client(linzhou_users.leader)
    client.get(reverse("duties:overview"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("duties:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "林州市&lt;文化&gt; &amp; &#x27;旅游&#x27; 局 <span" in body
    assert "林州市<文化>" not in body
    town = f"/tasks/?responsible_jurisdiction={linzhou.town.pk}"
    assert (
        '\n            <tr class="" data-row="territorial">\n'
        '              <td data-label="Held by">石板岩镇 <span class="muted small">'
        "Township / street (no township-government department)</span></td>\n"
        f'              <td class="num" data-label="Outstanding"><a class="count-link" href="{town}">3</a></td>\n'
        '              <td class="num" data-label="Due within 3 days"><a class="count-link count-zero" '
        f'href="{town}&amp;due=soon">0</a></td>\n'
        '              <td class="num" data-label="Overdue"><a class="count-link count-zero" '
        f'href="{town}&amp;due=overdue">0</a></td>\n'
        '              <td class="num" data-label="Done (30 days)"><a class="count-link count-zero" '
        f'href="{town}&amp;status=done&amp;completed_within=30">0</a></td>\n'
        "            </tr>\n          "
    ) in body
    assert body.count('data-row="department"') == 2
    by_id = (  # the holders read by id (the former code: one query each, the departments joined to their jurisdiction)
        r'FROM "?org_department"?.*? WHERE ("?org_department"?\.)?"?id"? IN \(',
        r'FROM "?org_jurisdiction"? WHERE ("?org_jurisdiction"?\.)?"?id"? IN \(',
    )
    names = [q["sql"] for q in captured.captured_queries if any(re.search(part, q["sql"]) for part in by_id)]
    assert len(names) == 1
    # session, user, memberships, the figures, the names (the former page: the names in two more, six in all)
    assert len(captured.captured_queries) == 5
    assert all(re.search(part, names[0]) for part in by_id)  # the departments' and the townships' names in one query


@pytest.mark.django_db
def test_the_counters_figures_for_a_territory_of_two_townships_are_the_tasks_grouped(linzhou):
    """A leader of two townships: the counters' statement reads each township's prefix (an OR of two), with the same
    figures as the tasks of both grouped, and none of a third place."""
    from duties.filters import DONE_WINDOW_DAYS
    from duties.selectors import _overview_counters, _overview_counts

    make_tasks(3, rule_name=RULE, jurisdiction=linzhou.village, department=linzhou.culture)
    make_tasks(2, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, start_id=20_000)
    make_tasks(4, rule_name=RULE, jurisdiction=linzhou.linzhou, department=linzhou.health, start_id=30_000)
    done = make_tasks(2, rule_name=RULE, jurisdiction=linzhou.town2, department=linzhou.fire, start_id=40_000)
    Task.objects.filter(pk__in=[t.pk for t in done]).update(status="done", completed_at=timezone.now())
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=DONE_WINDOW_DAYS)
    paths = (linzhou.town.path, linzhou.town2.path)
    tasks = Task.objects.filter(jurisdiction_path__startswith=paths[0]) | Task.objects.filter(
        jurisdiction_path__startswith=paths[1]
    )

    def figures(rows):
        return sorted((r["responsible_department_id"], r["n_open"], r["n_overdue"], r["n_done"]) for r in rows)

    expected = figures(_overview_counts(tasks, today=today, since=since))
    assert expected == [(linzhou.culture.pk, 3, 3, 0), (linzhou.fire.pk, 2, 2, 2)]
    assert figures(_overview_counters(paths, today=today, since=since)) == expected
