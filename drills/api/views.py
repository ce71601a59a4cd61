"""The plans and drills API. Scoped like the pages: a plan or drill outside the caller's scope is a 404; one they
may see but not change is a 403 on writes. Writes go through ``drills.services``; a domain error is a 400 naming
its field."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common import pii
from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.models import Department, Organisation
from crowdsafe.web.api.parsers import BoundedJSONParser
from drills import permits, selectors, services
from drills.access import can_close_item
from drills.api.serializers import (
    AfterActionItemCloseInputSerializer,
    AfterActionItemOutputSerializer,
    DrillCancelInputSerializer,
    DrillComplianceOutputSerializer,
    DrillDetailOutputSerializer,
    DrillOutputSerializer,
    DrillPhotosInputSerializer,
    DrillRecordInputSerializer,
    DrillScheduleInputSerializer,
    EmergencyPlanDetailOutputSerializer,
    EmergencyPlanInputSerializer,
    EmergencyPlanOutputSerializer,
    EmergencyPlanUpdateInputSerializer,
    PlanVersionInputSerializer,
    PlanVersionOutputSerializer,
    PreEventDrillGapOutputSerializer,
)
from drills.compliance import drill_compliance, territory_for
from drills.filters import AfterActionItemFilterSet, DrillFilterSet, EmergencyPlanFilterSet
from drills.models import AfterActionItem, Drill, EmergencyPlan, PlanVersion
from drills.services.plans import PLAN_FIELDS


def _plan(user, pk) -> EmergencyPlan:
    return selectors.plan_detail(user=user, pk=pk)


def _drill(user, pk) -> Drill:
    return selectors.drill_detail(user=user, pk=pk)


def _parties(model, ids):
    if ids is None:
        return None
    found = list(model.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise DomainError(
            _("Unknown department or organisation id."), field="departments" if model is Department else "units"
        )
    return found


class PlanListApi(generics.ListAPIView):
    """Emergency plans the caller may see."""

    serializer_class = EmergencyPlanOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = EmergencyPlanFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EmergencyPlan.objects.none()
        return selectors.plan_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=EmergencyPlanInputSerializer, responses={201: EmergencyPlanDetailOutputSerializer})
    def post(self, request, *args, **kwargs):
        data = dict(validated(EmergencyPlanInputSerializer, request.data))
        owner = data.pop("owner")
        scope = {"venue": None, "application": None, "territory": None}
        if data.get("venue"):
            from venues.selectors import venue_visible

            scope["venue"] = venue_visible(user=request.user).filter(pk=data["venue"]).first()
            if scope["venue"] is None:
                raise DomainError(_("No such venue is open to you."), field="venue")
        if data.get("application"):
            scope["application"] = permits.get_visible_application(user=request.user, pk=data["application"])
            if scope["application"] is None:
                raise DomainError(_("No such permit application is open to you."), field="application")
        if data.get("territory"):
            scope["territory"] = territory_for(data["territory"]) or None
            if scope["territory"] is None:
                raise DomainError(_("Unknown division code."), field="territory")
        kind_of_owner = {
            Department: "department",
            Organisation: "venue_operator" if data["scope_kind"] == "venue" else "organizer",
        }.get(type(owner), "township")
        plan = services.plan_create(
            actor=request.user,
            title=data["title"],
            kind=data["kind"],
            owner_kind=kind_of_owner,
            owner=owner,
            scope_kind=data["scope_kind"],
            gathering_kind=data.get("gathering_kind") or "",
            summary=data.get("summary", ""),
            evacuation_target_minutes=data.get("evacuation_target_minutes"),
            review_due=data.get("review_due"),
            drill_interval_months=data.get("drill_interval_months"),
            measures=data.get("measures", []),
            contacts=data.get("contacts", []),
            **scope,
        )
        return Response(
            EmergencyPlanDetailOutputSerializer(_plan(request.user, plan.pk)).data, status=status.HTTP_201_CREATED
        )


class PlanDetailApi(APIView):
    """One plan with its measures by alert level, contacts and versions."""

    @extend_schema(
        responses=EmergencyPlanDetailOutputSerializer, parameters=[pii.reveal_parameter("the contacts' phones")]
    )
    def get(self, request, pk: int, **kwargs):
        plan = _plan(request.user, pk)
        kinds = pii.reveal_kinds(
            request=request,
            subject=plan,
            fields={"contacts.phone": pii.PHONE} if any(c.phone for c in plan.contacts.all()) else {},
            organisation_id=plan.owner_organisation_id,
        )
        return Response(EmergencyPlanDetailOutputSerializer(plan, context={"reveal": kinds}).data)

    @extend_schema(request=EmergencyPlanUpdateInputSerializer, responses=EmergencyPlanDetailOutputSerializer)
    def patch(self, request, pk: int, **kwargs):
        plan = selectors.plan_get(user=request.user, pk=pk)
        data = dict(validated(EmergencyPlanUpdateInputSerializer, request.data, partial=True))
        measures = data.pop("measures", None)
        contacts = data.pop("contacts", None)
        services.plan_update(
            plan=plan,
            actor=request.user,
            data={k: v for k, v in data.items() if k in PLAN_FIELDS},
            measures=measures,
            contacts=contacts,
        )
        return Response(EmergencyPlanDetailOutputSerializer(_plan(request.user, pk)).data)


class PlanActionApi(ActionApi):
    """An action on a plan the caller may see."""

    def find(self, request, pk: int, **kwargs) -> EmergencyPlan:
        return selectors.plan_get(user=request.user, pk=pk)


class PlanVersionApi(PlanActionApi):
    """Upload a new version of the plan's document (multipart)."""

    parser_classes = [MultiPartParser, FormParser]
    input_serializer = PlanVersionInputSerializer
    input_schema = {"multipart/form-data": PlanVersionInputSerializer}
    output_serializer = PlanVersionOutputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request, plan: EmergencyPlan, data: dict) -> PlanVersion:
        return services.plan_version_add(
            plan=plan, actor=request.user, file=data["file"], summary_of_changes=data["summary_of_changes"]
        )


class DrillRecording:
    """Record a drill as held, from a ``DrillRecordInputSerializer`` body: of a plan (a drill held without being
    planned) or of a planned drill. Mixed into the two action endpoints."""

    input_serializer = DrillRecordInputSerializer
    output_serializer = DrillDetailOutputSerializer
    success_status = status.HTTP_201_CREATED

    def record(self, request, data: dict, *, plan=None, drill=None) -> Drill:
        data = dict(data)
        items = [
            services.ItemSpec(
                description=item["description"],
                owner=item["owner"],
                due_date=item["due_date"],
                requires_plan_revision=item["requires_plan_revision"],
            )
            for item in data.pop("items", [])
        ]
        departments = _parties(Department, data.pop("departments", None))
        units = _parties(Organisation, data.pop("units", None))
        return services.drill_record(
            actor=request.user, plan=plan, drill=drill, items=items, departments=departments, units=units, **data
        )

    def output(self, request, obj, recorded: Drill) -> Drill:
        return _drill(request.user, recorded.pk)


class PlanRecordApi(DrillRecording, PlanActionApi):
    """Record a drill of the plan that was held without being planned."""

    def perform(self, request, plan: EmergencyPlan, data: dict) -> Drill:
        return self.record(request, data, plan=plan)


class DrillListApi(generics.ListAPIView):
    """Drills (planned, held, cancelled) of the plans the caller may see, newest first; POST plans one."""

    serializer_class = DrillOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = DrillFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Drill.objects.none()
        return selectors.drill_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=DrillScheduleInputSerializer, responses={201: DrillDetailOutputSerializer})
    def post(self, request, *args, **kwargs):
        data = dict(validated(DrillScheduleInputSerializer, request.data))
        plan = selectors.plan_get(user=request.user, pk=data.pop("plan"))
        data["departments"] = _parties(Department, data["departments"])
        data["units"] = _parties(Organisation, data["units"])
        drill = services.drill_schedule(plan=plan, actor=request.user, **data)
        return Response(
            DrillDetailOutputSerializer(_drill(request.user, drill.pk)).data, status=status.HTTP_201_CREATED
        )


class DrillDetailApi(APIView):
    """One drill with its record, participants, photos and after-action items."""

    @extend_schema(responses=DrillDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        return Response(DrillDetailOutputSerializer(_drill(request.user, pk)).data)


class DrillActionApi(ActionApi):
    """An action on a drill the caller may see; by default it answers with the drill's detail."""

    output_serializer = DrillDetailOutputSerializer

    def find(self, request, pk: int, **kwargs) -> Drill:
        return selectors.drill_get(user=request.user, pk=pk)

    def output(self, request, drill: Drill, result) -> Drill:
        return _drill(request.user, drill.pk)


class DrillRecordApi(DrillRecording, DrillActionApi):
    """Record a planned drill as held (settles the drill-due duties; each item becomes a task)."""

    parser_classes = [BoundedJSONParser]

    def perform(self, request, drill: Drill, data: dict) -> Drill:
        return self.record(request, data, drill=drill)


class DrillCancelApi(DrillActionApi):
    """Cancel a planned drill, with the reason."""

    input_serializer = DrillCancelInputSerializer

    def perform(self, request, drill: Drill, data: dict):
        return services.drill_cancel(drill=drill, actor=request.user, reason=data["reason"])


class DrillPhotosApi(DrillActionApi):
    """Add photos to a drill (multipart, field ``photos``, several)."""

    parser_classes = [MultiPartParser, FormParser]
    input_schema = {"multipart/form-data": DrillPhotosInputSerializer}  # the files are checked by the service
    success_status = status.HTTP_201_CREATED

    def perform(self, request, drill: Drill, data: dict):
        photos = request.FILES.getlist("photos")
        if not photos:
            raise DomainError(_("Choose at least one photo."), field="photos")
        return services.drill_photos_add(drill=drill, actor=request.user, photos=photos)


class ItemListApi(generics.ListAPIView):
    """After-action items the caller may see: open ones by default, by due date."""

    serializer_class = AfterActionItemOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = AfterActionItemFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AfterActionItem.objects.none()
        return selectors.item_list(user=self.request.user, filters=self.request.query_params)


class ItemCloseApi(ActionApi):
    """Close an item; one requiring a revision of the plan needs a newer plan version (``version``) or the
    revised plan uploaded here (``file``)."""

    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    input_serializer = AfterActionItemCloseInputSerializer
    output_serializer = AfterActionItemOutputSerializer

    def find(self, request, pk: int, **kwargs) -> AfterActionItem:
        item = selectors.item_get(user=request.user, pk=pk)
        if not can_close_item(get_scope(request.user), item):
            raise PermissionDenied
        return item

    def perform(self, request, item: AfterActionItem, data: dict) -> AfterActionItem:
        version = None
        if data.get("version"):
            version = get_object_or_404(PlanVersion, plan_id=item.plan_id, number=data["version"])
        return services.item_close(
            item=item,
            actor=request.user,
            note=data["note"],
            version=version,
            file=data.get("file"),
            summary_of_changes=data.get("summary_of_changes", ""),
        )

    def output(self, request, item: AfterActionItem, closed: AfterActionItem) -> AfterActionItem:
        return selectors.item_get(user=request.user, pk=closed.pk)


class ComplianceApi(APIView):
    """Per department, township/street and venue kind: plans drilled within their interval, overdue drills, open
    after-action items (``?jurisdiction=`` a division code to narrow it)."""

    @extend_schema(responses=DrillComplianceOutputSerializer)
    def get(self, request, **kwargs):
        territory = territory_for(request.query_params.get("jurisdiction", ""))
        if territory is False:
            raise DomainError(_("Unknown division code."), field="jurisdiction")
        return Response(DrillComplianceOutputSerializer(drill_compliance(user=request.user, territory=territory)).data)


class PreEventGapsApi(APIView):
    """Approved events in the caller's scope whose emergency plan has no drill held before the event."""

    @extend_schema(responses=PreEventDrillGapOutputSerializer(many=True))
    def get(self, request, **kwargs):
        gaps = selectors.pre_event_drill_gaps(user=request.user, today=timezone.localdate())
        return Response(PreEventDrillGapOutputSerializer(gaps, many=True).data)
