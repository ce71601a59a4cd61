"""The subject registry: which models tasks can be about, and how the engine reads them (docs/contracts/subjects.md).

The engine knows nothing of venues, gatherings or permits. Each domain app registers its model once, in its
``AppConfig.ready``, under one of the names in ``SubjectKind``::

    from duties.subjects import register_subject

    register_subject(
        Venue,
        subject_type="venue",
        jurisdiction=lambda venue: venue.grid,            # where it is (属地): a Jurisdiction
        organisation=lambda venue: venue.operator,        # its organizer / operator, or None
        attributes=lambda venue: {"kind": venue.kind, "has_special_equipment": ...},
        label=lambda venue: venue.name,                   # optional; str(obj) otherwise
    )

- ``jurisdiction(obj)`` is the territory the subject lies in; departments are found from there upwards and
  the territorial township is its township-level ancestor. Tasks are scoped by it.
- ``organisation(obj)`` is the party of rules whose party is the organizer or the venue operator.
- ``assignee(obj)`` (optional) is the party of rules whose party is "assigned": the holder the subject names
  itself (an after-action item's owner, a campaign's target unit) — a Department, Organisation or Jurisdiction.
- ``attributes(obj)`` is the flat dict rule conditions are evaluated against (``duties.conditions``) and
  that deadlines counted from "a date of the subject" read (values of type ``date``/``datetime``).
  ``is_active`` (optional, default True) is read by the engine itself: a subject whose attributes say
  ``"is_active": False`` matches no rule, and on an update the outstanding tasks of its descriptive rules are
  cancelled (a venue taken off the register owes no more inspections).
  Attributes the seeded rules use — keep these names when registering:
    venue: ``kind`` (a VenueKind value), ``has_special_equipment`` (bool),
           ``special_equipment_next_inspection`` (date of the earliest next statutory inspection, or None);
    permit_application: ``state``, ``expected_attendance`` (int);
    gathering: ``risk_level`` (blue / yellow / orange / red).

Then call ``duties.services.tasks_evaluate(subject=obj, event=..., actor=...)`` from the app's services,
inside the transaction that makes the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from duties.choices import SubjectKind


class UnknownSubjectError(LookupError):
    """The object's model, or the subject type name, was never registered."""


@dataclass(frozen=True)
class SubjectType:
    """How the engine reads one kind of subject."""

    name: str
    model: type[models.Model]
    jurisdiction: Callable[[Any], Any]
    organisation: Callable[[Any], Any]
    attributes: Callable[[Any], dict[str, Any]]
    label: Callable[[Any], str]
    # For rules whose party is "assigned": the holder the subject names itself (a Department, Organisation or
    # Jurisdiction), or None while nobody is named.
    assignee: Callable[[Any], Any] | None = None

    @property
    def verbose_name(self) -> str:
        try:
            return str(SubjectKind(self.name).label)
        except ValueError:
            return str(self.model._meta.verbose_name)

    def get(self, subject_id: int):
        """The subject with this id, or None (deleted since, or never there)."""
        return self.model._default_manager.filter(pk=subject_id).first()


_BY_NAME: dict[str, SubjectType] = {}
_BY_MODEL: dict[type[models.Model], SubjectType] = {}


def register_subject(
    model: type[models.Model],
    *,
    subject_type: str,
    jurisdiction: Callable[[Any], Any],
    organisation: Callable[[Any], Any],
    attributes: Callable[[Any], dict[str, Any]],
    label: Callable[[Any], str] | None = None,
    assignee: Callable[[Any], Any] | None = None,
) -> SubjectType:
    """Make ``model`` a subject of tasks under the name ``subject_type`` (a ``SubjectKind`` value).

    Registering a name again replaces the earlier registration (tests use this to stand in a model)."""
    if subject_type not in SubjectKind.values:
        raise ValueError(f"Unknown subject type {subject_type!r}: add it to duties.choices.SubjectKind first.")
    previous = _BY_NAME.get(subject_type)
    if previous is not None:
        _BY_MODEL.pop(previous.model, None)
    registration = SubjectType(
        name=subject_type,
        model=model,
        jurisdiction=jurisdiction,
        organisation=organisation,
        attributes=attributes,
        label=label or str,
        assignee=assignee,
    )
    _BY_NAME[subject_type] = registration
    _BY_MODEL[model] = registration
    return registration


def unregister_subject(subject_type: str) -> SubjectType | None:
    """Forget a registration (returns it, so that a test can put it back)."""
    registration = _BY_NAME.pop(subject_type, None)
    if registration is not None:
        _BY_MODEL.pop(registration.model, None)
    return registration


def restore_subject(registration: SubjectType) -> None:
    """Put back a registration returned by ``unregister_subject`` or ``registration_for_name``."""
    unregister_subject(registration.name)
    _BY_NAME[registration.name] = registration
    _BY_MODEL[registration.model] = registration


def registration_for(obj: models.Model) -> SubjectType:
    """The registration of ``obj``'s model (a proxy or subclass finds its concrete model's registration)."""
    for cls in type(obj).__mro__:
        registration = _BY_MODEL.get(cls)
        if registration is not None:
            return registration
    raise UnknownSubjectError(f"{type(obj).__name__} is not registered as a subject of tasks.")


def registration_for_name(subject_type: str) -> SubjectType | None:
    return _BY_NAME.get(subject_type)
