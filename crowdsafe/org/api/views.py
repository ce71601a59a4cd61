"""Read-only API over the kernel's organisation model, scoped like the pages (outsiders get 404)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import validated
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.api.serializers import (
    DepartmentFilterSerializer,
    DepartmentOutputSerializer,
    JurisdictionFilterSerializer,
    JurisdictionOutputSerializer,
    JurisdictionTreeNodeSerializer,
    JurisdictionTreeParamsSerializer,
)
from crowdsafe.org.models import Jurisdiction
from crowdsafe.org.selectors import department_list, jurisdiction_list, jurisdiction_subtree


class JurisdictionListApi(generics.ListAPIView):
    """Territories the caller may see (their subtrees, plus any shared with their departments)."""

    serializer_class = JurisdictionOutputSerializer

    @extend_schema(parameters=[JurisdictionFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = validated(JurisdictionFilterSerializer, self.request.query_params)
        parent = None
        if "parent" in filters:
            parent = get_scoped_or_404(jurisdiction_list(user=self.request.user), code=filters["parent"])
        return jurisdiction_list(
            user=self.request.user, level=filters.get("level"), parent=parent, search=filters.get("search", "")
        )


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

    @extend_schema(parameters=[DepartmentFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = validated(DepartmentFilterSerializer, self.request.query_params)
        jurisdiction = None
        if "jurisdiction" in filters:
            jurisdiction = Jurisdiction.objects.filter(code=filters["jurisdiction"]).first()
            if jurisdiction is None:
                return department_list(user=self.request.user).none()
        return department_list(user=self.request.user, kind=filters.get("kind"), jurisdiction=jurisdiction)


class DepartmentDetailApi(generics.RetrieveAPIView):
    serializer_class = DepartmentOutputSerializer

    @extend_schema(parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return get_scoped_or_404(department_list(user=self.request.user), pk=self.kwargs["pk"])
