"""Reads of the organisation model, already scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import ancestors_q, get_scope, granted_q, in_q, path_q
from crowdsafe.org.filters import DepartmentFilterSet, JurisdictionFilterSet
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation


def _territories(scope) -> tuple[str, ...]:
    return scope.territory_paths + scope.organisation_paths


def jurisdiction_list(*, user, filters: FilterData = None) -> QuerySet[Jurisdiction]:
    """Territories the user may see: the subtrees of their memberships (属地), their organisations'
    registered territories, and any territory explicitly shared with one of their departments; filtered by
    ``crowdsafe.org.filters.JurisdictionFilterSet`` (level, parent, name or code)."""
    scope = get_scope(user)
    qs = Jurisdiction.objects.all()
    if not scope.is_superuser:
        qs = qs.filter(path_q(_territories(scope), field="path") | granted_q(scope, Jurisdiction, "view_jurisdiction"))
    return JurisdictionFilterSet.of(filters).apply(qs).select_related("parent").order_by("path")


def jurisdiction_subtree(*, user, root: Jurisdiction) -> QuerySet[Jurisdiction]:
    """``root`` and everything under it that the user may see: one indexed prefix query."""
    return jurisdiction_list(user=user).filter(path__startswith=root.path)


def department_list(*, user, filters: FilterData = None) -> QuerySet[Department]:
    """Departments in the user's territories and above them (a township sees the district's police bureau);
    filtered by ``crowdsafe.org.filters.DepartmentFilterSet`` (name, kind, jurisdiction)."""
    scope = get_scope(user)
    qs = Department.objects.all()
    if not scope.is_superuser:
        territories = _territories(scope)
        qs = qs.filter(path_q(territories) | ancestors_q(territories) | in_q(scope.department_ids, field="pk"))
    qs = DepartmentFilterSet.of(filters).apply(qs)
    return qs.select_related("jurisdiction").order_by("jurisdiction__path", "kind", "name")


def organisation_list(*, user) -> QuerySet[Organisation]:
    """Organisations registered in the user's territory, and the user's own."""
    scope = get_scope(user)
    qs = Organisation.objects.all()
    if not scope.is_superuser:
        qs = qs.filter(path_q(scope.territory_paths) | in_q(scope.organisation_ids, field="pk"))
    return qs.select_related("jurisdiction").order_by("name")


def membership_list_for(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("department__jurisdiction", "jurisdiction", "organisation")
        .order_by("id")
    )
