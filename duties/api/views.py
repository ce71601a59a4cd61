"""API of the responsibility engine: rules (read), tasks (scoped list and detail), and the task actions —
start, complete with evidence, reassign with a reason, cancel. Outsiders get 404; bad input 400; a visible task
the caller may not act on, 403."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.web.api.parsers import BoundedJSONParser
from duties import selectors, services
from duties.api.serializers import (
    RuleOutputSerializer,
    TaskCancelInputSerializer,
    TaskCompleteInputSerializer,
    TaskDetailOutputSerializer,
    TaskOutputSerializer,
    TaskReassignInputSerializer,
)
from duties.filters import RuleFilterSet, TaskFilterSet
from duties.models import Task, TaskReassignment

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


class RuleListApi(generics.ListAPIView):
    """The responsibility rules (city-wide policy, read-only here; the administrator edits them in the admin)."""

    serializer_class = RuleOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = RuleFilterSet

    def get_queryset(self):
        return selectors.rule_list(user=self.request.user, filters=self.request.query_params)


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
    filter_backends = [FilterSetBackend]
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return selectors.task_queue(user=self.request.user, filters=self._filterset, today=self._today)

    def filter_queryset(self, queryset):
        """A malformed filter is a 400 naming its field (``FilterSetBackend``'s check), made on the FilterSet the
        selector filtered with: built once per request, not twice (18 filters and a form, deep-copied each time:
        a tenth of the list's server time, issue 19). ``filter_backends`` stays for the schema."""
        if not self._filterset.is_valid():
            raise translate_validation(self._filterset.errors)
        return queryset

    @cached_property
    def _filterset(self) -> TaskFilterSet:
        return TaskFilterSet(self.request.query_params)

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


class TaskDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=TaskDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        task = _task(request, pk)
        serializer = TaskDetailOutputSerializer(task, context={"request": request, "today": timezone.localdate()})
        return Response(serializer.data)


class TaskActionApi(ActionApi):
    """An action on a task the caller may see, answered with the task's detail."""

    output_serializer = TaskDetailOutputSerializer
    parameters = (ID_PARAMETER,)

    def find(self, request, pk: int, **kwargs) -> Task:
        return _task(request, pk)

    def output(self, request, task: Task, result: Task) -> Task:
        # Re-read with its joins. Not through the scope: the caller has just acted on the task, and after a
        # reassignment away from their department they may no longer see it, yet they are owed the result.
        return (
            Task.objects.select_related(
                "rule",
                "jurisdiction",
                "responsible_department",
                "responsible_organisation",
                "responsible_jurisdiction",
                "responsible_person",
            )
            .prefetch_related(*DETAIL_PREFETCH)
            .get(pk=result.pk)
        )

    def output_context(self, request) -> dict:
        return {"request": request, "today": timezone.localdate()}


class TaskStartApi(TaskActionApi):
    """Start work on an open task (the caller becomes its responsible person if none is named)."""

    def perform(self, request, task: Task, data: dict) -> Task:
        return services.task_start(task=task, actor=request.user)


class TaskCompleteApi(TaskActionApi):
    """Complete an outstanding task with evidence: a note, and files as multipart ``files`` parts."""

    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]
    input_serializer = TaskCompleteInputSerializer

    def perform(self, request, task: Task, data: dict) -> Task:
        return services.task_complete(task=task, actor=request.user, note=data["note"], files=data["files"])


class TaskReassignApi(TaskActionApi):
    """Give the task to another department and/or person; the reason is required."""

    input_serializer = TaskReassignInputSerializer

    def perform(self, request, task: Task, data: dict) -> Task:
        department = None
        if data.get("department"):
            department = selectors.reassign_targets(user=request.user).filter(pk=data["department"]).first()
            if department is None:
                raise serializers.ValidationError({"department": [_("Unknown department.")]})
        person = None
        if data.get("person"):
            person = get_user_model().objects.filter(pk=data["person"], is_active=True).first()
            if person is None:
                raise serializers.ValidationError({"person": [_("Unknown person.")]})
        return services.task_reassign(
            task=task, actor=request.user, reason=data["reason"], department=department, person=person
        )


class TaskCancelApi(TaskActionApi):
    """Withdraw an outstanding task; the reason is required."""

    input_serializer = TaskCancelInputSerializer

    def perform(self, request, task: Task, data: dict) -> Task:
        return services.task_cancel(task=task, actor=request.user, reason=data["reason"])
