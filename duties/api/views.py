"""API of the responsibility engine: rules (read), tasks (scoped list and detail), and the task actions —
start, complete with evidence, reassign with a reason, cancel. Outsiders get 404; bad input 400; a visible task
the caller may not act on, 403."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.org.access import get_scoped_or_404
from duties import selectors, services
from duties.api.serializers import (
    RuleFilterSerializer,
    RuleOutputSerializer,
    TaskCancelInputSerializer,
    TaskCompleteInputSerializer,
    TaskDetailOutputSerializer,
    TaskFilterSerializer,
    TaskOutputSerializer,
    TaskReassignInputSerializer,
)
from duties.models import Task, TaskReassignment

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RuleListApi(generics.ListAPIView):
    """The responsibility rules (city-wide policy, read-only here; the administrator edits them in the admin)."""

    serializer_class = RuleOutputSerializer

    @extend_schema(parameters=[RuleFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = _validated(RuleFilterSerializer, self.request.query_params)
        return selectors.rule_list(
            user=self.request.user, active_only=filters["active"], subject_type=filters.get("subject_type", "")
        )


class RuleDetailApi(generics.RetrieveAPIView):
    serializer_class = RuleOutputSerializer

    @extend_schema(parameters=[ID_PARAMETER])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return get_scoped_or_404(selectors.rule_list(user=self.request.user), pk=self.kwargs["pk"])


class TaskListApi(generics.ListAPIView):
    """The caller's task queue (scoped like the page): outstanding by default, overdue first."""

    serializer_class = TaskOutputSerializer

    @extend_schema(parameters=[TaskFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = _validated(TaskFilterSerializer, self.request.query_params)
        return selectors.task_queue(user=self.request.user, filters=filters, today=self._today)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self._today}

    @property
    def _today(self):
        if not hasattr(self, "_today_value"):
            self._today_value = timezone.localdate()
        return self._today_value


DETAIL_PREFETCH = (
    "attachments",
    Prefetch("reassignments", queryset=TaskReassignment.objects.select_related("actor")),
)


def _task(request, pk: int):
    return get_scoped_or_404(
        selectors.task_list(user=request.user).select_related("rule").prefetch_related(*DETAIL_PREFETCH), pk=pk
    )


def _detail_response(request, task, status: int = 200) -> Response:
    # Re-read with its joins. Not through the scope: the caller has just acted on the task, and after a
    # reassignment away from their department they may no longer see it, yet they are owed the result.
    task = (
        Task.objects.select_related(
            "rule",
            "jurisdiction",
            "responsible_department",
            "responsible_organisation",
            "responsible_jurisdiction",
            "responsible_person",
        )
        .prefetch_related(*DETAIL_PREFETCH)
        .get(pk=task.pk)
    )
    serializer = TaskDetailOutputSerializer(task, context={"request": request, "today": timezone.localdate()})
    return Response(serializer.data, status=status)


class TaskDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=TaskDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        task = _task(request, pk)
        serializer = TaskDetailOutputSerializer(task, context={"request": request, "today": timezone.localdate()})
        return Response(serializer.data)


class TaskStartApi(APIView):
    """Start work on an open task (the caller becomes its responsible person if none is named)."""

    @extend_schema(parameters=[ID_PARAMETER], request=None, responses=TaskDetailOutputSerializer)
    def post(self, request, pk: int, **kwargs):
        task = services.task_start(task=_task(request, pk), actor=request.user)
        return _detail_response(request, task)


class TaskCompleteApi(APIView):
    """Complete an outstanding task with evidence: a note, and files as multipart ``files`` parts."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(parameters=[ID_PARAMETER], request=TaskCompleteInputSerializer, responses=TaskDetailOutputSerializer)
    def post(self, request, pk: int, **kwargs):
        task = _task(request, pk)
        attrs = _validated(TaskCompleteInputSerializer, request.data)
        task = services.task_complete(task=task, actor=request.user, note=attrs["note"], files=attrs["files"])
        return _detail_response(request, task)


class TaskReassignApi(APIView):
    """Give the task to another department and/or person; the reason is required."""

    @extend_schema(parameters=[ID_PARAMETER], request=TaskReassignInputSerializer, responses=TaskDetailOutputSerializer)
    def post(self, request, pk: int, **kwargs):
        task = _task(request, pk)
        attrs = _validated(TaskReassignInputSerializer, request.data)
        department = None
        if attrs.get("department"):
            department = selectors.reassign_targets(user=request.user).filter(pk=attrs["department"]).first()
            if department is None:
                raise serializers.ValidationError({"department": [_("Unknown department.")]})
        person = None
        if attrs.get("person"):
            person = get_user_model().objects.filter(pk=attrs["person"], is_active=True).first()
            if person is None:
                raise serializers.ValidationError({"person": [_("Unknown person.")]})
        task = services.task_reassign(
            task=task, actor=request.user, reason=attrs["reason"], department=department, person=person
        )
        return _detail_response(request, task)


class TaskCancelApi(APIView):
    """Withdraw an outstanding task; the reason is required."""

    @extend_schema(parameters=[ID_PARAMETER], request=TaskCancelInputSerializer, responses=TaskDetailOutputSerializer)
    def post(self, request, pk: int, **kwargs):
        task = _task(request, pk)
        attrs = _validated(TaskCancelInputSerializer, request.data)
        task = services.task_cancel(task=task, actor=request.user, reason=attrs["reason"])
        return _detail_response(request, task)
