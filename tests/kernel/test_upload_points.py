"""Acceptance (issue 13): every upload point of the platform — each page form, API endpoint and admin form that takes
a file — refuses a file whose content is not what its name says with the same message, stores nothing, and
answers a decompression bomb or an oversized file with a refusal, never a 500.

``_points`` lists them (33 today); ``test_every_file_field_of_the_platform_is_an_upload_point_tested_here`` finds every
form and serializer field that takes a file and fails when one is missing from the list, so a new upload point
is tested here from its first day.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.drills.conftest import _wired, make_plan, world  # noqa: F401 - _wired: autouse fixture
from tests.helpers.files import HTML, forged_jpeg, forged_pdf, png_bomb
from tests.permits.conftest import build_application, permit_city, stadium  # fixtures' bodies, made once below
from tests.risk.conftest import hazard, operator, venue  # fixtures' bodies, made once below

pytestmark = pytest.mark.django_db

PHOTO, PLAN, SPREADSHEET = "photo.jpg", "plan.pdf", "list.xlsx"
FORGED = {PHOTO: forged_jpeg(), PLAN: forged_pdf(), SPREADSHEET: b"PK\x03\x04" + HTML}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class Point:
    """An upload point ready to be posted to: who posts, where, the other fields, the file field, whether it is the
    API (JSON answers) and the name of the file it takes (which says the kind of file)."""

    user: Any
    url: str
    data: dict[str, Any]
    field: str
    api: bool
    name: str
    many: bool = True


def _task(drills_world) -> Any:
    """An open task of 文峰区公安分局 (the department of ``users.staff``) about the mall."""
    from duties.models import ResponsibilityRule, Task

    rule = ResponsibilityRule.objects.filter(is_active=True).order_by("id").first()
    today = timezone.localdate()
    return Task.objects.create(
        subject_type="venue",
        subject_id=1_000_000 + Task.objects.count(),  # a subject of its own: the mall has its tasks already
        subject_label=drills_world.mall.name,
        jurisdiction=drills_world.city.grid,
        jurisdiction_path=drills_world.city.grid.path,
        rule=rule,
        event="created",
        duty_name="检查",
        basis=rule.basis,
        party_kind=rule.party_kind,
        responsible_department=drills_world.city.wenfeng_police,
        anchor_date=today,
        due_date=today + dt.timedelta(days=10),
        status="open",
        explanation="test",
    )


def _inspection(ctx) -> Any:
    from permits import services

    p = ctx.permit_city
    application = build_application(
        organizer=p.users.organizer, organisation=p.city.organisation, venue=ctx.stadium.venue
    )
    services.application_submit(application=application, actor=p.users.organizer)
    services.application_accept(application=application, actor=p.users.staff)
    services.application_start_review(application=application, actor=p.users.staff)
    inspections = services.application_start_inspection(application=application, actor=p.users.staff)
    return next(i for i in inspections if i.department_id == p.city.wenfeng_police.pk)


def _held(ctx) -> Any:
    from drills import services

    plan = make_plan(ctx.world)
    return services.drill_record(
        actor=ctx.world.operator,
        plan=plan,
        held_on=timezone.localdate(),
        scenario="中庭踩踏险情",
        narrative="全员疏散",
        items=[
            services.ItemSpec(
                description="修订预案",
                owner=ctx.world.operator_org,
                due_date=timezone.localdate() + dt.timedelta(days=20),
                requires_plan_revision=True,
            )
        ],
    )


def _gathering(ctx) -> Any:
    from tests.events.conftest import report

    return report(ctx.users.grid_worker, grid=ctx.city.grid)


HAZARD = {
    "subject_type": "venue",
    "title": "安全出口上锁",
    "description": "西侧安全出口被铁链锁闭",
    "level": "ordinary",
    "source": "patrol",
    "location": "西侧安全出口",
}
RECORD = {"form": "functional", "scenario": "中庭踩踏险情", "narrative": "全员疏散", "items-TOTAL_FORMS": "0"}
RECORD_FORMSET = {"items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "30"}


def _points(ctx) -> dict[str, Callable[[], Point]]:
    """Each upload point, built lazily (only the objects its test needs)."""
    c, u = ctx.city, ctx.users
    today = timezone.localdate().isoformat()
    deadline = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    mall = lambda: ctx.world.mall  # noqa: E731
    plan_data = {
        "title": "万达广场大客流应急预案",
        "kind": "overall",
        "scope_kind": "venue",
        "measures-TOTAL_FORMS": "0",
        "measures-INITIAL_FORMS": "0",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    return {
        # duties: completion evidence
        "duties page: complete a task": lambda: Point(
            u.staff, reverse("duties:complete", args=[_task(ctx.world).pk]), {"note": "已检查"}, "files", False, PHOTO
        ),
        "duties API: complete a task": lambda: Point(
            u.staff, reverse("v1:task-complete", args=[_task(ctx.world).pk]), {"note": "已检查"}, "files", True, PHOTO
        ),
        # permits: materials and inspection photos
        "permits page: add a material": lambda: Point(
            u.organizer,
            reverse("permits:edit_material_add", args=[_draft(ctx).pk]),
            {"kind": "event_plan"},
            "file",
            False,
            PHOTO,
            many=False,
        ),
        "permits API: add a material": lambda: Point(
            u.organizer,
            reverse("v1:permit-material-add", args=[_draft(ctx).pk]),
            {"kind": "event_plan"},
            "file",
            True,
            PHOTO,
            many=False,
        ),
        "permits page: record an inspection": lambda: Point(
            u.staff,
            reverse("permits:inspection", args=[_inspection(ctx).pk]),
            {"passed": "1", "findings": "符合要求", "inspected_on": today},
            "photos",
            False,
            PHOTO,
        ),
        "permits API: record an inspection": lambda: Point(
            u.staff,
            reverse("v1:permit-inspection-record", args=[_inspection(ctx).pk]),
            {"passed": "true", "findings": "符合要求"},
            "photos",
            True,
            PHOTO,
        ),
        # drills: plan documents and drill photos
        "drills page: create a plan": lambda: Point(
            ctx.world.operator,
            reverse("drills:plan_create"),
            {**plan_data, "owner": f"organisation:{ctx.world.operator_org.pk}", "venue": str(mall().pk)},
            "file",
            False,
            PLAN,
            many=False,
        ),
        "drills page: add a plan version": lambda: Point(
            ctx.world.operator,
            reverse("drills:version_add", args=[make_plan(ctx.world).pk]),
            {"summary_of_changes": "增加北门"},
            "file",
            False,
            PLAN,
            many=False,
        ),
        "drills API: add a plan version": lambda: Point(
            ctx.world.operator,
            reverse("v1:plan-version-list", args=[make_plan(ctx.world).pk]),
            {"summary_of_changes": "增加北门"},
            "file",
            True,
            PLAN,
            many=False,
        ),
        "drills page: record a drill": lambda: Point(
            ctx.world.operator,
            reverse("drills:plan_record", args=[make_plan(ctx.world).pk]),
            {**RECORD, **RECORD_FORMSET, "held_on": today},
            "photos",
            False,
            PHOTO,
        ),
        "drills API: add drill photos": lambda: Point(
            ctx.world.operator, reverse("v1:drill-photos", args=[_held(ctx).pk]), {}, "photos", True, PHOTO
        ),
        "drills page: close an item with a revised plan": lambda: Point(
            ctx.world.operator,
            reverse("drills:item_close", args=[_held(ctx).items.get().pk]),
            {"note": "已修订", "summary_of_changes": "增加点位"},
            "file",
            False,
            PLAN,
            many=False,
        ),
        "drills API: close an item with a revised plan": lambda: Point(
            ctx.world.operator,
            reverse("v1:after-action-item-close", args=[_held(ctx).items.get().pk]),
            {"note": "已修订", "summary_of_changes": "增加点位"},
            "file",
            True,
            PLAN,
            many=False,
        ),
        # venues: risk point photo
        "venues page: a risk point's photo": lambda: Point(
            u.township_officer,
            reverse("venues:risk_form", args=[ctx.venue.pk]),
            {"kind": "steps", "notes": "北侧台阶"},
            "photo",
            False,
            PHOTO,
            many=False,
        ),
        # venues: a document of the building's and fire safety (issue 21 point 4)
        "venues page: a building or fire-safety document": lambda: Point(
            u.township_officer,
            reverse("venues:document_add", args=[ctx.venue.pk]),
            {"kind": "fire_acceptance", "issued_on": "2026-01-05"},
            "file",
            False,
            PLAN,
            many=False,
        ),
        # events: gathering photos
        "events page: log a gathering": lambda: Point(
            u.grid_worker,
            reverse("events:gathering_create"),
            _gathering_form(ctx),
            "photos",
            False,
            PHOTO,
        ),
        "events page: add photos": lambda: Point(
            u.grid_worker, reverse("events:photo_create", args=[_gathering(ctx).pk]), {}, "photos", False, PHOTO
        ),
        "events API: add photos": lambda: Point(
            u.grid_worker, reverse("v1:gathering-photo-list", args=[_gathering(ctx).pk]), {}, "photos", True, PHOTO
        ),
        # risk: hazard photos
        "risk page: report a hazard": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_create"),
            {**HAZARD, "subject_id": ctx.venue.pk, "found_on": today, "rectification_deadline": deadline},
            "photos",
            False,
            PHOTO,
        ),
        "risk page: report a hazard fixed on the spot": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_create"),
            {
                **HAZARD,
                "subject_id": ctx.venue.pk,
                "found_on": today,
                "rectification_deadline": deadline,
                "fixed_on_spot": "on",
                "fix_note": "当场清理",
            },
            "fix_photos",
            False,
            PHOTO,
        ),
        "risk API: report a hazard": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-list"),
            {**HAZARD, "subject_id": ctx.venue.pk, "rectification_deadline": deadline},
            "photos",
            True,
            PHOTO,
        ),
        "risk API: report a hazard fixed on the spot": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-list"),
            {
                **HAZARD,
                "subject_id": ctx.venue.pk,
                "rectification_deadline": deadline,
                "fixed_on_spot": "true",
                "fix_note": "当场清理",
            },
            "fix_photos",
            True,
            PHOTO,
        ),
        "risk page: add photos": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_photos", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {},
            "photos",
            False,
            PHOTO,
        ),
        "risk API: add photos": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-photos", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {},
            "photos",
            True,
            PHOTO,
        ),
        "risk page: fix a hazard": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_fix", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"note": "已清理"},
            "photos",
            False,
            PHOTO,
        ),
        "risk page: close a hazard": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_close", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"note": "已清理"},
            "photos",
            False,
            PHOTO,
        ),
        "risk API: close a hazard": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-close", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"note": "已清理"},
            "photos",
            True,
            PHOTO,
        ),
        "risk API: report a hazard fixed": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-report-fixed", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"note": "已清理"},
            "photos",
            True,
            PHOTO,
        ),
        "risk page: verify a fix": lambda: Point(
            u.grid_worker,
            reverse("risk:hazard_verify", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"inspected_on": today, "outcome": "fixed", "findings": "已整改"},
            "photos",
            False,
            PHOTO,
        ),
        "risk API: verify a fix": lambda: Point(
            u.grid_worker,
            reverse("v1:risk-hazard-verify", args=[hazard(ctx.venue, u.grid_worker).pk]),
            {"inspected_on": today, "outcome": "fixed", "findings": "已整改"},
            "photos",
            True,
            PHOTO,
        ),
        # venues and events: the workbooks of spreadsheet imports
        "venues page: import venues": lambda: Point(
            u.township_officer, reverse("venues:import_start"), {}, "file", False, SPREADSHEET, many=False
        ),
        "events page: import gatherings": lambda: Point(
            u.township_officer, reverse("events:import_start"), {}, "file", False, SPREADSHEET, many=False
        ),
        # notices: a department's seal, in the admin
        "notices admin: a department's seal": lambda: Point(
            _superuser(),
            reverse("admin:notices_departmentseal_add"),
            {"department": str(c.wenfeng_police.pk), "is_active": "on"},
            "image",
            False,
            PHOTO,
            many=False,
        ),
    }


def _draft(ctx) -> Any:
    p = ctx.permit_city
    return build_application(
        organizer=p.users.organizer, organisation=p.city.organisation, venue=ctx.stadium.venue, complete=False
    )


def _gathering_form(ctx) -> dict[str, Any]:
    from tests.events.conftest import a_working_afternoon

    return {
        "idempotency_key": "00000000-0000-4000-8000-000000000001",
        "kind": "celebration",
        "grid": ctx.city.grid.pk,
        "venue": "",
        "location_name": "解放路与东大街路口",
        "starts_at": timezone.localtime(a_working_afternoon()).strftime("%Y-%m-%dT%H:%M"),
        "estimated_attendance_min": "50",
        "estimated_attendance_max": "100",
        "source": "grid_patrol",
    }


def _superuser() -> Any:
    from django.contrib.auth import get_user_model

    from tests.factories import UserFactory

    existing = get_user_model().objects.filter(username="u_root").first()
    return existing or UserFactory(username="u_root", is_staff=True, is_superuser=True)


@pytest.fixture(scope="module")
def _shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The people, departments and venues every upload point needs, made once for the module (the fixtures
    city, users, permit_city, stadium, world, operator and venue, as each test used to make them: in English, the
    drills' subjects wired, a fresh working-day calendar) inside a transaction rolled back at the end; each test
    runs in a savepoint of it (its own ``db``), so what a test writes is gone before the next. Making them for each
    of the 66 tests took 1.2-2.5 s of set-up per test (issue 19 point 3)."""
    from django.db import transaction
    from django.test import override_settings

    from crowdsafe.workdays.cache import calendar_cache_clear
    from drills.duties import connect
    from tests.conftest import city, users

    def made(fixture, *args):
        # The fixture's own body, called at module scope (a snapshot fixture's build itself: made here under this
        # module's wiring and settings, not a copy of one made elsewhere).
        body = fixture._get_wrapped_function()
        return getattr(body, "build", body)(*args)

    media = tmp_path_factory.mktemp("upload-points-media")
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(LANGUAGE_CODE="en", MEDIA_ROOT=media),
        translation.override("en"),
    ):
        connect()
        calendar_cache_clear()
        the_city = made(city, None)
        the_users = made(users, the_city)
        shared = SimpleNamespace(
            city=the_city,
            users=the_users,
            permit_city=made(permit_city, the_city, the_users),
            stadium=made(stadium, the_city),
            world=made(world, the_city, the_users),
            venue=made(venue, the_city, made(operator, the_city)),
        )
        calendar_cache_clear()
        yield shared
        transaction.set_rollback(True)


@pytest.fixture
def ctx(_shared, db):
    """The module's objects, copied for each test: the rows are shared (rolled back to the module's savepoint after
    each test), the Python objects are not, so nothing one test cached on an object is seen by the next."""
    import copy

    return copy.deepcopy(_shared)


POINT_NAMES = list(_points(SimpleNamespace(city=None, users=None)).keys())


def _stored(ctx) -> tuple[int, int]:
    """Rows of every model that keeps a file, and files under MEDIA_ROOT."""
    with_files = [m for m in apps.get_models() if any(isinstance(f, models.FileField) for f in m._meta.fields)]
    rows = sum(m._default_manager.count() for m in with_files)
    media = Path(django_settings.MEDIA_ROOT)
    files = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return rows, files


def _post(point: Point, upload: SimpleUploadedFile) -> tuple[int, str]:
    data = {**point.data, point.field: [upload] if point.many else upload}
    if point.api:
        client = APIClient()
        client.force_authenticate(point.user)
        response = client.post(point.url, data, format="multipart")
        try:
            return response.status_code, json.dumps(response.json(), ensure_ascii=False)
        except ValueError:
            return response.status_code, response.content.decode()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(point.user)
    response = client.post(point.url, data, follow=True)
    return response.status_code, response.content.decode()


def _text(body: str) -> str:
    return body.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


@pytest.mark.parametrize("name", POINT_NAMES)
def test_a_file_of_forged_type_is_refused_alike_at_every_upload_point(ctx, name):
    """A JPEG's first bytes then a web page, named photo.jpg (a PDF's for a point that takes plan documents only),
    declared image/jpeg by the browser: the same message everywhere, and nothing stored."""
    point = _points(ctx)[name]()
    extension = point.name.rsplit(".", 1)[1].upper()
    message = f"“{point.name}” is not a valid {extension} file: its content does not match its name."
    before = _stored(ctx)
    status, body = _post(point, SimpleUploadedFile(point.name, FORGED[point.name], content_type="image/jpeg"))
    assert status < 500
    assert message in _text(body), (status, body[:3000])
    assert _stored(ctx) == before, "a refused upload must store nothing"


@pytest.mark.parametrize("name", POINT_NAMES)
def test_a_decompression_bomb_or_an_oversized_file_is_refused_without_a_500(ctx, name, settings):
    point = _points(ctx)[name]()
    if point.name == PHOTO:
        bomb = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
        status, body = _post(point, bomb)
        assert status < 500
        assert "“bomb.png” has too many pixels: at most 50 megapixels are accepted." in _text(body), body[:3000]
    settings.UPLOAD_LIMITS = {kind: 1024 for kind in settings.UPLOAD_LIMITS}
    point = _points(ctx)[name]()
    before = _stored(ctx)
    big_name = "big" + point.name[point.name.index(".") :]
    status, body = _post(point, SimpleUploadedFile(big_name, FORGED[point.name] + b"0" * 2048))
    assert status < 500
    assert f"“{big_name}” is 0.1 MB; at most 0.001 MB is accepted." in _text(body), (status, body[:3000])
    assert _stored(ctx) == before


# --- every file field is an upload point tested here -----------------------------------------------------------

# Form and serializer fields that take a file, as "module.Class.field", and the upload point that covers each.
FILE_FIELDS = {
    "duties.forms.CompleteForm.files": "duties page: complete a task",
    "duties.api.serializers.TaskCompleteInputSerializer.files": "duties API: complete a task",
    "permits.forms.MaterialForm.file": "permits page: add a material",
    "permits.api.serializers.PermitMaterialInputSerializer.file": "permits API: add a material",
    "permits.forms.InspectionForm.photos": "permits page: record an inspection",
    "permits.api.serializers.PermitInspectionInputSerializer.photos": "permits API: record an inspection",
    "drills.forms.PlanForm.file": "drills page: create a plan",
    "drills.forms.VersionForm.file": "drills page: add a plan version",
    "drills.api.serializers.PlanVersionInputSerializer.file": "drills API: add a plan version",
    "drills.forms.DrillRecordForm.photos": "drills page: record a drill",
    "drills.api.serializers.DrillPhotosInputSerializer.photos": "drills API: add drill photos",
    "drills.forms.ItemCloseForm.file": "drills page: close an item with a revised plan",
    "drills.api.serializers.AfterActionItemCloseInputSerializer.file": "drills API: close an item with a revised plan",
    "venues.forms.RiskPointForm.photo": "venues page: a risk point's photo",
    "venues.forms.VenueDocumentForm.file": "venues page: a building or fire-safety document",
    "events.forms.GatheringForm.photos": "events page: log a gathering",
    "events.forms.PhotoForm.photos": "events page: add photos",
    "events.api.serializers.PhotoInputSerializer.photos": "events API: add photos",
    "risk.forms.HazardForm.photos": "risk page: report a hazard",
    "risk.forms.HazardForm.fix_photos": "risk page: report a hazard fixed on the spot",
    "risk.api.serializers.HazardInputSerializer.photos": "risk API: report a hazard",
    "risk.api.serializers.HazardInputSerializer.fix_photos": "risk API: report a hazard fixed on the spot",
    "risk.forms.PhotosForm.photos": "risk page: add photos",
    "risk.api.serializers.HazardPhotosInputSerializer.photos": "risk API: add photos",
    "risk.forms.FixForm.photos": "risk page: fix a hazard",
    "risk.api.serializers.HazardFixInputSerializer.photos": "risk API: close a hazard",
    "risk.forms.VerifyForm.photos": "risk page: verify a fix",
    "risk.api.serializers.HazardVerifyInputSerializer.photos": "risk API: verify a fix",
    "notices.models.DepartmentSeal.image": "notices admin: a department's seal",
    "crowdsafe.common.imports.ImportForm.file": "venues page: import venues",
    "events.forms.ImportForm.file": "events page: import gatherings",
}
APPS = ["duties", "permits", "drills", "venues", "events", "risk", "notices", "crowdsafe.common"]


def _file_fields() -> set[str]:
    found: set[str] = set()
    for app in APPS:
        for module_name in (f"{app}.forms", f"{app}.api.serializers", f"{app}.imports"):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:  # the module exists but something it imports is missing: fail loud
                    raise
                continue
            for cls in vars(module).values():
                if not isinstance(cls, type) or cls.__module__ != module_name:
                    continue
                if issubclass(cls, forms.BaseForm):
                    fields = getattr(cls, "base_fields", {})
                    found |= {f"{module_name}.{cls.__name__}.{n}" for n, f in fields.items() if _takes_file(f)}
                elif issubclass(cls, serializers.Serializer) and not issubclass(cls, serializers.ModelSerializer):
                    fields = cls().fields
                    found |= {f"{module_name}.{cls.__name__}.{n}" for n, f in fields.items() if _takes_file(f)}
    # Admin forms that take a file: the editable file fields of the models an administrator may add or change.
    request = RequestFactory().get("/")
    request.user = _superuser()
    for model, model_admin in admin.site._registry.items():
        if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
            continue
        editable = set(model_admin.get_fields(request)) - set(model_admin.get_readonly_fields(request))
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField) and field.name in editable:
                found.add(f"{model.__module__}.{model.__name__}.{field.name}")
    return found


def _takes_file(field: Any) -> bool:
    if isinstance(field, forms.FileField | serializers.FileField):
        return True
    return isinstance(field, serializers.ListField) and isinstance(field.child, serializers.FileField)


def test_every_file_field_of_the_platform_is_an_upload_point_tested_here():
    found = _file_fields()
    assert found - set(FILE_FIELDS) == set(), "an upload point not tested here"
    assert set(FILE_FIELDS.values()) <= set(POINT_NAMES)
