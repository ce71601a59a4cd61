"""Issue 15 point 6: exercise mode (演练). A series replayed into an exercise copy of a zone raises alerts marked as
an exercise that reach only the exercise's participants — a real recipient of the real zone gets nothing — and the
exercise is recorded as a drill with its after-action items. The shipped series parse and behave as described."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.utils import timezone, translation

from alerts.models import Alert, AlertTarget
from alerts.services import alert_acknowledge, alert_acknowledge_by_link, alerts_escalate
from crowdsafe.errors import DomainError
from drills import services as drill_services
from drills.choices import OwnerKind, PlanKind, ScopeKind
from drills.models import AfterActionItem
from drills.services.drills import ItemSpec
from monitoring import exercise as ex
from monitoring.exercise_models import ExerciseState
from monitoring.models import MonitoringAlert, ZoneState
from monitoring.services import readings_ingest
from notifications.models import Delivery, Notification
from tests.factories import UserFactory, member
from tests.monitoring.conftest import make_zone

pytestmark = pytest.mark.django_db

SERIES = Path(__file__).resolve().parents[2] / "monitoring" / "series"


@pytest.fixture(autouse=True)
def dispatcher():
    ex.connect()  # what the app's ready() does once the core calls it


def test_the_shipped_series_parse_and_rise_surge_and_hover_as_described():
    crush = ex.series_parse((SERIES / "narrow_street_crush.csv").read_bytes())
    fireworks = ex.series_parse((SERIES / "fireworks_surge.csv").read_bytes())
    hover = ex.series_parse((SERIES / "boundary_hover.csv").read_bytes())
    assert crush[0][0] == 0 and crush[-1][0] == 90 * 60 and crush[-1][1] / 200 > 4.5  # a crush in 200 m²
    peak = max(c for _s, c in fireworks)
    before_end = max(c for s, c in fireworks if s < 60 * 60)
    assert peak / 1500 > 3.5 and before_end / 1500 < 0.5  # red after the show, calm during it
    held = [c for s, c in hover if s >= 20 * 60]
    crossings = sum(1 for a, b in itertools.pairwise(held) if (a - 3500) * (b - 3500) < 0)
    assert crossings >= 10 and 3300 < sum(held) / len(held) < 3700


@pytest.mark.parametrize(
    "text, message",
    [
        ("time,count\n2026-01-01T10:00:00,5\n", "at least two rows"),
        ("time,count\n2026-01-01T10:00:00,5\n2026-01-01T09:59:00,6\n", "go forward"),
        ("time,count\n2026-01-01T10:00:00,5\n2026-01-01T10:01:00,-1\n", "negative"),
        ("time,count\nnoon,5\n2026-01-01T10:01:00,1\n", "not a date"),
    ],
)
def test_a_bad_series_is_refused_with_its_line(text, message):
    with translation.override("en"), pytest.raises(DomainError) as error:
        ex.series_parse(text.encode())
    assert message in str(error.value.message if hasattr(error.value, "message") else error.value)


def test_an_exercise_replay_reaches_only_its_participants_and_is_recorded_as_a_drill(city, users, alerted):
    real = make_zone(city, users, area="200", kind="moving")
    steward = member(UserFactory(username="steward"), role="grid_worker", jurisdiction=city.grid).user
    plan = drill_services.plan_create(
        actor=None,
        title="东大街大客流专项预案",
        kind=PlanKind.SPECIAL,
        owner_kind=OwnerKind.DEPARTMENT,
        owner=alerted.township_office,
        scope_kind=ScopeKind.GATHERING_KIND,
        gathering_kind="festival",
        territory=city.street,
    )
    series = ex.series_parse((SERIES / "narrow_street_crush.csv").read_bytes())
    exercise = ex.exercise_create(
        zone=real,
        series=series,
        series_name="narrow_street_crush.csv",
        speed=60,
        participants=[steward, users.township_officer],
        actor=users.township_officer,
        plan=plan,
    )
    copy = exercise.zone
    assert copy.exercise and copy.exercise_of == real and copy.area_m2 == real.area_m2
    start = timezone.now() - dt.timedelta(seconds=95)  # at ×60 the 90-minute series is over after 90 s
    ex.exercise_start(exercise=exercise, actor=users.township_officer, now=start)
    before = Notification.objects.count()
    waits = []
    for second in range(0, 96, 5):  # the worker's steps, every 5 s of wall time
        waits.append(ex.exercise_step(exercise_id=exercise.pk, now=start + dt.timedelta(seconds=second)))
    exercise.refresh_from_db()
    assert exercise.state == ExerciseState.FINISHED and exercise.next_index == len(series)
    assert ZoneState.objects.get(zone=copy).level == "red"
    assert ZoneState.objects.get(zone=real).count is None  # the real zone saw nothing
    episodes = MonitoringAlert.objects.filter(zone=copy)
    assert episodes.filter(kind="level", level="red").exists() and all(e.exercise for e in episodes)
    kinds = [e.kind for e in episodes.order_by("raised_at", "pk")]
    assert "early_warning" in kinds
    # The exercise's alerts reached its participants, marked as an exercise …
    told = Notification.objects.filter(pk__gt=before)
    assert told.filter(recipient=steward).exists() and told.filter(recipient=users.township_officer).exists()
    assert all("演练" in n.message.title or "Exercise" in n.message.title for n in told)
    # … and no real recipient of the real zone: not the township office, the on-duty desk, nor the leader.
    for person in (alerted.office_staff, alerted.office_head, alerted.on_duty, alerted.leader, alerted.city_leader):
        assert not told.filter(recipient=person).exists(), person.username
    # The urgent path was taken, as an exercise, with the participants as its only recipients.
    assert Alert.objects.exists() and not Alert.objects.filter(exercise=False).exists()
    assert set(AlertTarget.objects.values_list("user_id", flat=True)) == {steward.pk, users.township_officer.pk}

    drill = ex.exercise_record_drill(
        exercise=exercise,
        actor=users.admin,
        narrative="北口分流用时过长。",
        problems="广播覆盖不到巷尾",
        items=[
            ItemSpec(
                description="巷尾加装广播",
                owner=alerted.township_office,
                due_date=timezone.localdate() + dt.timedelta(days=30),
            )
        ],
    )
    assert drill.status == "held" and drill.plan == plan and "narrow_street_crush.csv" in drill.narrative
    assert AfterActionItem.objects.filter(drill=drill, description="巷尾加装广播").exists()
    assert ex.exercise_record_drill(exercise=exercise, actor=users.admin) == drill  # once


def test_an_exercise_needs_participants_and_a_speed_from_1_to_60(city, users):
    real = make_zone(city, users, area="200")
    series = [[0, 10], [30, 20]]
    with pytest.raises(DomainError):
        ex.exercise_create(
            zone=real,
            series=series,
            series_name="s",
            speed=120,
            participants=[users.admin],
            actor=users.township_officer,
        )
    with pytest.raises(DomainError):
        ex.exercise_create(
            zone=real, series=series, series_name="s", speed=10, participants=[], actor=users.township_officer
        )


def test_an_exercise_alert_reaches_its_participant_who_acknowledges_it_and_it_is_never_passed_up(city, users, alerted):
    """Exercise alerts go through alert_raise (issue 15 point 6): acknowledged like real ones, marked 演练, re-sent
    to a participant who does not acknowledge — but never passed up the chain to people outside the exercise."""
    real = make_zone(city, users, area="200", kind="standing")
    steward = member(UserFactory(username="steward2", phone="13900000031"), role="grid_worker", jurisdiction=city.grid)
    officer = users.township_officer
    exercise = ex.exercise_create(
        zone=real,
        series=ex.series_parse((SERIES / "narrow_street_crush.csv").read_bytes()),
        series_name="narrow_street_crush.csv",
        speed=60,
        participants=[steward.user, officer],
        actor=officer,
    )
    copy = exercise.zone
    now = timezone.now()
    with translation.override("zh-hans"):
        readings_ingest(
            source=exercise.source, rows=[{"zone": copy.pk, "observed_at": now.isoformat(), "count": 1000}], now=now
        )
    alert = Alert.objects.get(level="red")
    assert alert.exercise and alert.subject_id == MonitoringAlert.objects.get(zone=copy, kind="level").pk
    targets = {t.user_id: t for t in AlertTarget.objects.filter(alert=alert)}
    assert set(targets) == {steward.user.pk, officer.pk}
    assert {t.party for t in targets.values()} == {"exercise"}
    # Each participant received it, urgently, marked as an exercise, by SMS too.
    mine = targets[steward.user.pk]
    note = Notification.objects.get(recipient=steward.user, message=mine.message)
    assert note.message.urgent and "演练" in note.message.title
    assert Delivery.objects.filter(message=mine.message, channel="sms", address="13900000031").exists()
    # Nobody of the real zone was told: not the township office, the on-duty desk, the leaders; no robot post.
    for person in (alerted.office_staff, alerted.office_head, alerted.on_duty, alerted.leader, alerted.city_leader):
        assert not Notification.objects.filter(recipient=person).exists(), person.username
    assert not Delivery.objects.filter(webhook__isnull=False).exists()

    # The officer acknowledges in the app; the steward does not, is sent it again, and nobody above is alerted.
    alert_acknowledge(target=targets[officer.pk], actor=officer)
    alerts_escalate(now=now + dt.timedelta(minutes=30))
    assert set(AlertTarget.objects.filter(alert=alert).values_list("user_id", flat=True)) == {
        steward.user.pk,
        officer.pk,
    }
    assert Notification.objects.filter(recipient=steward.user).count() == 2  # sent again
    assert Notification.objects.filter(recipient=officer).count() == 1
    mine.refresh_from_db()
    assert mine.escalated_at is not None and mine.acknowledged_at is None
    # … and acknowledges from the link in the SMS.
    acknowledged = alert_acknowledge_by_link(token=mine.token, now=now + dt.timedelta(minutes=31))
    assert acknowledged.acknowledged_at is not None and acknowledged.acknowledged_via == "link"
    assert not Alert.objects.filter(exercise=False).exists()
