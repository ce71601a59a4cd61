"""Rendering on a real Celery worker (a separate process on the test database and the real Redis broker): the
PDF is rendered once the issuing transaction commits; a second run of the task renders nothing; a document
whose task was lost is picked up by the periodic scan."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.utils import timezone

from crowdsafe.audit.models import ActionLog
from notices.choices import NoticeKind
from notices.models import Notice
from notices.tasks import render_notice, render_pending
from tests.integration.conftest import wait_for
from tests.notices.conftest import issue

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_media(tmp_path, settings, monkeypatch):
    """One media folder for this process and the worker: the worker reads CROWDSAFE_VAR_DIR when it starts."""
    var = tmp_path / "var"
    monkeypatch.setenv("CROWDSAFE_VAR_DIR", str(var))
    settings.MEDIA_ROOT = var / "test-media"
    return settings.MEDIA_ROOT


def _rendered(notice_id: int) -> Notice | None:
    notice = Notice.objects.get(pk=notice_id)
    return notice if notice.pdf else None


def _wait(worker, predicate, what: str):
    """``wait_for`` that shows the end of the worker's log when it times out."""
    try:
        return wait_for(predicate, timeout=90, what=what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- worker log ---\n{worker.log.read_text(errors='replace')[-4000:]}") from None


def _runs(worker, task_name: str) -> int:
    return worker.log.read_text(errors="replace").count(f"Task {task_name}[") // 2  # "received" and "succeeded"


def test_the_pdf_is_rendered_on_commit_and_a_second_run_renders_nothing(request, city, venue, shared_media):
    worker = request.getfixturevalue("celery_worker_process")
    notice = issue(NoticeKind.PERMIT_APPROVAL, issuer=city.wenfeng_police, subject=venue)  # commits at once

    rendered = _wait(worker, lambda: _rendered(notice.pk), "the worker to render the PDF")
    path = Path(shared_media) / rendered.pdf.name
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(content).hexdigest()
    first = (rendered.pdf.name, rendered.sha256, rendered.rendered_at, path.stat().st_mtime_ns)

    render_notice.delay(notice.pk)  # a redelivery, or a second enqueue
    _wait(worker, lambda: _runs(worker, "notices.render_notice") >= 2, "the second run")
    again = Notice.objects.get(pk=notice.pk)
    assert (again.pdf.name, again.sha256, again.rendered_at, path.stat().st_mtime_ns) == first
    assert ActionLog.objects.filter(subject_id=notice.pk, verb="notice_rendered").count() == 1
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no second file either


def test_a_document_whose_task_was_lost_is_rendered_by_the_scan(request, city, venue, shared_media):
    notice = issue(NoticeKind.ACCEPTANCE, issuer=city.wenfeng_police, subject=venue)
    Notice.objects.filter(pk=notice.pk).update(issued_at=timezone.now() - dt.timedelta(minutes=5))
    worker = request.getfixturevalue("celery_worker_process")  # starts with a purge: the render task is lost
    assert not Notice.objects.get(pk=notice.pk).pdf

    render_pending.delay()
    rendered = _wait(worker, lambda: _rendered(notice.pk), "the scan to render the lost document")
    assert (Path(shared_media) / rendered.pdf.name).read_bytes().startswith(b"%PDF-")
