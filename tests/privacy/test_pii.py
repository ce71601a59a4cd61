"""Personal information (issue 18 point 8, PIPL): the one masking helper, who may reveal a full value (and that each
reveal is logged), the retention of callers' numbers, and photos stored without their EXIF (GPS) metadata."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from crowdsafe.audit.models import ActionLog
from crowdsafe.common import pii
from crowdsafe.common.files import check_upload
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import DepartmentKind, Role
from response.services import report_receive
from tests.factories import DepartmentFactory, UserFactory, member

# --- masking ------------------------------------------------------------------------------------------------


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits():
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_phone("0372-5123456") == "037*****3456"
    assert pii.mask_phone("5123456") == "***3456"
    assert pii.mask_phone("") == "" and pii.mask_phone(None) == ""


def test_a_resident_id_number_keeps_its_region_and_last_four():
    assert pii.mask_resident_id("410502199001011234") == "410502********1234"
    assert pii.mask_resident_id("41050219900101123X") == "410502********123X"
    assert pii.mask_resident_id("") == ""
    assert "19900101" not in pii.mask_resident_id("410502199001011234")


# --- who may reveal -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_public_security_staff_may_reveal_a_resident_id_number(city):
    police = member(UserFactory(), role=Role.STAFF, department=city.wenfeng_police).user
    fire = DepartmentFactory(name="文峰区消防救援大队", kind=DepartmentKind.FIRE_RESCUE, jurisdiction=city.wenfeng)
    firefighter = member(UserFactory(), role=Role.STAFF, department=fire).user
    leader = member(UserFactory(), role=Role.LEADER, jurisdiction=city.wenfeng).user
    assert pii.can_reveal(get_scope(police), pii.RESIDENT_ID)
    assert not pii.can_reveal(get_scope(firefighter), pii.RESIDENT_ID)
    assert not pii.can_reveal(get_scope(leader), pii.RESIDENT_ID)


@pytest.mark.django_db
def test_follow_up_roles_may_reveal_a_phone_number_and_leaders_may_not(city):
    grid = member(UserFactory(), role=Role.GRID_WORKER, jurisdiction=city.grid).user
    township = member(UserFactory(), role=Role.TOWNSHIP_OFFICER, jurisdiction=city.street).user
    leader = member(UserFactory(), role=Role.LEADER, jurisdiction=city.wenfeng).user
    admin = member(UserFactory(), role=Role.ADMIN, jurisdiction=city.anyang).user
    assert pii.can_reveal(get_scope(grid), pii.PHONE)
    assert pii.can_reveal(get_scope(township), pii.PHONE)
    assert not pii.can_reveal(get_scope(leader), pii.PHONE)
    assert not pii.can_reveal(get_scope(admin), pii.PHONE)


@pytest.mark.django_db
def test_an_organisations_own_people_may_reveal_its_own_entries_only(city):
    from tests.factories import OrganisationFactory

    own = OrganisationFactory(jurisdiction=city.wenfeng)
    other = OrganisationFactory(jurisdiction=city.wenfeng)
    organizer = member(UserFactory(), role=Role.ORGANIZER, organisation=own).user
    scope = get_scope(organizer)
    assert pii.can_reveal(scope, pii.RESIDENT_ID, organisation_id=own.pk)
    assert not pii.can_reveal(scope, pii.RESIDENT_ID, organisation_id=other.pk)
    assert not pii.can_reveal(scope, pii.PHONE)


@pytest.mark.django_db
def test_each_reveal_is_in_the_action_log_without_the_value(city):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(jurisdiction=city.wenfeng, safety_officer_phone="13812345678")
    police = member(UserFactory(), role=Role.STAFF, department=city.wenfeng_police).user
    shown = pii.reveal(subject=organisation, field="safety_officer_phone", kind=pii.PHONE, actor=police)
    assert shown.value == "13812345678"
    entry = ActionLog.objects.get(verb="pii_revealed", subject_id=organisation.pk)
    assert entry.actor == police and entry.data == {"field": "safety_officer_phone", "kind": "phone"}
    assert "13812345678" not in str(entry.data) + entry.reason


# --- retention of callers' numbers --------------------------------------------------------------------------


@pytest.mark.django_db
def test_callers_numbers_are_blanked_after_the_retention_period_and_each_is_logged(city, settings):
    settings.CALLER_PHONE_RETENTION_DAYS = 180
    now = timezone.now()
    old, _ = report_receive(
        channel="12345",
        ticket_number="T-old",
        place_text="东门",
        caller_phone="13812345678",
        received_at=now - dt.timedelta(days=181),
        jurisdiction=city.grid,
    )
    recent, _ = report_receive(
        channel="12345",
        ticket_number="T-new",
        place_text="东门",
        caller_phone="13912345678",
        received_at=now - dt.timedelta(days=179),
        jurisdiction=city.grid,
    )
    assert pii.caller_phones_expire(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.caller_phone == "" and recent.caller_phone == "13912345678"
    entry = ActionLog.objects.get(verb="pii_expired")
    assert entry.subject_type == ContentType.objects.get_for_model(old) and entry.subject_id == old.pk
    assert entry.data == {"field": "caller_phone", "retention_days": 180}
    # A second run the same day finds nothing.
    assert pii.caller_phones_expire(now=now) == 0


def test_the_retention_runs_daily_from_the_beat_schedule():
    from crowdsafe.celery import app

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "crowdsafe.audit.tasks.caller_phones_expire"]
    assert len(entries) == 1


# --- photos without their EXIF -----------------------------------------------------------------------------


def _photo(fmt: str = "JPEG", *, gps: bool = True) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (36.0, 5.0, 48.0), 3: "E", 4: (114.0, 21.0, 7.0)}  # GPSInfo
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt,name", [("JPEG", "p.jpg"), ("PNG", "p.png"), ("WEBP", "p.webp")])
def test_a_photo_is_stored_without_its_gps_position(settings, fmt, name):
    sent = _photo(fmt)
    with Image.open(io.BytesIO(sent)) as original:
        assert original.getexif().get_ifd(0x8825), "the test photo carries a GPS position"
    upload = SimpleUploadedFile(name, sent)
    checked = check_upload(upload, kind="photo")
    stored = checked.upload.read()
    assert checked.size == len(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
        assert image.size == (64, 48)
    assert b"PhoneMaker" not in stored


def test_a_photo_without_metadata_is_stored_as_sent():
    sent = _photo(gps=False)
    upload = SimpleUploadedFile("p.jpg", sent)
    check_upload(upload, kind="photo")
    assert upload.read() == sent


def test_a_rotated_phone_photo_is_turned_upright_when_its_exif_is_dropped():
    image = Image.new("RGB", (60, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    upload = SimpleUploadedFile("p.jpg", out.getvalue())
    check_upload(upload, kind="photo")
    with Image.open(upload) as stored:
        assert stored.size == (20, 60) and not stored.getexif()
