"""What a risk assessment or a hazard can be about: a venue, a gathering or a permit application — each read
through its own app's scoped selector, depending only on the fields each app documents (docs/contracts/):

- venue: ``venues.models.Venue`` (``grid``, ``jurisdiction_path``, ``operator``), read with
  ``venues.selectors.venue_get`` (404 outside the user's scope); safe capacity from ``venues.capacity``;
- gathering: ``events.models.Gathering`` (``grid``, ``jurisdiction_path``, ``venue``,
  ``estimated_attendance_min/max``, ``starts_at``), read with ``events.selectors.get_gathering_for``;
- permit application: ``permits.models.PermitApplication`` (``organisation``, ``venue``, ``event_name``,
  ``licensing_department``, ``first_session_start``); its expected attendance is the ``expected_attendance``
  attribute of its duties registration (docs/contracts/subjects.md), read with
  ``permits.selectors.application_get``.

The three apps are imported at module top: a broken one stops the platform at start-up. An unknown subject type
(a URL naming none of the three) is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from duties.subjects import UnknownSubjectError, registration_for
from events.models import Gathering
from events.selectors import get_gathering_for
from permits.models import PermitApplication
from permits.selectors import application_get
from risk.choices import AssessedSubject
from venues.models import Venue
from venues.selectors import venue_get


@dataclass
class SubjectInfo:
    """What the risk app needs to know about one subject."""

    subject_type: str
    obj: Any
    label: str
    jurisdiction: Any  # org.Jurisdiction (a grid or community)
    jurisdiction_path: str
    organisation: Any  # org.Organisation or None: the operator / organizer
    venue: Any  # venues.Venue or None: where it happens
    expected_attendance: int | None = None
    starts_at: dt.datetime | None = None
    licensing_department: Any = None
    # Where it is (WGS-84), for the map: the gathering's own position, else its venue's.
    latitude: Any = None
    longitude: Any = None

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def url(self) -> str | None:
        return subject_url(self.subject_type, self.obj)


@dataclass(frozen=True)
class Adapter:
    subject_type: str
    model: type[Model]
    get_for: Callable[..., Any]  # (user, pk) -> obj, Http404 outside scope
    info: Callable[[Any], SubjectInfo]
    url_name: str
    select_related: tuple[str, ...] = ()

    def get(self, pk) -> Any:
        obj = self.model._default_manager.select_related(*self.select_related).filter(pk=pk).first()
        if obj is None:
            raise Http404
        return obj


# --- venues ----------------------------------------------------------------------------------------------


def _venue_get_for(user, pk):
    return venue_get(user=user, pk=pk)


def _venue_info(venue) -> SubjectInfo:
    return SubjectInfo(
        subject_type=AssessedSubject.VENUE,
        obj=venue,
        label=venue.name,
        jurisdiction=venue.grid,
        jurisdiction_path=venue.jurisdiction_path,
        organisation=venue.operator,
        venue=venue,
        latitude=venue.latitude,
        longitude=venue.longitude,
    )


# --- gatherings (events app) -------------------------------------------------------------------------------


def _gathering_get_for(user, pk):
    return get_gathering_for(user=user, pk=pk)


def _gathering_info(gathering) -> SubjectInfo:
    attendance = getattr(gathering, "estimated_attendance_max", None) or getattr(
        gathering, "estimated_attendance_min", None
    )
    position = getattr(gathering, "coordinates", None)
    if position is None and gathering.venue is not None and gathering.venue.latitude is not None:
        position = (gathering.venue.latitude, gathering.venue.longitude)
    return SubjectInfo(
        subject_type=AssessedSubject.GATHERING,
        obj=gathering,
        label=str(gathering),
        jurisdiction=gathering.grid,
        jurisdiction_path=gathering.jurisdiction_path,
        # A spontaneous gathering has no organizer as a rule; when one is registered it is responsible.
        organisation=getattr(gathering, "organizer", None),
        venue=gathering.venue,
        expected_attendance=attendance,
        starts_at=getattr(gathering, "starts_at", None),
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
    )


# --- permit applications (permits app) ------------------------------------------------------------------


def _permit_get_for(user, pk):
    """The permits app's own scoped read (it knows its grants, e.g. an application opened to the fire brigade for
    a joint inspection)."""
    return application_get(user=user, pk=pk)


def _permit_attendance(application) -> int | None:
    try:
        value = (registration_for(application).attributes(application) or {}).get("expected_attendance")
    except UnknownSubjectError:
        value = None
    return int(value) if isinstance(value, int | float) and value else None


def _permit_info(application) -> SubjectInfo:
    """An application may be saved before its venue is chosen (a draft through the API): then it is placed by
    its own denormalised jurisdiction, and has no position on the map."""
    venue = application.venue
    return SubjectInfo(
        subject_type=AssessedSubject.PERMIT_APPLICATION,
        obj=application,
        label=str(getattr(application, "event_name", "") or application),
        jurisdiction=venue.grid if venue is not None else application.jurisdiction,
        jurisdiction_path=venue.jurisdiction_path if venue is not None else application.jurisdiction_path,
        organisation=application.organisation,
        venue=venue,
        expected_attendance=_permit_attendance(application),
        starts_at=getattr(application, "first_session_start", None),
        licensing_department=getattr(application, "licensing_department", None),
        latitude=venue.latitude if venue is not None else None,
        longitude=venue.longitude if venue is not None else None,
    )


ADAPTERS: dict[str, Adapter] = {
    AssessedSubject.VENUE: Adapter(
        AssessedSubject.VENUE,
        Venue,
        _venue_get_for,
        _venue_info,
        "venues:venue_detail",
        select_related=("grid", "operator"),
    ),
    AssessedSubject.GATHERING: Adapter(
        AssessedSubject.GATHERING,
        Gathering,
        _gathering_get_for,
        _gathering_info,
        "events:gathering_detail",
        select_related=("grid", "venue", "organizer"),
    ),
    AssessedSubject.PERMIT_APPLICATION: Adapter(
        AssessedSubject.PERMIT_APPLICATION,
        PermitApplication,
        _permit_get_for,
        _permit_info,
        "permits:application_detail",
        select_related=("venue__grid", "organisation", "licensing_department"),
    ),
}


def adapter_for(subject_type: str) -> Adapter:
    adapter = ADAPTERS.get(subject_type)
    if adapter is None:
        raise Http404
    return adapter


def subject_for(*, user, subject_type: str, subject_id) -> SubjectInfo:
    """The subject, read through its own app's scoped selector: 404 when the user may not see it."""
    adapter = adapter_for(subject_type)
    try:
        pk = int(subject_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return adapter.info(adapter.get_for(user, pk))


def subject_info(subject_type: str, obj) -> SubjectInfo:
    return adapter_for(subject_type).info(obj)


def subject_load(subject_type: str, subject_id) -> SubjectInfo:
    """The subject without a scope check (services that have checked it another way, the system)."""
    adapter = adapter_for(subject_type)
    return adapter.info(adapter.get(subject_id))


def subject_url(subject_type: str, obj) -> str | None:
    getter = getattr(obj, "get_absolute_url", None)
    if callable(getter):
        try:
            return getter()
        except NoReverseMatch:
            return None
    adapter = ADAPTERS.get(subject_type)
    if adapter is None:
        return None
    try:
        return reverse(adapter.url_name, args=[obj.pk])
    except NoReverseMatch:
        return None


def subject_url_by_id(subject_type: str, subject_id: int) -> str | None:
    """The subject's page without loading it (the venue and the known URL names take the pk)."""
    adapter = ADAPTERS.get(subject_type)
    if adapter is None:
        return None
    try:
        return reverse(adapter.url_name, args=[subject_id])
    except NoReverseMatch:
        return None
