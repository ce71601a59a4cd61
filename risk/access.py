"""Who may see and do what in the risk app. Visibility is ``Model.objects.visible_to`` (the rules ``*_visible_q``
below); actions are checked by the services with the ``can_*(scope, obj)`` functions below (views use the same
functions to show or hide buttons).

- See an assessment or a hazard: government users whose territory covers the subject (属地: township officers,
  grid workers, leaders, admins through their jurisdictions; staff and heads through their department's
  jurisdiction), the subject's operator or organizer (and for a hazard the responsible unit), the reviewing or
  supervising department, and departments it was shared with (django-guardian ``view_…`` granted to the
  department's group). Anyone else gets 404.
- Assess: staff and heads of a department covering the subject, township officers, leaders and admins of its
  territory (an official assessment); the subject's operator or organizer (its own assessment, 自评); for a
  permit application, the licensing department too.
- Sign off or return: not the assessor (four eyes); the head of the assessor's or the reviewing department; the
  reviewing department's staff for an organizer's own assessment (the department's review of it); township
  officers, leaders and admins of the subject's territory.
- Hazards: anyone in government covering the place reports them (grid workers on patrol), and so does the unit
  itself (self-inspection); the responsible unit and the government covering the place rectify them (a plan, the
  fix, an extension request); departments covering the place, the supervising department, township officers,
  leaders and admins supervise them (verification, extension decisions, rectification orders, cancelling); the
  department that found an ordinary hazard confirms its closure when someone else fixed it, and sees the hazard.
- Campaigns: township officers, leaders and admins in their territory, department staff and heads in their
  department's territory.
"""

from __future__ import annotations

from django.db.models import Q

from crowdsafe.org.access import COORDINATOR_ROLES, DEPARTMENT_ROLES, Scope, granted_q, in_q, path_q
from crowdsafe.org.choices import DepartmentKind, Role

# Who assesses, reviews and supervises through a territory: township officers, leaders and admins (grid workers
# report hazards on patrol but do not assess).
TERRITORY_ROLES = COORDINATOR_ROLES


def governs(scope: Scope, path: str) -> bool:
    """A department (staff, head) or a territory role (township officer, leader, admin) covers ``path``."""
    return scope.covers(path, DEPARTMENT_ROLES | TERRITORY_ROLES)


# --- visibility --------------------------------------------------------------------------------------------


def _visible_q(scope: Scope, model, *, department_field: str) -> Q:
    """Rows of ``model`` (an assessment or a hazard) the user may see (superusers never get here)."""
    return (
        path_q(scope.territory_paths, field="jurisdiction_path")
        | in_q(scope.organisation_ids, field="organisation_id")
        | in_q(scope.department_ids, field=department_field)
        | granted_q(scope, model, f"view_{model._meta.model_name}")
    )


def assessment_visible_q(scope: Scope) -> Q:
    """The rule of ``RiskAssessment.objects.visible_to``: the reviewing department sees what it reviews."""
    from risk.models import RiskAssessment

    return _visible_q(scope, RiskAssessment, department_field="review_department_id")


def hazard_visible_q(scope: Scope) -> Q:
    """The rule of ``Hazard.objects.visible_to``: the supervising department sees what it supervises."""
    from risk.models import Hazard

    return _visible_q(scope, Hazard, department_field="supervising_department_id") | in_q(
        scope.department_ids, field="found_by_department_id"
    )


def register_visible_q(scope: Scope) -> Q:
    """The rule of ``SubjectRiskLevel.objects.visible_to``: the territory, and the subject's own unit."""
    return path_q(scope.territory_paths, field="jurisdiction_path") | in_q(
        scope.organisation_ids, field="organisation_id"
    )


def campaign_visible_q(scope: Scope) -> Q:
    """The rule of ``AssessmentCampaign.objects.visible_to``: government users only, for campaigns over their
    territory, inside it or above it, and those launched by or assigned to their department."""
    from crowdsafe.org.access import NOTHING, ancestor_paths

    if not scope.is_government:
        return NOTHING
    paths = scope.territory_paths
    ancestors = sorted({a for p in paths for a in ancestor_paths(p)} | set(paths))
    return (
        path_q(paths, field="territory_path")
        | Q(territory_path__in=ancestors)
        | in_q(scope.department_ids, field="assigned_department_id")
        | in_q(scope.department_ids, field="launched_by_department_id")
    )


# --- assessments --------------------------------------------------------------------------------------------


def assessor_role(scope: Scope, info):
    """How the user may assess the subject ``info``: ("official", department or None), ("self", None), or None
    when they may not. Government first: a user who is both acts for the government."""
    from risk.choices import AssessorKind

    path = info.jurisdiction_path
    department = scope.department_covering(path)
    if scope.is_superuser or department is not None or scope.covers(path, TERRITORY_ROLES):
        return AssessorKind.OFFICIAL, department
    licensing = getattr(info, "licensing_department", None)
    if licensing is not None and licensing.pk in scope.department_ids:
        return AssessorKind.OFFICIAL, licensing
    if info.organisation is not None and info.organisation.pk in scope.organisation_ids:
        return AssessorKind.SELF, None
    return None


def can_review(scope: Scope, obj) -> bool:
    """May the user sign off or return the assessment ``obj``? Never its own assessor (four eyes)."""
    from risk.choices import AssessorKind

    if scope.user_id is not None and obj.assessor_id == scope.user_id:
        return False
    if scope.is_superuser:
        return True
    if {obj.assessor_department_id, obj.review_department_id} & scope.head_of_department_ids:
        return True
    if obj.assessor_kind == AssessorKind.SELF and obj.review_department_id in scope.department_ids:
        return True
    # The head of the street office (township government) of the subject's territory signs for the township.
    if scope.covers(obj.jurisdiction_path, Role.HEAD, department_kind=DepartmentKind.TOWNSHIP_GOVERNMENT):
        return True
    return scope.covers(obj.jurisdiction_path, TERRITORY_ROLES)


def can_edit_assessment(scope: Scope, obj) -> bool:
    """The assessor keeps their draft ``obj``; so do the others who could have made it for the same side."""
    from risk.choices import AssessorKind

    if scope.user_id is not None and obj.assessor_id == scope.user_id:
        return True
    if scope.is_superuser:
        return True
    if obj.assessor_kind == AssessorKind.SELF:
        return obj.organisation_id in scope.organisation_ids
    return obj.assessor_department_id in scope.department_ids or scope.covers(obj.jurisdiction_path, TERRITORY_ROLES)


# --- hazards ---------------------------------------------------------------------------------------------------


def can_report_hazard(scope: Scope, obj) -> bool:
    """May the user report a hazard at the place ``obj`` names? ``obj`` carries the place as ``jurisdiction_path``
    and the responsible unit as ``organisation_id``: a hazard (an unsaved one will do) or an assessment."""
    if scope.covers(obj.jurisdiction_path):
        return True
    return obj.organisation_id in scope.organisation_ids


def can_rectify(scope: Scope, obj) -> bool:
    """Plan, report the fix, close an ordinary hazard ``obj`` with a photo, ask for an extension."""
    if scope.is_superuser or obj.organisation_id in scope.organisation_ids:
        return True
    return scope.covers(obj.jurisdiction_path)


def can_supervise(scope: Scope, obj) -> bool:
    """Verify the hazard ``obj``, decide extensions, issue rectification orders, cancel."""
    if scope.is_superuser or obj.supervising_department_id in scope.department_ids:
        return True
    return governs(scope, obj.jurisdiction_path)


def can_confirm_closure(scope: Scope, obj) -> bool:
    """Confirm (or refuse) the closure of the hazard ``obj``: the department that found it, its staff and heads."""
    if scope.is_superuser:
        return True
    return obj.found_by_department_id is not None and obj.found_by_department_id in scope.department_ids


def issuing_department(scope: Scope, hazard):
    """The department in whose name the user issues a rectification order: the supervising department when they
    work there, else their department covering the place; None when they work for none."""
    if hazard.supervising_department_id in scope.department_ids:
        return hazard.supervising_department
    return scope.department_covering(hazard.jurisdiction_path)


# --- campaigns ---------------------------------------------------------------------------------------------


def can_launch_campaign(scope: Scope, obj) -> bool:
    """May the user launch (or manage) a campaign over the territory ``obj`` (a jurisdiction)?"""
    return governs(scope, obj.path)


def can_launch_any_campaign(scope: Scope, obj=None) -> bool:
    """May the user launch campaigns at all (to show the button)? ``obj`` is not used."""
    return scope.is_superuser or bool(scope.paths_for(DEPARTMENT_ROLES | TERRITORY_ROLES))


# --- the risk matrix --------------------------------------------------------------------------------------------


def can_edit_bands(scope: Scope, obj=None) -> bool:
    """The city's system administrators (and superusers) set the risk matrix's bands. ``obj`` is not used."""
    return scope.is_superuser or bool(scope.admin_paths)
