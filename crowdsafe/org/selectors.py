"""Reads of the organisation model, already scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from crowdsafe.common.filters import FilterData
from crowdsafe.common.statements import SHAPE, Statement
from crowdsafe.org.access import jurisdiction_rule, jurisdiction_rule_for
from crowdsafe.org.filters import DepartmentFilterSet, JurisdictionFilterSet
from crowdsafe.org.models import Department, Jurisdiction, Membership, Organisation


def jurisdiction_list(*, user, filters: FilterData = None) -> QuerySet[Jurisdiction]:
    """Territories the user may see (``crowdsafe.org.access.jurisdiction_visible_q``), filtered by
    ``crowdsafe.org.filters.JurisdictionFilterSet`` (level, parent, name or code)."""
    qs = Jurisdiction.objects.visible_to(user)
    return JurisdictionFilterSet.of(filters).apply(qs).select_related("parent").order_by("path")


# How many territories a territory field suggests (a <datalist>: a city's districts, townships and communities).
TERRITORY_SUGGESTIONS = 300


def territory_suggestions(
    *, user, levels: Iterable[str] | None = None, exclude: Iterable[str] = ("grid",), limit: int = TERRITORY_SUGGESTIONS
) -> list[tuple[str, str]]:
    """``(code, name)`` of the territories the user may see, in path order, for a territory field's suggestions
    (``{% territory_datalist %}``): those of ``levels`` when given, otherwise all but those of ``exclude``. Pairs, not
    instances: a city leader's 118 suggestions as model instances with their parents, looped in the template, cost
    3.4 ms a page; as pairs written by the tag, 1.5 ms; read by a statement compiled once, not built and compiled on
    every page (0.48 → 0.2 ms, issue 19)."""
    kinds = {"levels": tuple(levels) if levels is not None else None, "exclude": tuple(exclude), "limit": limit}
    rule = jurisdiction_rule_for(user)
    if rule is None:
        return list(_suggested(Jurisdiction.objects.visible_to(user), **kinds))
    return _TERRITORY_SUGGESTIONS.rows(**kinds, **rule)


def _suggested(jurisdictions: QuerySet, *, levels, exclude, limit) -> QuerySet:
    qs = (
        jurisdictions.filter(level__in=list(levels))
        if levels is not None
        else jurisdictions.exclude(level__in=list(exclude))
    )
    return qs.order_by("path").values_list("code", "name")[:limit]


_TERRITORY_SUGGESTIONS = Statement(
    lambda levels, exclude, limit, **rule: _suggested(
        Jurisdiction.objects.filter(jurisdiction_rule(**rule)), levels=levels, exclude=exclude, limit=limit
    ),
    levels=SHAPE,
    exclude=SHAPE,
    limit=SHAPE,
    paths=(str,),
    groups=(int,),
)


def jurisdiction_subtree(*, user, root: Jurisdiction) -> QuerySet[Jurisdiction]:
    """``root`` and everything under it that the user may see: one indexed prefix query."""
    return jurisdiction_list(user=user).filter(path__startswith=root.path)


def department_list(*, user, filters: FilterData = None) -> QuerySet[Department]:
    """Departments the user may see (``crowdsafe.org.access.department_visible_q``), filtered by
    ``crowdsafe.org.filters.DepartmentFilterSet`` (name, kind, jurisdiction)."""
    qs = DepartmentFilterSet.of(filters).apply(Department.objects.visible_to(user))
    return qs.select_related("jurisdiction").order_by("jurisdiction__path", "kind", "name")


def organisation_list(*, user) -> QuerySet[Organisation]:
    """Organisations the user may see (``crowdsafe.org.access.organisation_visible_q``)."""
    return Organisation.objects.visible_to(user).select_related("jurisdiction").order_by("name")


def membership_list_for(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("department__jurisdiction", "jurisdiction", "organisation")
        .order_by("id")
    )
