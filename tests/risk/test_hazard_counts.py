"""The hazard list's counters (``risk.counts``, issue 19): kept by the database's triggers in the transaction of
every kind of hazard write — the services (report, plan, fix, verification, extension, cancelling), ``bulk_create``,
``QuerySet.update``, raw SQL, ``COPY``, deletion, ``TRUNCATE`` — they equal a recount of the hazards after each; the
four figures read from them equal the hazards counted for every user who reads them (a superuser, a city admin, a
district leader, a township officer), before and after folding; everyone else (a grid worker below a township, a
department, a unit) and another day than today count the hazards; a write that bypassed the triggers is found by
the check and the counters rebuilt; the migration's first count counts the hazards already there."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crowdsafe.celery import app
from crowdsafe.common import counters as kernel
from risk import counts, selectors, services
from risk.choices import HazardState
from risk.models import Hazard, HazardCount
from tests.factories import UserFactory
from tests.risk.conftest import hazard, photo
from tests.risk.test_hazard_list_scale import add, client_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def assert_counted():
    assert counts.hazardcounts_verify() == []


def reader_users(users) -> dict:
    """Who reads the figures from the counters: territory alone, of a township or more."""
    return {
        "superuser": UserFactory(username="u_root", is_superuser=True, is_staff=True),
        "city admin": users.admin,
        "district leader": users.leader,
        "township officer": users.township_officer,
    }


def counted_users(users, depts) -> dict:
    """Who counts the hazards: below a township, or seeing more than a territory."""
    return {"grid worker": users.grid_worker, "department staff": users.staff, "organizer": users.organizer}


def figures_of(user, today=None) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        figures = selectors.hazard_counts(user=user, today=today)
    return figures, [q["sql"] for q in captured.captured_queries]


def assert_same_figures(users, depts, today=None):
    """Every user's figures equal the hazards counted; the readers' come from the counters, the others' not."""
    today = today or TODAY()
    for name, user in reader_users(users).items():
        figures, statements = figures_of(user, today)
        assert figures == selectors.hazard_counts_counted(user=user, today=today), name
        assert any('"risk_hazardcount"' in sql for sql in statements), name
        assert not any('"risk_hazard"' in sql for sql in statements), name
    for name, user in counted_users(users, depts).items():
        figures, statements = figures_of(user, today)
        assert figures == selectors.hazard_counts_counted(user=user, today=today), name
        assert not any('"risk_hazardcount"' in sql for sql in statements), name


@pytest.fixture
def spread(city, users):
    """Open and closed hazards over the city and beyond: at a grid, two streets, the district itself, the city
    itself, another district and another city; deadlines from four days ago on (today and yesterday among
    them); ordinary and major; every open state."""
    for place, n in (
        (city.grid, 9),
        (city.street2, 5),
        (city.wenfeng, 3),
        (city.anyang, 2),
        (city.beiguan_street, 4),
        (city.mhk_town, 3),
    ):
        add(place, users.grid_worker, n, start=-2)
    add(city.grid, users.grid_worker, 3, start=20, state=HazardState.CLOSED, closed_at=timezone.now())
    add(city.street2, users.grid_worker, 2, start=30, state=HazardState.CANCELLED)
    add(city.grid, users.grid_worker, 2, start=40, state=HazardState.AWAITING_VERIFICATION)
    add(city.street2, users.grid_worker, 2, start=-5, state=HazardState.RECTIFYING)
    add(city.beiguan_street, users.grid_worker, 1, start=50, state=HazardState.AWAITING_CONFIRMATION)
    assert Hazard.objects.filter(rectification_deadline=TODAY()).exists()
    assert Hazard.objects.filter(rectification_deadline=TODAY() - dt.timedelta(days=1)).exists()


def test_every_kind_of_hazard_write_keeps_the_counters_equal_to_a_recount(spread, city, venue, users, depts, operator):
    assert HazardCount.objects.exists()  # the fixture's hazards, written by bulk_create
    assert_counted()
    assert_same_figures(users, depts)
    # The services: a major hazard reported, its plan, the fix, a failed and a passed verification.
    h = hazard(venue, users.grid_worker, level="major")
    assert_counted()
    services.hazard_submit_plan(
        hazard=h,
        actor=operator.user,
        data={
            "goal": "拆除违规展架",
            "measures": "清理展架",
            "funds_yuan": "12000",
            "people": "安全主管周敏",
            "deadline": TODAY() + dt.timedelta(days=5),
            "interim_measures": "设专人值守",
        },
    )
    services.hazard_report_fixed(hazard=h, actor=operator.user, note="展架已拆除", photos=[photo()])
    assert Hazard.objects.get(pk=h.pk).state == HazardState.AWAITING_VERIFICATION
    assert_counted()
    assert_same_figures(users, depts)
    services.hazard_verify(
        hazard=h, actor=users.township_officer, inspected_on=TODAY(), outcome="not_fixed", findings="通道仍被占用"
    )
    assert_counted()
    services.hazard_report_fixed(hazard=h, actor=operator.user, note="再次清理")
    services.hazard_verify(
        hazard=h, actor=users.township_officer, inspected_on=TODAY(), outcome="fixed", findings="合格"
    )
    assert Hazard.objects.get(pk=h.pk).state == HazardState.CLOSED
    assert_counted()
    # An extension moves the deadline (from overdue to not, here); a cancelled hazard leaves the counts.
    ordinary = hazard(venue, users.grid_worker, rectification_deadline=TODAY())
    Hazard.objects.filter(pk=ordinary.pk).update(rectification_deadline=TODAY() - dt.timedelta(days=3))
    ordinary.refresh_from_db()
    assert_same_figures(users, depts)
    extension = services.hazard_request_extension(
        hazard=ordinary, actor=operator.user, reason="材料未到", requested_deadline=TODAY() + dt.timedelta(days=9)
    )
    services.hazard_decide_extension(extension=extension, actor=users.township_officer, approve=True)
    assert Hazard.objects.get(pk=ordinary.pk).rectification_deadline == TODAY() + dt.timedelta(days=9)
    assert_counted()
    services.hazard_cancel(hazard=Hazard.objects.get(pk=ordinary.pk), actor=users.township_officer, reason="误报")
    assert_counted()
    assert_same_figures(users, depts)
    # QuerySet.update of every column in the key: the state, the level, the deadline, the place.
    grid = Hazard.objects.filter(jurisdiction=city.grid, state=HazardState.OPEN).order_by("pk")
    ids = list(grid.values_list("pk", flat=True))
    Hazard.objects.filter(pk__in=ids[:2]).update(state=HazardState.AWAITING_VERIFICATION)
    Hazard.objects.filter(pk__in=ids[2:4]).update(level="major")
    Hazard.objects.filter(pk__in=ids[4:6]).update(rectification_deadline=TODAY() - dt.timedelta(days=30))
    Hazard.objects.filter(pk__in=ids[6:8]).update(
        jurisdiction=city.beiguan_street, jurisdiction_path=city.beiguan_street.path
    )
    Hazard.objects.filter(pk__in=ids[8:9]).update(state=HazardState.CLOSED, closed_at=timezone.now())
    Hazard.objects.filter(jurisdiction=city.street2, state=HazardState.CANCELLED).update(state=HazardState.OPEN)
    Hazard.objects.update(title="改名")  # no key changes: no counter row written
    assert_counted()
    assert_same_figures(users, depts)
    # Raw SQL and COPY.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_hazard (jurisdiction_id, jurisdiction_path, subject_type, subject_id, subject_label,"
            " title, description, level, source, found_on, found_by_id, location, responsible_unit_name,"
            " rectification_deadline, state, close_note, cancel_reason, created_at, updated_at)"
            " SELECT jurisdiction_id, jurisdiction_path, '', 0, '', title, '', 'major', source, found_on, found_by_id,"
            " location, '', rectification_deadline - 10, 'open', '', '', now(), now() FROM risk_hazard"
            " WHERE jurisdiction_id = %s",
            [city.street2.pk],
        )
    columns = [f.column for f in Hazard._meta.concrete_fields if not f.primary_key]
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        selected = ", ".join(columns)
        cursor.cursor.copy_expert(
            f"COPY (SELECT {selected} FROM risk_hazard WHERE jurisdiction_id = {city.wenfeng.pk}) TO STDOUT", buffer
        )
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY risk_hazard ({selected}) FROM STDIN", buffer)
    assert_counted()
    assert_same_figures(users, depts)
    # Deletion, then the fold keeps everything.
    Hazard.objects.filter(jurisdiction=city.beiguan_street).delete()
    assert_counted()
    assert_same_figures(users, depts)
    counts.hazardcounts_compact()
    assert_counted()
    assert_same_figures(users, depts)


def test_the_figures_from_the_counters_equal_the_hazards_counted_folded_or_not_and_tomorrow(spread, users, depts):
    assert_same_figures(users, depts)
    before = HazardCount.objects.count()
    deleted, written = counts.hazardcounts_compact()
    assert deleted > written > 0 and HazardCount.objects.count() < before
    # The past deadline days are one row per area now; nothing more to fold.
    assert not HazardCount.objects.filter(kind="o", day__lt=TODAY()).exclude(day=kernel.NO_DAY).exists()
    assert counts.hazardcounts_compact() == (0, 0)
    assert_same_figures(users, depts)
    assert_counted()
    # Tomorrow, before the beat's next fold: today's deadline is overdue, read from its own day's row.
    tomorrow = TODAY() + dt.timedelta(days=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: tomorrow)
        assert_same_figures(users, depts, today=tomorrow)
        counts.hazardcounts_compact()
        assert_same_figures(users, depts, today=tomorrow)


def test_the_figures_are_right_where_they_are_not_zero(spread, users):
    """Not only equal to the query: the township's figures by hand (东大街街道: its grid's 9 open hazards, 4 of
    them major, 4 overdue, and 2 awaiting verification, one major)."""
    figures, _ = figures_of(users.township_officer)
    assert figures == {"open": 11, "major": 5, "overdue": 4, "awaiting": 2}


def test_another_day_than_today_or_no_counters_count_the_hazards(spread, users, monkeypatch):
    yesterday = TODAY() - dt.timedelta(days=1)
    figures, statements = figures_of(users.leader, yesterday)
    assert figures == selectors.hazard_counts_counted(user=users.leader, today=yesterday)
    assert not any('"risk_hazardcount"' in sql for sql in statements)
    # The embedded SQLite database has no triggers: its readers count the hazards.
    monkeypatch.setattr(kernel, "counters_kept", lambda: False)
    figures, statements = figures_of(users.leader)
    assert figures == selectors.hazard_counts_counted(user=users.leader, today=TODAY())
    assert not any('"risk_hazardcount"' in sql for sql in statements)
    assert counts.hazardcounts_compact() == (0, 0) and counts.hazardcounts_verify() == []


def test_the_leaders_list_page_reads_its_figures_from_the_counters(spread, users):
    """The page's only statements on the hazards are its capped count and its rows: no count of every open
    hazard of the territory for the figures."""
    client = client_for(users.admin)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse("risk:hazard_list")).content.decode()
    on_hazards = [q["sql"] for q in captured.captured_queries if '"risk_hazard"' in q["sql"]]
    assert len(on_hazards) == 2 and all("LIMIT" in sql for sql in on_hazards), on_hazards
    assert any('"risk_hazardcount"' in q["sql"] for q in captured.captured_queries)
    expected = selectors.hazard_counts_counted(user=users.admin, today=TODAY())
    figures = body.split("data-hazard-counts>")[1].split("</ul>")[0]
    shown = [v.split("<")[0] for v in figures.split('stat-value">')[1:]]
    assert shown == [str(expected[k]) for k in ("open", "major", "overdue", "awaiting")]


def test_the_home_pages_hazard_panel_reads_its_figures_from_the_counters(spread, users):
    """The panel (``risk.panels``) shows the same figures: from the counters for a township officer, with no
    aggregate over the hazards (its five major hazards are a limited read)."""
    with CaptureQueriesContext(connection) as captured:
        page = client_for(users.township_officer).get(reverse("home")).content.decode()
    assert 'data-panel="risk_hazards"' in page
    statements = [q["sql"] for q in captured.captured_queries]
    assert any('"risk_hazardcount"' in sql for sql in statements)
    assert not any('"risk_hazard"' in sql and "COUNT(" in sql and "LIMIT" not in sql for sql in statements)


def test_a_write_that_bypassed_the_triggers_is_found_and_the_counters_rebuilt(spread):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks of the fixture's rows
        cursor.execute("ALTER TABLE risk_hazard DISABLE TRIGGER risk_hazardcount_update")
        Hazard.objects.filter(state=HazardState.OPEN).update(level="major")
        cursor.execute("ALTER TABLE risk_hazard ENABLE TRIGGER risk_hazardcount_update")
    assert counts.hazardcounts_verify()
    with pytest.raises(CommandError, match="differ"):
        call_command("hazardcounts", stdout=io.StringIO(), stderr=io.StringIO())
    result = counts.hazardcounts_check()
    assert result["differences"] and result["rebuilt"]
    assert_counted()
    out = io.StringIO()
    call_command("hazardcounts", "--rebuild", "--compact", stdout=out)
    assert "equal a recount" in out.getvalue()


def test_the_migrations_first_count_counts_the_hazards_already_there(spread):
    """The benchmark's databases held a million hazards before the triggers existed: migrating counts them."""
    migration = importlib.import_module("risk.migrations.0007_hazardcount")
    HazardCount.objects.all().delete()
    assert counts.hazardcounts_verify()
    with connection.cursor() as cursor:
        cursor.execute(migration.FIRST_COUNT)
    assert_counted()


def test_truncating_the_hazards_empties_the_counters(spread):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE risk_hazard CASCADE")
    assert not HazardCount.objects.exists()


def test_the_triggers_count_with_the_same_keys_as_the_recount():
    migration = importlib.import_module("risk.migrations.0007_hazardcount")
    assert " ".join(migration.KEYS.split()) == " ".join(counts.KEYS_SQL.replace("{source}", "%s").split())


def test_the_beat_folds_the_counters_and_checks_them_nightly():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"risk.tasks.hazardcounts_compact", "risk.tasks.hazardcounts_check"} <= tasks
