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

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# Words for the attributes the rules read (the names of ``docs/contracts/subjects.md`` and of the seeded rules)
# that are not a field of the subject's model: a rule's conditions and a deadline "counted from a date of the
# subject" are shown in these words, never as the attribute's name.
ATTRIBUTE_LABELS: dict[str, Promise] = {
    "application_state": gettext_lazy("application state"),
    "confirm_by": gettext_lazy("confirmation deadline"),
    "correction_due": gettext_lazy("correction deadline"),
    "correction_rounds": gettext_lazy("rounds of correction"),
    "estimated_attendance": gettext_lazy("estimated attendance"),
    "eve_of_first_session": gettext_lazy("the day before the first session"),
    "event_kind": gettext_lazy("kind of event"),
    "expected_attendance": gettext_lazy("expected attendance"),
    "first_session_date": gettext_lazy("date of the first session"),
    "has_operator": gettext_lazy("has a venue operator"),
    "has_organisation": gettext_lazy("has an organisation"),
    "has_organizer": gettext_lazy("has an organizer"),
    "has_responsible_unit": gettext_lazy("has a responsible unit"),
    "has_special_equipment": gettext_lazy("has special equipment"),
    "has_temporary_structures": gettext_lazy("has temporary structures"),
    "has_venue": gettext_lazy("has a venue"),
    "is_active": gettext_lazy("active"),
    "is_open": gettext_lazy("open"),
    "is_verified": gettext_lazy("verified"),
    "level_raised": gettext_lazy("level raised"),
    "licensing_level": gettext_lazy("licensing level"),
    "online_hype": gettext_lazy("online hype"),
    "respond_by": gettext_lazy("response deadline"),
    "safety_appraisal_required": gettext_lazy("building safety appraisal required"),
    "special_equipment_next_inspection": gettext_lazy("next inspection of special equipment"),
    "venue_has_special_equipment": gettext_lazy("the venue has special equipment"),
    "venue_kind": gettext_lazy("kind of venue"),
}


def attribute_label(attribute: str, subject_type: str | None = None) -> str:
    """The words for a subject attribute: the field's verbose name on the subject's model, else the engine's word
    for it, else the verbose name of a field of that name on any registered model, else a neutral phrase."""
    own = _BY_NAME.get(subject_type or "")
    if own is not None and _has_field(own.model, attribute):
        return str(own.model._meta.get_field(attribute).verbose_name)
    if attribute in ATTRIBUTE_LABELS:
        return str(ATTRIBUTE_LABELS[attribute])
    for registration in _BY_NAME.values():
        if _has_field(registration.model, attribute):
            return str(registration.model._meta.get_field(attribute).verbose_name)
    return _("an attribute of the subject")


def _has_field(model: type[models.Model], name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return getattr(field, "verbose_name", None) is not None and not field.is_relation
