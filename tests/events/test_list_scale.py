"""The 清单 at a province's size (issue 19 points 1–3): the count stops at its cap (the page says "over", the API
says ``count_capped``) and pages go on past it; a department's scope is read from the task table once per page;
the map sends clusters beyond its limit. The cap is made small here; bench/run measures the real one at 1M."""

from __future__ import annotations

import json

import pytest
from django.core.paginator import EmptyPage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crowdsafe.common import pagination
from crowdsafe.common.pagination import CappedPaginator
from crowdsafe.web.api.pagination import CappedCountPagination
from events import services
from tests.events.conftest import report
from tests.helpers.plans import plan_with_only

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def map_data(page: str):
    return json.loads(page.split('id="gatherings-map-data" type="application/json">')[1].split("</script>")[0])


# --- the capped count -------------------------------------------------------------------------------------------


def test_a_capped_paginator_counts_up_to_its_cap_and_serves_the_pages_past_it():
    rows = list(range(23))
    paginator = CappedPaginator(rows, 5, cap=10)
    assert paginator.count == 10 and paginator.capped and paginator.num_pages == 2
    third = paginator.page(3)  # past the cap: still served
    assert list(third) == [10, 11, 12, 13, 14] and third.has_next() and third.has_previous()
    last = paginator.page(5)
    assert list(last) == [20, 21, 22] and not last.has_next() and last.end_index() == 23
    with pytest.raises(EmptyPage):
        paginator.page(6)
    small = CappedPaginator(list(range(7)), 5, cap=10)
    assert small.count == 7 and not small.capped and small.num_pages == 2 and not small.page(2).has_next()


def test_the_city_list_counts_at_most_its_cap_through_a_limited_count(city, users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr("events.views.PAGE_SIZE", 2)
    for i in range(6):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    client = client_for(users.leader)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("events:gathering_list")).content.decode()
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "events_gathering" in q["sql"]]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts
    assert "Over 3 gatherings" in page and "data-count-capped" in page
    assert "Page 1</span>" in page and "Page 1 of" not in page and 'rel="next"' in page
    # Past the cap: the last gatherings are still reachable, and the last page has no next.
    last = client.get(reverse("events:gathering_list"), {"page": 3}).content.decode()
    assert "聚集0" in last and "聚集1" in last and 'rel="next"' not in last


def test_below_the_cap_the_list_is_counted_as_before(city, users):
    for i in range(3):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    page = client_for(users.leader).get(reverse("events:gathering_list")).content.decode()
    assert "3 gatherings" in page and "Over" not in page


def test_the_api_says_when_its_count_is_capped_and_pages_on(city, users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    for i in range(5):
        report(users.grid_worker, grid=city.grid, title=f"聚集{i}")
    client = client_for(users.leader)
    url = reverse("v1:gathering-list")
    first = client.get(url, {"page_size": 2}).json()
    assert first["count"] == 3 and first["count_capped"] is True and first["next"]
    third = client.get(url, {"page_size": 2, "page": 3}).json()
    assert [g["title"] for g in third["results"]] == ["聚集0"] and third["next"] is None
    uncapped = client.get(url, {"jurisdiction": city.street2.code}).json()
    assert uncapped["count"] == 0 and uncapped["count_capped"] is False


def test_the_schema_documents_the_capped_count():
    schema = CappedCountPagination().get_paginated_response_schema({"type": "array"})
    assert schema["properties"]["count"]["type"] == "integer"
    assert schema["properties"]["count_capped"]["type"] == "boolean"
    assert "10,000" in schema["properties"]["count"]["description"]
    assert "count_capped" in schema["required"]


# --- the count's order: a territory's by place, a department's by key ------------------------------------------


def _count_statements(client) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("events:gathering_list")).content.decode()
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "events_gathering" in q["sql"]]
    return counts, page


def test_the_count_reads_a_territory_by_place_and_a_department_by_key(city, users):
    for i in range(3):
        gathering = report(users.grid_worker, grid=city.grid, title=f"分局聚集{i}", latitude="36.1", longitude="114.3")
        services.gathering_verify(gathering=gathering, actor=users.township_officer)  # public order → 文峰分局
    report(users.grid_worker, grid=city.grid, title="未核实聚集")
    # A leader: the territory alone first, in the path index's order; under the cap, the whole scope in no order.
    (territory, scope), page = _count_statements(client_for(users.leader))
    assert '"events_gathering"."jurisdiction_path" USING ~<~' in territory.split("ORDER BY")[1]
    assert "reported_by_id" not in territory and "reported_by_id" in scope and "ORDER BY" not in scope
    assert "4 gatherings" in page
    # The leader's own township, filtered: the path alone, one count in the index's order.
    filtered = client_for(users.leader)
    with CaptureQueriesContext(connection) as captured:
        filtered.get(reverse("events:gathering_list"), {"jurisdiction": city.street.code})
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "USING ~<~" in counts[0] and "reported_by_id" not in counts[0]
    # A police officer's list is exactly the ids read for the page: their number is the count, nothing is counted.
    counted, page = _count_statements(client_for(users.staff))
    assert counted == []
    with CaptureQueriesContext(connection) as captured:
        client_for(users.staff).get(reverse("events:gathering_list"))
    on_tasks = [q["sql"] for q in captured.captured_queries if '"duties_task"' in q["sql"]]
    assert len(on_tasks) == 1, on_tasks  # the department's scope read once for the count, the rows and the map
    assert all(f"分局聚集{i}" in page for i in range(3)) and "未核实聚集" not in page and "3 gatherings" in page
    assert sorted(p["title"] for p in map_data(page)) == ["分局聚集0", "分局聚集1", "分局聚集2"]
    api = client_for(users.staff).get(reverse("v1:gathering-list")).json()
    assert api["count"] == 3 and api["count_capped"] is False


# --- the attention list: a capped count, a page read in its index's order ----------------------------------------


def _escalated(users, city, n: int) -> list:
    # 2,000 expected: orange by the triage bands (events.services); the first two set red.
    made = [
        report(users.grid_worker, grid=city.grid, title=f"关注{i}", estimated_attendance_max=2000) for i in range(n)
    ]
    for gathering in made[:2]:
        services.gathering_set_risk_level(
            gathering=gathering, level="red", reasons=["人员密集"], source="override", actor=users.township_officer
        )
    return made


def test_the_attention_list_counts_at_most_its_cap_by_place_and_pages_on(city, users, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    monkeypatch.setattr("events.views.PAGE_SIZE", 2)
    _escalated(users, city, 5)
    client = client_for(users.leader)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("events:attention_list")).content.decode()
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "events_gathering" in q["sql"]]
    # The territory's part alone, in the place index's order, stops at the cap: the list is not counted at all.
    assert len(counts) == 1 and "LIMIT 4" in counts[0] and "USING ~<~" in counts[0], counts
    assert "reported_by_id" not in counts[0]
    assert "Over 3 gatherings need attention" in page and "data-count-capped" in page
    assert page.index("关注0") < page.index("关注1")  # red first
    last = client.get(reverse("events:attention_list"), {"page": 3}).content.decode()
    assert "关注4" in last and 'rel="next"' not in last
    api = client.get(reverse("v1:gathering-attention"), {"page_size": 2}).json()
    assert api["count"] == 3 and api["count_capped"] is True and api["next"]
    assert [g["title"] for g in api["results"]] == ["关注0", "关注1"]


def test_below_its_cap_the_attention_list_is_counted_whole(city, users):
    _escalated(users, city, 3)
    report(users.grid_worker, grid=city.grid, title="一般聚集")
    page = client_for(users.leader).get(reverse("events:attention_list")).content.decode()
    assert "3 gatherings need attention" in page and "Over" not in page and "一般聚集" not in page
    zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    zh.force_login(users.leader)
    assert "3个聚集活动需要关注" in zh.get(reverse("events:attention_list")).content.decode()


def test_the_attention_lists_page_is_read_from_the_index_in_its_order(city, users):
    _escalated(users, city, 3)
    with CaptureQueriesContext(connection) as captured:
        client_for(users.leader).get(reverse("events:attention_list"))
    statements = [q["sql"] for q in captured.captured_queries if 'FROM "events_gathering"' in q["sql"]]
    [rows] = [sql for sql in statements if "risk_rank" in sql and "COUNT(" not in sql]
    plan = plan_with_only(rows, table="events_gathering", keep="events_gathering_attn_rank")
    assert "events_gathering_attn_rank" in plan and "Sort" not in plan.split("Index")[0], plan


def test_a_department_s_filtered_list_is_counted_by_key(city, users):
    for i in range(3):
        gathering = report(users.grid_worker, grid=city.grid, title=f"分局聚集{i}", estimated_attendance_max=2000)
        services.gathering_verify(gathering=gathering, actor=users.township_officer)
    client = client_for(users.staff)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("events:gathering_list"), {"risk_level": "orange"}).content.decode()
    [count] = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and "events_gathering" in q["sql"]]
    assert "ORDER BY" not in count and "LIMIT 10001" in count and "= ANY(" in count
    assert "3 gatherings" in page
    api = client.get(reverse("v1:gathering-list"), {"risk_level": "blue"}).json()
    assert api["count"] == 0 and api["count_capped"] is False


def test_the_map_checks_a_department_s_ids_on_the_fortnight_s_open_gatherings(city, users):
    """The ids are not probed in the table one by one (13 ms at a million for ~6,700): the partial indexes of the
    gatherings not over read the fortnight's, and the ids are checked on them, hashed."""
    gathering = report(users.grid_worker, grid=city.grid, title="分局聚集", latitude="36.1", longitude="114.3")
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    with CaptureQueriesContext(connection) as captured:
        page = client_for(users.staff).get(reverse("events:gathering_list")).content.decode()
    [statement] = [q["sql"] for q in captured.captured_queries if 'AS "pk", "events_gathering"."title"' in q["sql"]]
    assert '("events_gathering"."id" + 0) = ANY(' in statement
    assert [p["title"] for p in map_data(page)] == ["分局聚集"]
    plan = plan_with_only(statement, table="events_gathering", keep="events_gathering_open_start")
    assert "events_gathering_open_start" in plan and "events_gathering_pkey" not in plan, plan


def test_a_territorys_map_is_read_by_place_alone(city, users):
    """A territory's map says "not over" as the path's partial index says it (not terminal), and never as the start
    index says it (open): said both ways, PostgreSQL ANDed the township's ~2,800 open gatherings by place with the
    city's ~77,000 by start at a million (6-7 ms; 4.5 by place alone). A city's map is read by start."""
    gathering = report(users.grid_worker, grid=city.grid, title="街道聚集", latitude="36.1", longitude="114.3")
    services.gathering_verify(gathering=gathering, actor=users.township_officer)
    statements = {}
    for who, query in (("township", {"jurisdiction": city.street.code}), ("city", {})):
        with CaptureQueriesContext(connection) as captured:
            page = client_for(users.leader).get(reverse("events:gathering_list"), query).content.decode()
        [statements[who]] = [
            q["sql"] for q in captured.captured_queries if 'AS "pk", "events_gathering"."title"' in q["sql"]
        ]
        assert [p["title"] for p in map_data(page)] == ["街道聚集"]
    township, whole = statements["township"], statements["city"]

    def plan(statement: str, keep: str) -> str:
        savepoint = transaction.savepoint()  # each plan drops the other indexes: back after it
        try:
            return plan_with_only(statement, table="events_gathering", keep=keep)
        finally:
            transaction.savepoint_rollback(savepoint)

    by_start = plan(township, "events_gathering_open_start")
    assert "events_gathering_open_start" not in by_start, by_start  # its predicate is not the statement's
    assert "events_gathering_open_path" in plan(township, "events_gathering_open_path")
    assert "events_gathering_open_start" in plan(whole, "events_gathering_open_start")


# --- the map: clusters beyond its limit -------------------------------------------------------------------------


def test_the_list_map_sends_clusters_beyond_its_limit(city, users, monkeypatch):
    levels = []
    for i in range(5):
        g = report(
            users.grid_worker,
            grid=city.grid,
            title=f"地图{i}",
            latitude=f"36.{10 + i}",
            longitude=f"114.{30 + i}",
            estimated_attendance_max=2000 if i == 0 else 100,
        )
        levels.append(g.risk_level)
    client = client_for(users.leader)
    page = client.get(reverse("events:gathering_list")).content.decode()
    assert len(map_data(page)) == 5 and "data-map-clustered" not in page
    monkeypatch.setattr("events.selectors.MAP_LIMIT", 2)
    page = client.get(reverse("events:gathering_list")).content.decode()
    found = map_data(page)
    assert 1 <= len(found) <= 2 and "data-map-clustered" in page
    assert sum(c["count"] for c in found) == 5
    by_level = {}
    for c in found:
        for level, n in c["counts"].items():
            by_level[level] = by_level.get(level, 0) + n
    assert {k: v for k, v in by_level.items() if v} == {lv: levels.count(lv) for lv in set(levels)}
    assert all("地图" not in c["title"] for c in found)  # no gathering's details in a cluster
    assert "Map of 5 gatherings" in page


@pytest.mark.django_db
def test_the_ids_a_department_sees_are_read_once_whole_or_not_at_all(city, users):
    """``other_gathering_ids``: every id (a gathering both shared with the department and held by it counts once), as
    ``Ids`` whose array is written once for the page's statements; past the limit, none (each statement then keeps
    its subquery), never the first ``limit`` of them."""
    from guardian.shortcuts import assign_perm

    from crowdsafe.common.lookups import Ids
    from crowdsafe.org.access import get_scope
    from events.access import other_gathering_ids

    gatherings = [report(users.grid_worker, grid=city.grid, title=f"共享聚集{i}") for i in range(3)]
    for gathering in gatherings:
        assign_perm("events.view_gathering", city.wenfeng_police.group, gathering)
    assign_perm("events.view_gathering", city.wenfeng_police.group, gatherings[0])  # twice: still one id
    scope = get_scope(users.staff)
    ids = other_gathering_ids(scope)
    assert isinstance(ids, Ids) and {g.pk for g in gatherings} <= set(ids) and len(set(ids)) == len(ids)
    assert ids.literal == "{" + ",".join(map(str, sorted(ids))) + "}"
    assert other_gathering_ids(scope, limit=len(ids) - 1) is None


def test_the_ids_a_department_sees_are_read_by_a_statement_compiled_once(city, users, monkeypatch):
    """The union of the ids (own reports, tasks held, shares) is one statement for every user of the same shape,
    compiled once, reading what the union's queryset reads."""
    from crowdsafe.org.access import get_scope
    from events import access
    from tests.helpers.statements import counted_builds

    built = counted_builds(access._OTHER_GATHERING_IDS, monkeypatch)
    report(users.staff, grid=city.grid, title="分局上报")
    rounds = []
    for _ in range(2):
        for user in (users.staff, users.head, users.organizer, users.township_officer):
            scope = get_scope(user)
            ids = access.other_gathering_ids(scope)
            _own, union = access._elsewhere(scope)
            assert (sorted(ids) if ids is not None else None) == (sorted(set(union)) if union is not None else None), (
                user
            )
        rounds.append(len(built))
    assert 0 < rounds[0] == rounds[1]


@pytest.mark.django_db
def test_the_home_panel_lists_by_start_without_walking_the_start_index(city, users):
    """The "gatherings in my territory" panel: the first eight by start (then id), its statement read through the
    place's index — in start order the planner walked the city's open gatherings (31 ms at a million)."""
    import datetime as dt

    from django.utils import timezone

    from crowdsafe.org.access import get_scope
    from crowdsafe.web.home import HomeContext
    from events.panels import territory_context

    soon = timezone.now() + dt.timedelta(hours=2)
    made = [
        report(users.grid_worker, grid=city.grid, title=f"近期聚集{i}", starts_at=soon + dt.timedelta(minutes=minutes))
        for i, minutes in enumerate((0, 7, 4, 1, 8, 5, 2, 9, 6, 3))
    ]
    scope = get_scope(users.township_officer)
    home = HomeContext(
        request=None, user=users.township_officer, scope=scope, roles=scope.roles, today=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as captured:
        context = territory_context(home)
    expected = sorted(made, key=lambda g: (g.starts_at, g.pk))[:8]
    assert [g.pk for g in context["rows"]] == [g.pk for g in expected] and context["more"]
    statement = next(q["sql"] for q in captured.captured_queries if 'FROM "events_gathering"' in q["sql"])
    assert 'ORDER BY ("events_gathering"."starts_at" + ' in statement
    plan = plan_with_only(statement, table="events_gathering", keep="events_gathering_open_path")
    assert "events_gathering_open_path" in plan
