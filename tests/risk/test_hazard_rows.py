"""The hazard table's rows, written out for speed (issue 19: list pages near their floor): what
``{% hazard_rows %}`` renders is the markup the table template and its two includes wrote, for hazards of every
state and level, overdue or not, with or without a venue and a registered unit, with names that need escaping;
the hazard list reverses nothing per row."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.urls.resolvers import URLResolver
from django.utils import translation

from crowdsafe.org.models import Organisation
from risk.choices import HazardState
from risk.models import Hazard
from risk.templatetags.hazard_tags import hazard_rows
from venues.models import Venue

# The rows as templates/risk/_hazard_table.html wrote them before {% hazard_rows %} (the reference).
FORMER_ROWS = """{% load i18n %}{% for h in hazards %}
  <tr data-hazard="{{ h.pk }}">
    <td data-label="{% translate 'Hazard' %}"><a href="{% url 'risk:hazard_detail' h.pk %}">{{ h.title }}</a><span class="item-meta">{% if h.venue %}{{ h.venue.name }} · {% endif %}{{ h.location }}</span></td>
    <td data-label="{% translate 'Level' context 'hazard' %}">{% include "risk/_hazard_level.html" with level=h.level label=h.get_level_display %}</td>
    <td class="nowrap{% if h.is_open and h.rectification_deadline < today %} due-overdue{% endif %}" data-label="{% translate 'Deadline' %}">{{ h.rectification_deadline|date:"Y-m-d" }}</td>
    <td class="hide-sm" data-label="{% translate 'Responsible unit' %}">{{ h.responsible_label|default:"—" }}</td>
    <td class="nowrap" data-label="{% translate 'Status' %}">{% include "risk/_hazard_state.html" with hazard=h %}</td>
  </tr>
{% endfor %}"""  # noqa: E501

TODAY = dt.date(2026, 12, 7)


def _tags_only(html: str) -> str:
    """The markup without the line breaks and indentation between tags (the template's layout)."""
    return re.sub(r">\s*\n\s*<", "><", str(html)).strip()


def _hazards() -> list[Hazard]:
    venue = Venue(pk=5, name="人民广场 <b>&</b>")
    unit = Organisation(pk=6, name='广场管理公司 "{x}"')
    hazards = []
    pk = 200
    for state in HazardState.values:
        for level in ("ordinary", "major"):
            for days in (-3, 0, 4):
                pk += 1
                hazards.append(
                    Hazard(
                        pk=pk,
                        title=f"疏散通道 {pk} <堵塞> '{{}}'",
                        location=f"东门 & {pk}",
                        level=level,
                        state=state,
                        rectification_deadline=TODAY + dt.timedelta(days=days),
                        venue=venue if pk % 2 else None,
                        organisation=unit if pk % 3 == 0 else None,
                        responsible_unit_name="" if pk % 5 == 0 else f"责任单位{pk}",
                    )
                )
    return hazards


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("today", [TODAY, ""])  # "": a page whose context has no today
def test_the_rows_are_the_templates_markup(language, today):
    hazards = _hazards()
    with translation.override(language):
        former = engines["django"].from_string(FORMER_ROWS).render({"hazards": hazards, "today": today})
        rows = hazard_rows(hazards, today)
    assert _tags_only(rows) == _tags_only(former)
    assert rows.count("<tr ") == len(hazards)
    assert ("due-overdue" in rows) is bool(today)


@pytest.mark.django_db
def test_the_hazard_list_reverses_no_url_per_row(city, users):
    def add(n: int, start: int) -> None:
        Hazard.objects.bulk_create(
            Hazard(
                subject_type="",
                subject_id=0,
                jurisdiction=city.grid,
                jurisdiction_path=city.grid.path,
                title=f"隐患{start + i}",
                description="",
                level="ordinary",
                source="patrol",
                found_by=users.grid_worker,
                location="东门",
                rectification_deadline=TODAY + dt.timedelta(days=i % 30 - 10),
            )
            for i in range(n)
        )

    client = Client()
    client.force_login(users.leader)
    add(3, 0)
    client.get(reverse("risk:hazard_list"))
    calls = []
    real = URLResolver._reverse_with_prefix

    def counted(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    with mock.patch.object(URLResolver, "_reverse_with_prefix", counted):
        few = client.get(reverse("risk:hazard_list")).content.decode()
        few_calls = sorted(calls)
        add(57, 3)
        calls.clear()
        many = client.get(reverse("risk:hazard_list")).content.decode()
    assert (few.count('data-hazard="'), many.count('data-hazard="')) == (3, 50)
    assert sorted(calls) == few_calls
    first = Hazard.objects.order_by("rectification_deadline", "-id").first()
    assert f'<a href="{reverse("risk:hazard_detail", args=[first.pk])}">' in many


@pytest.mark.django_db
def test_the_hazard_list_joins_only_what_its_table_shows(city, users):
    """The rows' statement joins the venue and the registered unit, not the place, the supervisors or the finder
    (five model objects per row the table never reads)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Hazard.objects.create(
        subject_type="",
        subject_id=0,
        jurisdiction=city.grid,
        jurisdiction_path=city.grid.path,
        title="隐患",
        description="",
        level="major",
        source="patrol",
        found_by=users.grid_worker,
        location="东门",
        rectification_deadline=TODAY,
    )
    client = Client()
    client.force_login(users.leader)
    client.get(reverse("risk:hazard_list"))
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("risk:hazard_list")).content.decode()
    assert body.count('data-hazard="') == 1
    rows = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "risk_hazard"' in q["sql"] and "LIMIT" in q["sql"] and not q["sql"].startswith("SELECT COUNT(")
    ]  # the rows, not the capped count (``LIMIT 10001``)
    assert len(rows) == 1
    joined = set(re.findall(r'JOIN "(\w+)"', rows[0]))
    assert joined == {"venues_venue", "org_organisation"}


def test_the_rows_look_the_labels_up_once_per_table(monkeypatch):
    """The level's and the state's labels of the active language are read once for the table, not for each row."""
    from crowdsafe.common import labels

    hazards = _hazards()
    assert len(hazards) > 1
    calls = []
    real = translation.get_language
    monkeypatch.setattr(labels, "get_language", lambda: calls.append(1) or real())
    with translation.override("en"):
        one = str(hazard_rows(hazards[:1], TODAY))
        once = len(calls)
        calls.clear()
        every = str(hazard_rows(hazards, TODAY))
    assert len(calls) == once
    assert one.count('data-hazard="') == 1 and every.count('data-hazard="') == len(hazards)
