"""Who may see and act on a permit application (DESIGN.md section 4).

See:
- the applicant organisation's organizers, always (drafts only they see);
- the licensing department's staff and heads (what their jurisdiction licenses, Art. 12), once submitted;
- the leaders and administrators of the territory the venue lies in (属地), once submitted;
- a department asked to join the joint site inspection, through a django-guardian grant of
  ``view_permitapplication`` to its group, made when the inspection is assigned and removed when the
  department has recorded its inspection;
- superusers.
Anyone else gets 404.

Act: the organizers edit, submit, withdraw, cancel, ask for changes and report conditions done; the licensing
department's staff accept, return, refuse to accept, review, start the inspection, check conditions and
supervise; only its heads decide (Art. 14) and decide change requests; each inspecting department records its
own inspection.
"""

from __future__ import annotations

from django.db.models import Q

from crowdsafe.org.access import OVERSIGHT_ROLES, Scope, in_q, path_q
from crowdsafe.org.choices import Role
from permits.choices import ApplicationState
from permits.models import PermitApplication, PermitApplicationGroupObjectPermission, SiteInspection

VIEW_CODENAME = "view_permitapplication"


def granted_application_ids(scope: Scope) -> list[int]:
    """Applications opened to one of the user's departments for the joint inspection. Read as a list (grants
    are few) so that the visibility filter stays a BitmapOr of index scans (see duties.access)."""
    if not scope.department_group_ids:
        return []
    return list(
        PermitApplicationGroupObjectPermission.objects.filter(
            group_id__in=sorted(scope.department_group_ids), permission__codename=VIEW_CODENAME
        ).values_list("content_object_id", flat=True)
    )


def application_visible_q(scope: Scope, *, review_queue: bool = False) -> Q:
    """The rule of ``PermitApplication.objects.visible_to`` (superusers never get here).

    ``review_queue``: only what the user's licensing departments decide (the queue of what they owe) and, for a
    city's administrator, what waits for every licensing department of the city: conditions the queue's partial
    index ``permits_app_queue_idx`` serves."""
    if review_queue:
        # The city's administrator sees (read-only) what waits for every licensing department of the city.
        return in_q(scope.department_ids, field="licensing_department_id") | path_q(
            scope.admin_paths, field="licensing_department__jurisdiction__path"
        )
    government = (
        in_q(scope.department_ids, field="licensing_department_id")
        | path_q(scope.paths_for(OVERSIGHT_ROLES), field="jurisdiction_path")
        | in_q(granted_application_ids(scope), field="pk")
    )
    organizer = in_q(scope.organisation_ids_for(Role.ORGANIZER), field="organisation_id")
    return organizer | (government & ~Q(state=ApplicationState.DRAFT))


def inspection_visible_q(scope: Scope, *, own_department: bool = False) -> Q:
    """The rule of ``SiteInspection.objects.visible_to`` (superusers never get here): the inspections of the user's
    departments, and those of the applications the user may see.

    ``own_department``: only the inspections the user's departments were asked to make (their work, as on the
    review page's "my inspections"); a superuser, who is no department's member, sees every one."""
    own = in_q(scope.department_ids, field="department_id")
    if own_department:
        return own
    return own | Q(application__in=PermitApplication.objects.filter(application_visible_q(scope)).values("pk"))


def is_organizer(scope: Scope, application: PermitApplication) -> bool:
    return scope.is_superuser or application.organisation_id in scope.organisation_ids_for(Role.ORGANIZER)


def is_reviewer(scope: Scope, application: PermitApplication) -> bool:
    """Staff or head of the licensing department."""
    return scope.is_superuser or (
        application.licensing_department_id is not None and application.licensing_department_id in scope.department_ids
    )


def is_head(scope: Scope, application: PermitApplication) -> bool:
    """Head of the licensing department: the one who signs the decision (Art. 14)."""
    return scope.is_superuser or (
        application.licensing_department_id is not None
        and application.licensing_department_id in scope.head_of_department_ids
    )


def is_inspector(scope: Scope, inspection: SiteInspection) -> bool:
    return scope.is_superuser or inspection.department_id in scope.department_ids
