"""Fixtures of the official-documents tests: a venue (a registered subject of the engine, in 东大街社区's first
grid, run by an operator organisation), issuing and rendering helpers, and English for the pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from crowdsafe.org.choices import OrganisationKind, Role
from notices import services
from notices.demo import sample_context, sample_recipient
from tests.factories import OrganisationFactory, member
from venues import services as venue_services
from venues.choices import VenueKind


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and errors are read in English here; the documents themselves are Chinese whatever the language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def operator(city):
    """A venue operator in 文峰区 and a person acting for it; another operator in 北关区 with its own person."""
    organisation = OrganisationFactory(
        name="安阳市万达广场商业管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410502MA0000011G",
        jurisdiction=city.wenfeng,
    )
    other = OrganisationFactory(
        name="北关商业管理有限公司",
        kind=OrganisationKind.VENUE_OPERATOR,
        credit_code="91410503MA00000122",
        jurisdiction=city.beiguan,
    )
    return SimpleNamespace(
        organisation=organisation,
        user=member(role=Role.VENUE_OPERATOR, organisation=organisation).user,
        other=other,
        other_user=member(role=Role.VENUE_OPERATOR, organisation=other).user,
    )


@pytest.fixture
def venue(city, operator):
    return venue_services.venue_create(
        actor=None, name="安阳万达广场", kind=VenueKind.COMMERCIAL, grid=city.grid, operator=operator.organisation
    )


def issue(kind, *, issuer, subject, actor=None, recipient=None, context=None, **kwargs):
    """Issue a document of ``kind`` with the sample contents (overridden by ``context``)."""
    return services.notice_issue(
        kind=kind,
        issuer=issuer,
        subject=subject,
        recipient=recipient or sample_recipient(kind),
        context={**sample_context(kind), **(context or {})},
        actor=actor,
        **kwargs,
    )


def issue_rendered(kind, **kwargs):
    notice = issue(kind, **kwargs)
    return services.notice_render(notice_id=notice.pk)


# The real-worker fixture of tests/integration, for the rendering on a worker.
from tests.integration.conftest import celery_worker_process  # noqa: E402, F401
