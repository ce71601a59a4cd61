"""One FilterSet per list (crowdsafe/common/filters.py): for the same filter, the page, the API and the selector give
the same rows; a malformed filter value is a form error on the page (the rest of the page still renders) and a 400
naming the parameter in the API, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crowdsafe.common.filters import FilterSetBackend, ListFilterSet, TerritoryFilter
from events import selectors as event_selectors
from events.choices import GatheringSource
from events.filters import GatheringFilterSet
from tests.duties.conftest import make_tasks
from tests.events.conftest import report
from tests.helpers.templates import rendered_templates
from tests.venues.conftest import make_venue
from venues import selectors as venue_selectors

pytestmark = pytest.mark.django_db


def page_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def api_ids(user, url: str, params: dict) -> set[int]:
    response = api_client(user).get(url, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- gatherings -----------------------------------------------------------------------------------------------


@pytest.fixture
def gatherings(city, users):
    from events import services

    big = report(users.grid_worker, grid=city.grid, title="大聚集", estimated_attendance_max=1500)
    verified = report(users.grid_worker, grid=city.grid, title="核实聚集", location_name="东门")
    services.gathering_verify(gathering=verified, actor=users.township_officer)
    hotline = report(users.grid_worker, grid=city.grid, title="热线聚集", source=GatheringSource.HOTLINE)
    return {"big": big, "verified": verified, "hotline": hotline}


GATHERING_CASES = [
    ({"risk_level": "orange"}, {"big"}),
    ({"status": "verified"}, {"verified"}),
    ({"status": "open"}, {"big", "verified", "hotline"}),
    ({"source": "hotline"}, {"hotline"}),
    ({"q": "东门"}, {"verified"}),
    ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, set()),
    ({"jurisdiction": "999999999999"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), GATHERING_CASES)
def test_the_gathering_page_api_and_selector_give_the_same_rows(city, users, gatherings, params, expected):
    want = {gatherings[name].pk for name in expected}
    leader = users.leader
    assert {g.pk for g in event_selectors.gathering_list(user=leader, filters=params)} == want
    api_params = {("search" if k == "q" else k): v for k, v in params.items()}  # the API's name of q
    assert api_ids(leader, reverse("v1:gathering-list"), api_params) == want
    page = page_client(leader).get(reverse("events:gathering_list"), params).content.decode()
    assert {g.pk for g in gatherings.values() if f">{g.title}</a>" in page} == want


def test_a_malformed_gathering_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(city, users, gatherings):
    response = page_client(users.leader).get(reverse("events:gathering_list"), {"date_from": "31.02.", "kind": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "kind"}
    # A field with an error counts as not given: the list is the unfiltered one.
    assert all(f">{g.title}</a>" in response.content.decode() for g in gatherings.values())
    for params in ({"date_from": "31.02."}, {"status": "nonsense"}, {"search": "x" * 65}):
        response = api_client(users.leader).get(reverse("v1:gathering-list"), params)
        assert response.status_code == 400 and set(response.json()) == set(params), params


# --- venues ---------------------------------------------------------------------------------------------------


@pytest.fixture
def venues(city):
    from venues import services

    square = make_venue(city.grid, name="人民广场")
    mall = make_venue(city.grid, name="东大街商场", kind="commercial", address="东大街8号")
    closed = make_venue(city.grid, name="旧礼堂", kind="theatre")
    services.venue_deactivate(venue=closed, actor=None, reason="拆除")
    return {"square": square, "mall": mall, "closed": closed}


VENUE_CASES = [
    ({}, {"square", "mall"}),
    ({"kind": "commercial"}, {"mall"}),
    ({"q": "东大街8"}, {"mall"}),
    ({"include_inactive": "on"}, {"square", "mall", "closed"}),
    ({"jurisdiction": "999999999999"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), VENUE_CASES)
def test_the_venue_page_api_and_selector_give_the_same_rows(city, users, venues, params, expected):
    want = {venues[name].pk for name in expected}
    officer = users.township_officer
    assert {v.pk for v in venue_selectors.venue_list(user=officer, filters=params)} == want
    api_params = {("search" if k == "q" else k): ("true" if v == "on" else v) for k, v in params.items()}
    assert api_ids(officer, "/api/v1/venues/", api_params) == want
    response = page_client(officer).get(reverse("venues:venue_list"), params)
    assert {v.pk for v in response.context["page"].object_list} == want


def test_a_malformed_venue_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(users, venues):
    response = page_client(users.township_officer).get(reverse("venues:venue_list"), {"operator": "abc"})
    assert response.status_code == 200 and "operator" in response.context["form"].errors
    response = api_client(users.township_officer).get("/api/v1/venues/", {"operator": "1.5"})
    assert response.status_code == 400 and "operator" in response.json()


# --- the task queue -------------------------------------------------------------------------------------------

TASK_RULE = "旅游景区人员聚集活动安全管理"


@pytest.fixture
def tasks(city, users):
    """Four tasks of 文峰区's police about made-up venues in 东大街社区's grid: one overdue, one due tomorrow and held
    by the leader personally, one due next month and held by nobody, one done."""
    from duties.models import Task

    late, soon, later, done = make_tasks(
        4, rule_name=TASK_RULE, jurisdiction=city.grid, department=city.wenfeng_police, start_id=70_000
    )
    today = timezone.localdate()
    Task.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=3), subject_label="人民广场")
    Task.objects.filter(pk=soon.pk).update(due_date=today + dt.timedelta(days=1), responsible_person=users.leader)
    Task.objects.filter(pk=later.pk).update(due_date=today + dt.timedelta(days=30), responsible_department=None)
    Task.objects.filter(pk=done.pk).update(status="done", completed_at=timezone.now(), due_date=today)
    return {"late": late, "soon": soon, "later": later, "done": done}


TASK_CASES = [
    ({}, {"late", "soon", "later"}),
    ({"status": "done"}, {"done"}),
    ({"status": "all"}, {"late", "soon", "later", "done"}),
    ({"due": "overdue"}, {"late"}),
    ({"due": "soon"}, {"soon"}),
    ({"due": "later"}, {"later"}),
    ({"party": "unassigned"}, {"later"}),
    ({"party": "department"}, {"late", "soon"}),
    ({"department": "police"}, {"late", "soon"}),
    ({"q": "人民广场"}, {"late"}),
    ({"mine": "on"}, {"soon"}),
    ({"status": "done", "completed_within": "30"}, {"done"}),
    ({"subject_type": "venue", "subject_id": "70000"}, {"late"}),
]


@pytest.mark.parametrize(("params", "expected"), TASK_CASES)
def test_the_task_queue_page_api_and_selector_give_the_same_rows(city, users, tasks, params, expected):
    from duties import selectors as duty_selectors

    params = {k: (str(city.wenfeng_police.pk) if v == "police" else v) for k, v in params.items()}
    want = {tasks[name].pk for name in expected}
    leader = users.leader
    assert {t.pk for t in duty_selectors.task_queue(user=leader, filters=params)} == want
    api_params = {k: ("true" if v == "on" else v) for k, v in params.items()}
    assert api_ids(leader, reverse("v1:task-list"), api_params) == want
    response = page_client(leader).get(reverse("duties:queue"), params)
    assert {t.pk for t in response.context["page"].object_list} == want


def test_a_malformed_task_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(users, tasks):
    response = page_client(users.leader).get(reverse("duties:queue"), {"status": "bogus", "department": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"status", "department"}
    # A field with an error counts as not given: the queue is the default one (outstanding tasks).
    assert {t.pk for t in response.context["page"].object_list} == {tasks[n].pk for n in ("late", "soon", "later")}
    for params in ({"department": "1.5"}, {"due": "never"}, {"completed_within": "0"}, {"subject_id": "x"}):
        response = api_client(users.leader).get(reverse("v1:task-list"), params)
        assert response.status_code == 400 and set(response.json()) == set(params), params


def test_the_rule_api_filters_by_subject_type_and_refuses_an_unknown_one(users):
    from duties.models import ResponsibilityRule

    want = set(ResponsibilityRule.objects.filter(subject_type="venue", is_active=True).values_list("pk", flat=True))
    assert (
        api_ids(users.staff, reverse("v1:rule-list"), {"subject_type": "venue", "active": "true", "page_size": 500})
        == want
    )
    response = api_client(users.staff).get(reverse("v1:rule-list"), {"subject_type": "spaceship"})
    assert response.status_code == 400 and set(response.json()) == {"subject_type"}


# --- official documents ---------------------------------------------------------------------------------------


@pytest.fixture
def notices(city):
    from notices.choices import NoticeKind as K
    from notices.models import Notice
    from tests.notices.conftest import issue

    venue = make_venue(city.grid, name="东大街广场")
    order = issue(K.RECTIFICATION_ORDER, issuer=city.wenfeng_police, subject=venue)
    acceptance = issue(K.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    approval = issue(K.PERMIT_APPROVAL, issuer=city.city_police, subject=venue)
    Notice.objects.filter(pk=order.pk).update(issued_on=dt.date(2026, 1, 15))
    return {"order": order, "acceptance": acceptance, "approval": approval}


NOTICE_CASES = [
    ({}, {"order", "acceptance", "approval"}),
    ({"kind": "acceptance"}, {"acceptance"}),
    ({"issuer": "city_police"}, {"approval"}),
    ({"date_from": "2026-01-01", "date_to": "2026-01-31"}, {"order"}),
    ({"status": "revoked"}, set()),
    ({"q": "order"}, set()),
]


@pytest.mark.parametrize(("params", "expected"), NOTICE_CASES)
def test_the_document_page_api_and_selector_give_the_same_rows(city, users, notices, params, expected):
    from notices import selectors as notice_selectors

    params = {k: (str(city.city_police.pk) if v == "city_police" else v) for k, v in params.items()}
    want = {notices[name].pk for name in expected}
    leader = users.leader
    assert {n.pk for n in notice_selectors.notice_list(user=leader, filters=params)} == want
    assert api_ids(leader, reverse("v1:notice-list"), params) == want
    response = page_client(leader).get(reverse("notices:list"), params)
    assert {n.pk for n in response.context["page"].object_list} == want


def test_a_document_searched_by_its_number_is_found_on_the_page_in_the_api_and_by_the_selector(users, notices):
    from notices import selectors as notice_selectors

    params = {"q": notices["order"].number}
    want = {notices["order"].pk}
    assert {n.pk for n in notice_selectors.notice_list(user=users.leader, filters=params)} == want
    assert api_ids(users.leader, reverse("v1:notice-list"), params) == want
    response = page_client(users.leader).get(reverse("notices:list"), params)
    assert {n.pk for n in response.context["page"].object_list} == want


def test_a_malformed_document_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(users, notices):
    response = page_client(users.leader).get(
        reverse("notices:list"), {"issuer": "abc", "date_from": "2026-02-01", "date_to": "2026-01-01"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"issuer", "date_to"}
    # The valid start of the period still applies.
    assert {n.pk for n in response.context["page"].object_list} == {notices["acceptance"].pk, notices["approval"].pk}
    for params in ({"issuer": "abc"}, {"kind": "memo"}, {"date_from": "2026-02-01", "date_to": "2026-01-01"}):
        response = api_client(users.leader).get(reverse("v1:notice-list"), params)
        assert response.status_code == 400, params
    assert set(response.json()) == {"date_to"}


# --- the delivery log -----------------------------------------------------------------------------------------


@pytest.fixture
def deliveries(city, users):
    from notifications.choices import MessageKind
    from notifications.services import notify

    notify(recipients=[city.wenfeng_police], title="红色预警", urgent=True, kind=MessageKind.ALERT)
    notify(recipients=[city.wenfeng_police], title="例行通知", kind=MessageKind.NOTICE)


def delivery_ids(**lookups) -> set[int]:
    from notifications.models import Delivery

    return set(Delivery.objects.filter(**lookups).values_list("pk", flat=True))


DELIVERY_CASES = [
    ({}, {}),
    ({"channel": "in_app"}, {"channel": "in_app"}),
    ({"status": "delivered"}, {"status": "delivered"}),
    ({"q": "红色"}, {"message__title": "红色预警"}),
    ({"department": "police"}, {"department__name": "安阳市公安局文峰分局"}),
    ({"department": "beiguan"}, {"pk": None}),
]


@pytest.mark.parametrize(("params", "lookups"), DELIVERY_CASES)
def test_the_delivery_log_page_api_and_selector_give_the_same_rows(city, users, deliveries, params, lookups):
    from notifications import selectors as notification_selectors

    departments = {"police": city.wenfeng_police.pk, "beiguan": city.beiguan_police.pk}
    params = {k: str(departments.get(v, v)) for k, v in params.items()}
    want = delivery_ids(**lookups)
    head = users.head
    assert want or "pk" in lookups  # the case has rows to find
    assert {d.pk for d in notification_selectors.delivery_log(user=head, filters=params)} == want
    assert api_ids(head, "/api/v1/notifications/deliveries/", {**params, "page_size": 500}) == want
    response = page_client(head).get(reverse("notifications:delivery_list"), params)
    assert {d.pk for d in response.context["page"].object_list} == want


def test_a_malformed_delivery_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(users, deliveries):
    response = page_client(users.head).get(
        reverse("notifications:delivery_list"), {"department": "x", "channel": "in_app"}
    )
    assert response.status_code == 200 and set(response.context["form"].errors) == {"department"}
    # The valid filters still apply.
    assert {d.pk for d in response.context["page"].object_list} == delivery_ids(channel="in_app")
    for params in ({"department": "x"}, {"channel": "pigeon"}, {"status": "lost"}, {"q": "x" * 101}):
        response = api_client(users.head).get("/api/v1/notifications/deliveries/", params)
        assert response.status_code == 400 and set(response.json()) == set(params), params


def test_the_inbox_tabs_and_the_api_flags_give_the_same_rows(users, deliveries):
    from notifications import selectors as notification_selectors
    from notifications.models import Notification

    mine = Notification.objects.filter(recipient=users.staff)
    urgent = set(mine.filter(message__urgent=True).values_list("pk", flat=True))
    assert urgent and urgent != set(mine.values_list("pk", flat=True))
    assert {n.pk for n in notification_selectors.inbox(user=users.staff, filters={"show": "urgent"})} == urgent
    assert api_ids(users.staff, "/api/v1/notifications/", {"urgent": "true"}) == urgent
    response = page_client(users.staff).get(reverse("notifications:inbox"), {"show": "urgent"})
    assert {n.pk for n in response.context["page"].object_list} == urgent
    assert response.context["show"] == "urgent"
    # A yes/no that is neither is refused, not read as yes.
    response = api_client(users.staff).get("/api/v1/notifications/", {"unread": "maybe"})
    assert response.status_code == 400 and set(response.json()) == {"unread"}


# --- the organisation directory -------------------------------------------------------------------------------


def test_the_jurisdiction_and_department_lists_filter_alike_on_the_page_in_the_api_and_in_the_selector(city, users):
    from crowdsafe.org import selectors as org_selectors

    leader = users.leader
    params = {"level": "township"}
    want = {city.street.pk, city.street2.pk}
    assert {j.pk for j in org_selectors.jurisdiction_list(user=leader, filters=params)} == want
    response = api_client(leader).get("/api/v1/jurisdictions/", params)
    assert {row["code"] for row in response.json()["results"]} == {city.street.code, city.street2.code}
    page = page_client(leader).get(reverse("org:jurisdiction_list"), params)
    assert {j.pk for j in page.context["page"].object_list} == want
    params = {"kind": "public_security", "jurisdiction": city.wenfeng.code}
    assert {d.pk for d in org_selectors.department_list(user=leader, filters=params)} == {city.wenfeng_police.pk}
    assert api_ids(leader, "/api/v1/departments/", params) == {city.wenfeng_police.pk}
    page = page_client(leader).get(reverse("org:department_list"), {"q": "文峰"})
    assert {d.pk for d in page.context["page"].object_list} == {city.wenfeng_police.pk}
    for url, params in (("/api/v1/jurisdictions/", {"level": "planet"}), ("/api/v1/departments/", {"kind": "x"})):
        response = api_client(leader).get(url, params)
        assert response.status_code == 400 and set(response.json()) == set(params)


# --- the kernel -----------------------------------------------------------------------------------------------


def test_a_selector_reuses_the_filterset_the_page_built_so_a_division_code_is_looked_up_once(
    city, users, django_assert_num_queries
):
    filterset = GatheringFilterSet({"jurisdiction": city.street.code})
    with django_assert_num_queries(1):
        path = filterset.territory_path()
        assert GatheringFilterSet.of(filterset) is filterset
        assert filterset.territory_path() == path == city.street.path


def test_of_refuses_a_filterset_of_another_list():
    from venues.filters import VenueFilterSet

    with pytest.raises(TypeError):
        GatheringFilterSet.of(VenueFilterSet({}))


def test_every_converted_list_api_checks_its_filters_with_the_filterset_backend():
    from crowdsafe.org.api import views as org
    from drills.api import views as drills
    from duties.api import views as duties
    from events.api import views as events_api
    from notices.api import views as notices
    from notifications.api import views as notifications
    from permits.api import views as permits
    from risk.api import views as risk
    from venues.api import views as venues_api

    views = [
        events_api.GatheringListApi,
        venues_api.VenueListApi,
        permits.ApplicationListApi,
        permits.ReviewQueueApi,
        risk.AssessmentListApi,
        risk.RegisterListApi,
        risk.HazardListApi,
        drills.PlanListApi,
        drills.DrillListApi,
        drills.ItemListApi,
        duties.TaskListApi,
        duties.RuleListApi,
        notices.NoticeListApi,
        notifications.DeliveryListApi,
        notifications.NotificationListApi,
        org.JurisdictionListApi,
        org.DepartmentListApi,
    ]
    for view in views:
        assert view.filter_backends == [FilterSetBackend], view
        assert issubclass(view.filterset_class, ListFilterSet), view


def test_an_unknown_division_code_matches_nothing_rather_than_everything(city):
    territory = TerritoryFilter()
    assert territory.path_of("") is None
    assert territory.path_of("999999999999") == TerritoryFilter.NO_PATH


def test_no_filter_form_and_no_filter_serializer_is_left_beside_the_filtersets():
    """A list's filters are its FilterSet: a Django filter form or a DRF filter serializer beside it would be the
    second copy this kernel module exists to remove."""
    root = Path(settings.BASE_DIR)
    pattern = re.compile(
        r"^class (?:\w*Filter\w*(?:Form|Serializer)\b|\w*Filter\w*\((?:forms\.Form|serializers\.Serializer)\b)", re.M
    )
    packages = [p for p in root.iterdir() if (p / "__init__.py").exists() and p.name not in ("tests",)]
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for package in packages
        for path in package.rglob("*.py")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert packages and found == []


# --- the filter fields rendered once (crowdsafe.common.filters.CachedBoundField, issue 19) -----------------------


def _field_html(filterset, cached: bool) -> list[str]:
    from django.forms.boundfield import BoundField

    form = filterset.form
    out = []
    for name, field in form.fields.items():
        bound = form[name] if cached else BoundField(form, field, name)
        out += [str(bound.as_field_group()), str(bound)]
    return out


def _filtersets(departments):
    from django.http import QueryDict

    from duties.filters import TaskFilterSet
    from risk.filters import HazardFilterSet

    queries = ["", "status=done", "status=bogus&due=never", "q=<b>&amp;&mine=on", "department=x", "mine=maybe"]
    for query in queries:
        yield TaskFilterSet(QueryDict(query), departments=departments)
        yield HazardFilterSet(QueryDict(query.replace("done", "closed")))
    for query in ["", "jurisdiction=410502", "date_from=2026-12-01&date_to=2026-01-01", "date_from=2026-13-45"]:
        yield GatheringFilterSet(QueryDict(query))


def test_filter_fields_warm_equal_cold_in_every_language_and_render_no_template_when_warm(city):
    from django.utils import translation

    from crowdsafe.common.rendered import clear_all
    from crowdsafe.org.models import Department

    departments = list(Department.objects.order_by("pk")[:3])
    renamed = [Department(pk=d.pk, name=d.name + "（改）") for d in departments]
    clear_all()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for round_ in range(2):  # the second round from the cache, filled by every other filter set
                for choices in (departments, renamed):
                    for filterset in _filtersets(choices):
                        assert _field_html(filterset, cached=True) == _field_html(filterset, cached=False), (
                            language,
                            round_,
                            filterset.data,
                        )
    with translation.override("en"):
        filterset = next(_filtersets(departments))
        _field_html(filterset, cached=True)
        with rendered_templates() as names:
            html = _field_html(next(_filtersets(departments)), cached=True)
        assert names == [] and any("<select" in part for part in html)
        # The department choices renamed: the field shows the new names at once.
        assert "（改）" in "".join(_field_html(next(_filtersets(renamed)), cached=True))


def test_the_form_class_is_built_once_per_filterset_and_each_form_keeps_its_own_fields():
    """ListFilterSet.get_form_class: one class per FilterSet class (issue 19); a request's changes (its departments'
    choices, the help texts taken off) stay on its own form."""
    from duties.filters import TaskFilterSet

    first = TaskFilterSet({}, departments=[SimpleNamespace(pk=1, name="甲部门")])
    second = TaskFilterSet({"status": "done"}, departments=[SimpleNamespace(pk=2, name="乙部门")])
    assert type(first.form) is type(second.form)
    assert first.get_form_class() is TaskFilterSet({}).get_form_class()
    assert first.form.fields["department"] is not second.form.fields["department"]
    assert [label for _, label in first.form.fields["department"].widget.choices][1:] == ["甲部门"]
    assert [label for _, label in second.form.fields["department"].widget.choices][1:] == ["乙部门"]
    assert second.valid("status") == "done" and not first.valid("status")
    base = type(first.form).base_fields
    assert all(field.help_text == "" for field in first.form.fields.values())
    assert any(field.help_text for field in base.values())  # the API's schema still reads them
