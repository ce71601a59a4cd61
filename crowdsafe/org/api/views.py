"""Read-only API over the kernel's organisation model, scoped like the pages (outsiders get 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.api.serializers import (
    DepartmentOutputSerializer,
    JurisdictionOutputSerializer,
    JurisdictionTreeNodeSerializer,
    JurisdictionTreeParamsSerializer,
)
from crowdsafe.org.filters import DepartmentFilterSet, JurisdictionFilterSet
from crowdsafe.org.selectors import department_list, jurisdiction_list, jurisdiction_subtree


class JurisdictionListApi(generics.ListAPIView):
    """Territories the caller may see (their subtrees, plus any shared with their departments)."""

    serializer_class = JurisdictionOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = JurisdictionFilterSet

    def get_queryset(self):
        filters = JurisdictionFilterSet(self.request.query_params)
        if filters.valid("parent"):
            # A parent the caller may not see is a 404, not an empty list.
            get_scoped_or_404(jurisdiction_list(user=self.request.user), code=filters.valid("parent"))
        return jurisdiction_list(user=self.request.user, filters=filters)


class JurisdictionDetailApi(generics.RetrieveAPIView):
    serializer_class = JurisdictionOutputSerializer

    def get_object(self):
        return get_scoped_or_404(jurisdiction_list(user=self.request.user), code=self.kwargs["code"])


class JurisdictionTreeApi(APIView):
    """The scoped subtree under one territory, nested, down to ``depth`` levels (one query)."""

    @extend_schema(parameters=[JurisdictionTreeParamsSerializer], responses=JurisdictionTreeNodeSerializer)
    def get(self, request, code: str, **kwargs):
        depth = validated(JurisdictionTreeParamsSerializer, request.query_params)["depth"]
        root = get_scoped_or_404(jurisdiction_list(user=request.user), code=code)
        rows = (
            jurisdiction_subtree(user=request.user, root=root)
            .filter(depth__lte=root.depth + depth)
            .values("pk", "parent_id", "code", "name", "level")
        )
        nodes = {row["pk"]: {**row, "children": []} for row in rows}
        for node in nodes.values():
            parent = nodes.get(node["parent_id"])
            if parent is not None and node is not parent:
                parent["children"].append(node)

        def clean(node):
            return {
                "code": node["code"],
                "name": node["name"],
                "level": node["level"],
                "children": [clean(child) for child in node["children"]],
            }

        return Response(clean(nodes[root.pk]))


class DepartmentListApi(generics.ListAPIView):
    """Departments in and above the caller's territories."""

    serializer_class = DepartmentOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = DepartmentFilterSet

    def get_queryset(self):
        return department_list(user=self.request.user, filters=self.request.query_params)


class DepartmentDetailApi(generics.RetrieveAPIView):
    serializer_class = DepartmentOutputSerializer

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return get_scoped_or_404(department_list(user=self.request.user), pk=self.kwargs["pk"])
