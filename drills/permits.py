"""The permits side of the "permits ↔ drills" contract: what the drills app reads of permit applications.

permits provides ``PermitApplication`` (``state``, ``organisation``, ``venue``, ``event_name``,
``licensing_department``, ``first_session_date``), its scoped read ``permits.selectors.application_visible`` and
``ApplicationMaterial``; an event's emergency plan is the material of kind ``MaterialKind.EMERGENCY_PLAN``. The
permits app is imported at module top: the drills app cannot run without it, and a broken permits app stops the
platform at start-up instead of emptying the pre-event drill features (docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from permits.choices import ApplicationState, MaterialKind
from permits.models import ApplicationMaterial, PermitApplication
from permits.selectors import application_visible

RELATED = ("venue", "organisation", "licensing_department")


def get_application(pk) -> PermitApplication | None:
    """The application, unscoped (a service that has checked the plan it belongs to), or None."""
    if pk is None:
        return None
    return PermitApplication.objects.select_related(*RELATED).filter(pk=pk).first()


def first_session_date(application: PermitApplication) -> dt.date | None:
    return application.first_session_date


def application_label(application: PermitApplication) -> str:
    return application.event_name or str(application)


def emergency_plan_material(application: PermitApplication | None) -> ApplicationMaterial | None:
    """The application's latest uploaded emergency plan, or None."""
    if application is None:
        return None
    return (
        ApplicationMaterial.objects.filter(application=application, kind=MaterialKind.EMERGENCY_PLAN)
        .order_by("-pk")
        .first()
    )


def approved_applications(*, user) -> QuerySet[PermitApplication]:
    """Approved applications the user may see, with the venue, organizer and licensing department joined."""
    return application_visible(user=user).filter(state=ApplicationState.APPROVED).select_related(*RELATED)


def get_visible_application(*, user, pk) -> PermitApplication | None:
    """One application the user may see, or None (outside their scope, or no such application)."""
    try:
        return application_visible(user=user).select_related(*RELATED).filter(pk=pk).first()
    except (ValueError, TypeError):
        return None
