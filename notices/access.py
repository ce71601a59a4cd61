"""Who may see and issue official documents (DESIGN.md section 4).

See (``notice_visible_q``, the rule of ``Notice.objects.visible_to``): the addressed organisation's people; the
departments a document was shared with (django-guardian ``view_notice``); and, in government, the issuing
department and everyone whose territory holds the issuer or the document's subject.

Do: staff and heads of a department issue its documents (``can_issue``); only a head of the issuing department
revokes one (``can_revoke``: the one who signs may withdraw); a head of the department holding an outstanding task
hands it on in writing (``can_issue_task_sheet``). Predicates are ``can_<verb>(scope, obj)``; services pass
``actor_scope(actor)``, whose ``actor=None`` is the platform itself.
"""

from __future__ import annotations

from django.db.models import Q

from crowdsafe.org.access import Scope, granted_q, in_q, path_q


def notice_visible_q(scope: Scope) -> Q:
    """The rule of ``Notice.objects.visible_to`` (superusers never get here)."""
    from notices.models import Notice

    q = in_q(scope.organisation_ids, field="recipient_organisation_id") | granted_q(scope, Notice, "view_notice")
    if scope.is_government:
        paths = scope.territory_paths
        q |= (
            in_q(scope.department_ids, field="issuer_id")
            | path_q(paths, field="issuer_path")
            | path_q(paths, field="subject_path")
        )
    return q


def can_issue(scope: Scope, obj) -> bool:
    """May the user issue documents in the name of the department ``obj``? Its staff and heads (the platform
    itself is a service that has checked its own permission)."""
    return scope.is_superuser or obj.pk in scope.department_ids


def can_revoke(scope: Scope, obj) -> bool:
    """Only a head of the issuing department revokes the document ``obj`` (not even the platform itself)."""
    return obj.issuer_id in scope.head_of_department_ids


def can_issue_task_sheet(scope: Scope, obj) -> bool:
    """A head of the department holding the outstanding task ``obj`` hands it on in writing (交办) to the unit or
    person who will do it; the sheet is issued in the department's name."""
    if not obj.is_outstanding or not obj.responsible_department_id:
        return False
    return scope.is_superuser or obj.responsible_department_id in scope.head_of_department_ids
