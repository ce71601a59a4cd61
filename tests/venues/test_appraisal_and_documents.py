"""Issue 21 point 4: a building past its design service life gets appraisal tasks for its owner and the housing
department (rules as data), settled when the appraisal is recorded; special equipment past its inspection date
has the market-regulation task (existing rule, checked here); completion acceptance and fire-safety documents
filed on the venue through the kernel's upload check, with owner / partner / outsider access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.choices import DepartmentKind, Role
from duties.models import Task
from tests.factories import DepartmentFactory, member
from tests.helpers.access import assert_scoped_access
from tests.helpers.files import pdf_bytes
from tests.venues.conftest import make_venue
from venues import duties as venue_duties
from venues import services
from venues.models import Venue, VenueDocument
from venues.services.documents import venue_document_remove, venue_document_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def regulators(city):
    return {
        "housing": DepartmentFactory(
            name="文峰区住房和城乡建设局", kind=DepartmentKind.HOUSING, jurisdiction=city.wenfeng
        ),
        "market": DepartmentFactory(
            name="文峰区市场监督管理局", kind=DepartmentKind.MARKET_REGULATION, jurisdiction=city.wenfeng
        ),
    }


def _tasks(venue, prefix="venues.appraisal"):
    return {
        t.rule.key: t
        for t in Task.objects.filter(
            subject_type="venue", subject_id=venue.pk, rule__key__startswith=prefix
        ).select_related("rule", "responsible_department", "responsible_organisation")
    }


def test_a_building_past_its_design_life_gets_tasks_for_its_owner_and_housing(city, operator, regulators):
    year = timezone.localdate().year
    venue = make_venue(
        city.grid, name="老影剧院", operator=operator.organisation, built_year=year - 60, design_service_life_years=50
    )
    assert venue.safety_appraisal_required()
    tasks = _tasks(venue)
    assert set(tasks) == {"venues.appraisal_owner", "venues.appraisal_housing"}
    assert tasks["venues.appraisal_owner"].responsible_organisation == operator.organisation
    assert tasks["venues.appraisal_housing"].responsible_department == regulators["housing"]
    assert all(t.status == "open" for t in tasks.values())
    # The appraisal recorded: both close as done.
    services.venue_update(venue=venue, actor=None, data={"safety_appraisal_date": timezone.localdate()})
    assert {t.status for t in _tasks(venue).values()} == {"done"}


def test_a_building_within_its_design_life_gets_none(city, operator, regulators):
    year = timezone.localdate().year
    venue = make_venue(
        city.grid, name="新体育馆", operator=operator.organisation, built_year=year - 5, design_service_life_years=50
    )
    assert _tasks(venue) == {}


def test_the_daily_scan_opens_the_tasks_when_a_building_crosses_the_line_once(city, operator, regulators):
    year = timezone.localdate().year
    venue = make_venue(
        city.grid, name="文化宫", operator=operator.organisation, built_year=year - 49, design_service_life_years=50
    )
    assert _tasks(venue) == {}
    # A year later, with no change to its record (the row is moved back a year instead of waiting).
    Venue.objects.filter(pk=venue.pk).update(built_year=year - 50)
    assert venue_duties.appraisal_scan() == 1
    assert len(_tasks(venue)) == 2
    venue_duties.appraisal_scan()
    assert (
        Task.objects.filter(subject_type="venue", subject_id=venue.pk, rule__key__startswith="venues.appraisal").count()
        == 2
    )


def test_special_equipment_past_its_inspection_date_is_on_market_regulation(city, operator, regulators):
    venue = make_venue(city.grid, name="欢乐谷", operator=operator.organisation)
    due = timezone.localdate() - dt.timedelta(days=10)
    services.special_equipment_create(
        venue=venue,
        actor=None,
        kind="amusement_ride",
        name="摩天轮",
        registration_no="游2020-001",
        next_inspection_due=due,
    )
    task = Task.objects.select_related("responsible_department").get(
        subject_type="venue", subject_id=venue.pk, responsible_department=regulators["market"]
    )
    assert task.due_date == due and task.due_date < timezone.localdate()  # overdue the day it is listed
    assert "特种设备" in task.duty_name


def _pdf(name="竣工验收备案表.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def test_documents_are_filed_through_the_upload_check_by_those_who_keep_the_venue(city, operator, venue, users):
    document = venue_document_upload(venue=venue, actor=operator.user, kind="completion_acceptance", upload=_pdf())
    assert document.content_type == "application/pdf" and document.original_name == "竣工验收备案表.pdf"
    with pytest.raises(DomainError):
        venue_document_upload(
            venue=venue,
            actor=operator.user,
            kind="fire_acceptance",
            upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf"),
        )
    with pytest.raises(DomainError):
        venue_document_upload(venue=venue, actor=operator.user, kind="nonsense", upload=_pdf())
    outsider = member(role=Role.VENUE_OPERATOR, organisation=operator.other).user
    with pytest.raises(PermissionDeniedError):
        venue_document_upload(venue=venue, actor=outsider, kind="fire_inspection", upload=_pdf())
    venue_document_remove(document=document, actor=operator.user)
    assert not VenueDocument.objects.exists()


def test_the_document_pages_owner_partner_outsider(city, operator, venue, users):
    document = venue_document_upload(
        venue=venue, actor=operator.user, kind="fire_inspection", upload=_pdf("检查合格证.pdf")
    )
    outsider = member(role=Role.VENUE_OPERATOR, organisation=operator.other).user
    download = reverse("venues:document_download", args=[venue.pk, document.pk])
    # The operator (owner) and the territory's officer (partner) may open it; another operator gets 404.
    assert_scoped_access(download, owner=operator.user, partner=users.township_officer, outsider=outsider)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(operator.user)
    page = client.get(reverse("venues:venue_detail", args=[venue.pk])).content.decode()
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S))
    assert "检查合格证.pdf" in text and "fire_inspection" not in text
    response = client.post(
        reverse("venues:document_add", args=[venue.pk]), {"kind": "fire_acceptance", "file": _pdf("消防验收意见书.pdf")}
    )
    assert response.status_code == 302 and venue.documents.count() == 2
    for name, args in (
        ("venues:document_add", [venue.pk]),
        ("venues:document_remove", [venue.pk, document.pk]),
    ):
        other = Client()
        other.force_login(outsider)
        assert other.post(reverse(name, args=args)).status_code == 404
    client.post(reverse("venues:document_remove", args=[venue.pk, document.pk]))
    assert venue.documents.count() == 1
