"""Pages of the organisation model: jurisdictions and the department directory. Thin: every read goes
through ``crowdsafe.org.selectors`` (already scoped), and anything outside the user's scope is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from crowdsafe.org import selectors
from crowdsafe.org.access import ancestor_paths, get_scoped_or_404
from crowdsafe.org.boundaries import boundary_collection
from crowdsafe.org.choices import JurisdictionLevel
from crowdsafe.org.filters import DepartmentFilterSet, JurisdictionFilterSet

PAGE_SIZE = 50
# A jurisdiction page lists this many children; the rest are one click away in the filtered list.
CHILDREN_SHOWN = 50
BOUNDARY_MAX_AGE = 300  # seconds a browser keeps the boundaries (they change when an administrator uploads one)


@login_required
def jurisdiction_list(request):
    filters = JurisdictionFilterSet(request.GET)
    parent = None
    if filters.valid("parent"):
        parent = get_scoped_or_404(selectors.jurisdiction_list(user=request.user), code=filters.valid("parent"))
    jurisdictions = selectors.jurisdiction_list(user=request.user, filters=filters)
    page = Paginator(jurisdictions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/jurisdiction_list.html",
        {"form": filters.form, "page": page, "parent": parent, "filtered": filters.is_filtered()},
    )


@login_required
def jurisdiction_detail(request, code: str):
    visible = selectors.jurisdiction_list(user=request.user)
    jurisdiction = get_scoped_or_404(visible, code=code)
    # The breadcrumb shows only the ancestors the user may open (a township officer does not see the district).
    ancestors = list(visible.filter(path__in=ancestor_paths(jurisdiction.path)))
    children = list(
        selectors.jurisdiction_list(user=request.user, filters={"parent": jurisdiction.code})[: CHILDREN_SHOWN + 1]
    )
    counts = dict(
        selectors.jurisdiction_subtree(user=request.user, root=jurisdiction)
        .exclude(pk=jurisdiction.pk)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
        .values_list("level", "n")
    )
    subtree_counts = [(level, counts[level.value]) for level in JurisdictionLevel if counts.get(level.value)]
    departments = list(selectors.department_list(user=request.user, filters={"jurisdiction": jurisdiction.code}))
    return render(
        request,
        "org/jurisdiction_detail.html",
        {
            "jurisdiction": jurisdiction,
            "ancestors": ancestors,
            "children": children[:CHILDREN_SHOWN],
            "more_children": len(children) > CHILDREN_SHOWN,
            "subtree_counts": subtree_counts,
            "departments": departments,
        },
    )


@login_required
def department_list(request):
    filters = DepartmentFilterSet(request.GET)
    departments = selectors.department_list(user=request.user, filters=filters)
    page = Paginator(departments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "org/department_list.html",
        {"form": filters.form, "page": page, "filtered": filters.is_filtered()},
    )


@login_required
def department_detail(request, pk: int):
    department = get_scoped_or_404(selectors.department_list(user=request.user), pk=pk)
    # A township officer sees the district's police bureau, but not the district itself: link only what opens.
    jurisdiction_visible = selectors.jurisdiction_list(user=request.user).filter(pk=department.jurisdiction_id).exists()
    return render(
        request,
        "org/department_detail.html",
        {"department": department, "jurisdiction_visible": jurisdiction_visible},
    )


def boundaries_response(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/geo+json")
    patch_cache_control(response, private=True, max_age=BOUNDARY_MAX_AGE)
    return response


@login_required
@require_safe
def boundaries(request):
    """The maps' base layer (issue 17 point 3): the boundaries of the territories the user may see, under
    ``?root=<code>`` when given (404 when the user may not see it), as a GeoJSON FeatureCollection; cached on the
    server per visible set and for a few minutes in the browser (private)."""
    root = None
    if request.GET.get("root"):
        root = get_scoped_or_404(selectors.jurisdiction_list(user=request.user), code=request.GET["root"])
    return boundaries_response(boundary_collection(user=request.user, root=root))
