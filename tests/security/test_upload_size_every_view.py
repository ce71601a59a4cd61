"""Every view refuses a body above its limit by the Content-Length, before reading it (issue 18 point 7): the
kernel's RequestSizeLimitMiddleware checks each resolved view (its ``request_size_limit``, else
settings.UPLOAD_REQUEST_MAX_BYTES) before the CSRF check or the view reads anything. The two upload forms the probe
doubted — task evidence (duties) and the permit inspection photos — and every other upload view, web and API, are
named below; the sweep then sends a too-large declared length to every URL of the site: a 413 with the Chinese
message each time, the body never read, nothing stored."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from duties.models import TaskAttachment
from permits.models import ApplicationMaterial, InspectionPhoto

pytestmark = pytest.mark.django_db

# Every view that takes files (grep request.FILES and the serializers' file fields), by module and name.
UPLOAD_VIEWS = {
    "duties.views.complete",  # task evidence
    "duties.api.views.TaskCompleteApi",
    "permits.views.review.inspection",  # the joint inspection's photos
    "permits.api.views.InspectionRecordApi",
    "permits.views.portal.edit_material_add",
    "permits.api.views.MaterialAddApi",
    "events.views.gathering_create",
    "events.views.photo_create",
    "events.api.views.PhotoListApi",
    "risk.views.hazards.hazard_create",
    "venues.views.document_add",
    "drills.views.plan_create",
    "drills.views.plan_record",
    "drills.views.drill_record",
    "drills.views.item_close",
    "drills.api.views.DrillPhotosApi",
    "monitoring.views_exercise.exercise_create",
    "inspections.views.inspection_answers",
}


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = readinto = read


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _path(route: str) -> str | None:
    """A concrete path for a route: 1 for an int, "x" for a string; regex routes (the admin's catch-alls) skipped."""
    if "(?P" in route or route.startswith("^"):
        return None
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|path|uuid):\w+>", "x", path)
    return "/" + path


def _view_name(callback) -> str:
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    target = cls or callback
    return f"{target.__module__}.{target.__qualname__}"


def _routes() -> dict[str, str]:
    """Every concrete path of the site and the view it resolves to."""
    routes = {}
    for route, _pattern in _walk(get_resolver().url_patterns):
        path = _path(route)
        if path is None:
            continue
        routes[path] = _view_name(resolve(path).func)
    return routes


def _post_too_large(client: Client, path: str):
    return client.generic(
        "POST",
        path,
        **{
            "CONTENT_TYPE": "multipart/form-data; boundary=----crowdsafe",
            "CONTENT_LENGTH": str(settings.UPLOAD_REQUEST_MAX_BYTES + 1),
            "wsgi.input": Unreadable(),
        },
    )


def _text(response) -> str:
    if response["Content-Type"] == "application/json":
        return response.json()["detail"]
    return response.content.decode()


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_every_upload_view_has_a_url_the_sweep_reaches():
    reached = set(_routes().values())
    assert UPLOAD_VIEWS - reached == set()


def test_task_evidence_and_inspection_photos_are_refused_by_their_length(users):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users.staff)
    routes = _routes()
    for view in ("duties.views.complete", "permits.views.review.inspection", "duties.api.views.TaskCompleteApi"):
        path = next(p for p, v in routes.items() if v == view)
        response = _post_too_large(client, path)
        assert response.status_code == 413, (view, path, response.status_code)
        assert "一次最多可提交 64 MB" in _text(response)
    assert not TaskAttachment.objects.exists() and not InspectionPhoto.objects.exists()


def test_every_view_refuses_a_too_large_body_before_reading_it(users):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users.staff)
    before = _stored_files()
    routes = _routes()
    assert len(routes) > 300
    refused = {}
    for path, _view in sorted(routes.items()):
        response = _post_too_large(client, path)
        refused[path] = response.status_code
        if response.status_code == 413:
            assert "一次最多可提交" in _text(response), path
            if path.startswith("/api/"):
                assert response["Content-Type"] == "application/json", path
    assert {path: code for path, code in refused.items() if code != 413} == {}
    assert _stored_files() == before
    assert not ApplicationMaterial.objects.exists() and not TaskAttachment.objects.exists()
