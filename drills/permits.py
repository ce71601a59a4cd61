"""The permits side of the "permits ↔ drills" contract, read without importing the permits app at load time.

permits provides ``permits.models.PermitApplication`` (``state``, ``organisation``, ``venue``, ``event_name``,
``licensing_department``, ``first_session_start``) and ``permits.models.ApplicationMaterial`` (``kind``, ``file``,
``application``); an event's emergency plan is the material of kind "emergency_plan". Until the permits app has
its models, every function here answers "no application" and the pre-event drill features stay empty.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from crowdsafe.org.access import Scope, get_scope, in_q, path_q

APPROVED = "approved"
EMERGENCY_PLAN_MATERIAL = "emergency_plan"


def application_model() -> type[Model] | None:
    try:
        return apps.get_model("permits", "PermitApplication")
    except LookupError:
        return None


def material_model() -> type[Model] | None:
    try:
        return apps.get_model("permits", "ApplicationMaterial")
    except LookupError:
        return None


def available() -> bool:
    return application_model() is not None


def get_application(pk) -> Model | None:
    model = application_model()
    if model is None or pk is None:
        return None
    return model._default_manager.select_related("venue", "organisation", "licensing_department").filter(pk=pk).first()


def first_session_date(application) -> dt.date | None:
    start = getattr(application, "first_session_start", None)
    if start is None:
        return None
    if isinstance(start, dt.datetime):
        return timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
    return start


def application_label(application) -> str:
    return str(getattr(application, "event_name", "") or application)


def emergency_plan_material(application):
    """The application's latest uploaded emergency plan (material of kind "emergency_plan"), or None."""
    model = material_model()
    if model is None or application is None:
        return None
    return model._default_manager.filter(application=application, kind=EMERGENCY_PLAN_MATERIAL).order_by("-pk").first()


def application_scope_q(scope: Scope) -> Q | None:
    """Applications a user may see for the drills' purposes (None: all): the licensing department's people,
    the organizer's people, and government users whose territory holds the venue."""
    if scope.is_superuser:
        return None
    return (
        in_q(scope.department_ids, field="licensing_department_id")
        | in_q(scope.organisation_ids, field="organisation_id")
        | path_q(scope.territory_paths, field="venue__jurisdiction_path")
    )


def visible_applications(*, user) -> QuerySet | None:
    """The applications ``user`` may see: the permits app's own scoped read when it has one
    (``permits.selectors.application_visible``), else the contract's fields (``application_scope_q``)."""
    model = application_model()
    if model is None:
        return None
    try:
        from permits.selectors import application_visible
    except ImportError:
        application_visible = None
    if application_visible is not None:
        return application_visible(user=user)
    qs = model._default_manager.all()
    q = application_scope_q(get_scope(user))
    return qs.filter(q) if q is not None else qs


def approved_applications(*, user) -> QuerySet | None:
    """Approved applications the user may see, with the venue, organizer and licensing department joined."""
    qs = visible_applications(user=user)
    if qs is None:
        return None
    return qs.filter(state=APPROVED).select_related("venue", "organisation", "licensing_department")


def get_visible_application(*, user, pk):
    """One application the user may see, or None (outside their scope, or no such application)."""
    qs = visible_applications(user=user)
    if qs is None:
        return None
    try:
        return qs.select_related("venue", "organisation", "licensing_department").filter(pk=pk).first()
    except (ValueError, TypeError):
        return None
