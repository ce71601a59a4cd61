"""The organizer's services: drafts and their parts, the checks at submission, withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone, translation

from crowdsafe.audit.models import ActionLog
from crowdsafe.errors import DomainError, PermissionDeniedError
from duties.models import Task
from permits import services
from permits.choices import ApplicationState, MaterialKind
from permits.models import ApplicationMaterial, PermitApplication
from tests.helpers.files import docx_bytes, image_bytes, ole_bytes
from tests.permits.conftest import PDF, build_application, local, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _draft(permit_city, stadium, **kwargs):
    return build_application(
        organizer=permit_city.users.organizer,
        organisation=permit_city.city.organisation,
        venue=stadium.venue,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("attendance", "level", "department"),
    [
        (999, None, None),
        (1000, "county", "wenfeng_police"),
        (4999, "county", "wenfeng_police"),
        (5000, "city", "city_police"),
        (20000, "city", "city_police"),
    ],
)
def test_the_licensing_department_is_the_county_or_city_police_by_attendance(
    permit_city, stadium, attendance, level, department
):
    application = _draft(permit_city, stadium, attendance=attendance, complete=False)
    assert application.licensing_level == level
    expected = getattr(permit_city.city, department) if department else None
    assert application.licensing_department == expected


def test_999_per_session_needs_no_permit_and_cannot_be_submitted(permit_city, stadium):
    application = _draft(permit_city, stadium, attendance=999)
    with pytest.raises(DomainError) as caught:
        services.application_submit(application=application, actor=permit_city.users.organizer)
    assert caught.value.code == "permit_not_required"
    assert "under 1,000" in str(caught.value.message)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


@override_settings(PERMITS_CITY_LEVEL_FROM=5001)
def test_the_5000_boundary_is_a_setting(permit_city, stadium):
    application = _draft(permit_city, stadium, attendance=5000, complete=False)
    assert application.licensing_level == "county"
    assert application.licensing_department == permit_city.city.wenfeng_police


def test_the_largest_session_counts(permit_city, stadium):
    application = _draft(permit_city, stadium, attendance=[800, 1200], complete=False)
    assert application.expected_attendance == 1200
    assert application.licensing_level == "county"


def test_filed_19_days_before_the_first_session_is_refused_with_the_last_valid_date(permit_city, stadium):
    application = _draft(permit_city, stadium, days_ahead=19)
    with pytest.raises(DomainError) as caught:
        services.application_submit(application=application, actor=permit_city.users.organizer)
    last_valid = timezone.localdate() - dt.timedelta(days=1)
    assert caught.value.code == "filing_deadline"
    assert last_valid.isoformat() in str(caught.value.message)
    assert "Order 505 Art. 13" in str(caught.value.message)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.filed_on is None


def test_filed_20_days_before_the_first_session_is_accepted(permit_city, stadium):
    application = _draft(permit_city, stadium, days_ahead=20)
    services.application_submit(application=application, actor=permit_city.users.organizer)
    services.application_accept(application=application, actor=permit_city.users.staff)
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED
    assert application.filed_on == timezone.localdate()


def test_an_incomplete_application_is_refused_naming_every_missing_item(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError) as caught:
        services.application_submit(application=application, actor=permit_city.users.organizer)
    message = str(caught.value.message)
    assert caught.value.code == "incomplete"
    for item in (
        "The zones of the venue the event uses",
        "At least one undertaker",
        "Proof that the undertaker is legally established",
        "Emergency rescue plan",
        "Security plan section “Parking and traffic” (Order 505 Art. 6 (7))",
    ):
        assert item in message


def test_two_undertakers_require_the_joint_agreement(permit_city, stadium):
    application = _draft(permit_city, stadium, undertakers=2)
    ApplicationMaterial.objects.filter(application=application, kind=MaterialKind.JOINT_AGREEMENT).delete()
    with pytest.raises(DomainError) as caught:
        services.application_submit(application=application, actor=permit_city.users.organizer)
    assert "joint undertaking agreement" in str(caught.value.message)


def test_submission_opens_the_acceptance_review_of_the_licensing_department(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    complete_application.refresh_from_db()
    task = Task.objects.get(subject_type="permit_application", subject_id=complete_application.pk)
    assert task.rule.key == "permits.acceptance_review"
    assert task.responsible_department == permit_city.city.wenfeng_police
    assert complete_application.review_due == task.due_date == complete_application.acceptance_due
    assert ActionLog.objects.filter(subject_id=complete_application.pk, verb="permit_submitted").exists()


def test_tickets_above_the_venues_capacity_are_refused(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError) as caught:
        services.tickets_set(
            application=application,
            actor=permit_city.users.organizer,
            tickets={stadium.east.pk: 3000, stadium.infield.pk: 3001},
        )
    assert caught.value.code == "over_capacity"
    assert "6,000" in str(caught.value.message)
    assert not application.zone_plans.exists()


def test_tickets_only_for_zones_of_the_chosen_venue(permit_city, stadium, city):
    from venues import services as venue_services

    other = venue_services.venue_create(actor=None, name="别处", kind="square", grid=city.grid, declared_capacity=100)
    zone = venue_services.zone_create(venue=other, actor=None, name="区", kind="standing", usable_area_m2="100")
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError):
        services.tickets_set(application=application, actor=permit_city.users.organizer, tickets={zone.pk: 10})


def test_changing_the_venue_drops_the_zones_of_the_old_one(permit_city, stadium, city):
    from venues import services as venue_services

    application = _draft(permit_city, stadium)
    square = venue_services.venue_create(actor=None, name="广场", kind="square", grid=city.grid, declared_capacity=3000)
    services.application_update(application=application, actor=permit_city.users.organizer, data={"venue": square})
    assert not application.zone_plans.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("方案.exe", b"MZ....", "only DOC, DOCX, JPEG, JPG, PDF, PNG, PPT, PPTX, XLS, XLSX files are accepted"),
        ("方案.pdf", b"not a pdf at all", "is not a valid PDF file"),
        ("方案.pdf", b"", "is empty"),
    ],
)
def test_a_wrong_file_is_refused_with_a_clear_message(permit_city, stadium, name, content, message):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError) as caught:
        services.material_upload(
            application=application,
            actor=permit_city.users.organizer,
            kind=MaterialKind.EVENT_PLAN,
            upload=SimpleUploadedFile(name, content),
        )
    assert message in str(caught.value.message)
    assert not application.materials.exists()


@override_settings(UPLOAD_LIMITS={**settings.UPLOAD_LIMITS, "document": 100})
def test_a_file_over_the_size_limit_is_refused(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError) as caught:
        services.material_upload(
            application=application,
            actor=permit_city.users.organizer,
            kind=MaterialKind.EVENT_PLAN,
            upload=pdf(content=PDF + b"x" * 200),
        )
    assert "at most 0.0001 MB" in str(caught.value.message) or "MB is accepted" in str(caught.value.message)


def test_office_files_and_images_are_accepted(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    docx = SimpleUploadedFile("方案.docx", docx_bytes())
    doc = SimpleUploadedFile("旧方案.doc", ole_bytes())
    jpg = SimpleUploadedFile("身份证.jpg", image_bytes("JPEG"))
    for upload in (docx, doc, jpg):
        services.material_upload(
            application=application, actor=permit_city.users.organizer, kind=MaterialKind.OTHER, upload=upload
        )
    types = set(application.materials.values_list("content_type", flat=True))
    assert types == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "image/jpeg",
    }
    stored = application.materials.first().file.name
    assert stored.startswith("permits/materials/") and "身份证" not in stored


def test_an_uploaded_security_plan_with_pages_is_complete(permit_city, stadium):
    application = _draft(permit_city, stadium, plan_mode="uploaded")
    services.application_submit(application=application, actor=permit_city.users.organizer)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_someone_outside_the_organisation_cannot_change_a_draft(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(PermissionDeniedError):
        services.session_add(
            application=application,
            actor=permit_city.other_organizer,
            starts_at=local(timezone.localdate() + dt.timedelta(days=50)),
            ends_at=local(timezone.localdate() + dt.timedelta(days=50), 22),
            expected_attendance=100,
        )
    with pytest.raises(PermissionDeniedError):
        services.application_create(
            organisation=permit_city.city.organisation, actor=permit_city.other_organizer, event_name="冒名"
        )


def test_a_submitted_application_can_no_longer_be_edited(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    with pytest.raises(DomainError) as caught:
        services.application_update(
            application=complete_application, actor=permit_city.users.organizer, data={"event_name": "改名"}
        )
    assert caught.value.code == "invalid_state"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"expected_attendance": 0}, "expected_attendance"),
        ({"ends_in_hours": -1}, "ends_at"),
        ({"days_ahead": -1}, "starts_at"),
    ],
)
def test_bad_sessions_are_refused(permit_city, stadium, kwargs, field):
    application = _draft(permit_city, stadium, complete=False)
    day = timezone.localdate() + dt.timedelta(days=kwargs.get("days_ahead", 30))
    starts = local(day, 19)
    ends = starts + dt.timedelta(hours=kwargs.get("ends_in_hours", 3))
    with pytest.raises(DomainError) as caught:
        services.session_add(
            application=application,
            actor=permit_city.users.organizer,
            starts_at=starts,
            ends_at=ends,
            expected_attendance=kwargs.get("expected_attendance", 100),
        )
    assert caught.value.field == field


def test_a_bad_credit_code_or_id_number_is_refused(permit_city, stadium):
    application = _draft(permit_city, stadium, complete=False)
    with pytest.raises(DomainError) as caught:
        services.undertaker_add(
            application=application, actor=permit_city.users.organizer, name="某公司", credit_code="123"
        )
    assert caught.value.field == "credit_code"
    with pytest.raises(DomainError) as caught:
        services.application_update(
            application=application, actor=permit_city.users.organizer, data={"safety_person_id_number": "12345"}
        )
    assert caught.value.field == "safety_person_id_number"


def test_withdrawal_cancels_the_open_steps(permit_city, complete_application):
    services.application_submit(application=complete_application, actor=permit_city.users.organizer)
    services.application_withdraw(application=complete_application, actor=permit_city.users.organizer, reason="延期")
    complete_application.refresh_from_db()
    assert complete_application.state == ApplicationState.WITHDRAWN
    task = Task.objects.get(subject_type="permit_application", subject_id=complete_application.pk)
    assert task.status == "cancelled"


def test_drafts_get_a_number_and_the_organisations_safety_person(permit_city, stadium):
    application = services.application_create(
        organisation=permit_city.city.organisation, actor=permit_city.users.organizer, event_name="灯会"
    )
    assert application.number == f"XK{timezone.localdate().year}-{application.pk:06d}"
    assert application.safety_person_name == permit_city.city.organisation.safety_officer_name
    assert PermitApplication.objects.get(pk=application.pk).state == ApplicationState.DRAFT
