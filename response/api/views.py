"""API of the response app: the 110/12345 dispatch systems push tickets (a token whose user holds
``response.push_ticket``); incidents (list, detail with the common picture, the commander's and responders'
actions); public reports (caller's number masked, revealed with a logged action). A missing object and one
outside the caller's scope are the same 404; one the caller sees but may not act on this way is a 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.common.text import join_clauses
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope, get_scoped_or_404
from crowdsafe.org.models import Department
from response import access, selectors, services
from response.api.serializers import (
    ActivateInputSerializer,
    CloseInputSerializer,
    ForceAdvanceInputSerializer,
    ForceRequestInputSerializer,
    HandoverInputSerializer,
    IncidentDetailOutputSerializer,
    IncidentOutputSerializer,
    IncidentReasonInputSerializer,
    LevelInputSerializer,
    PhoneOutputSerializer,
    ReportOutputSerializer,
    SituationReportInputSerializer,
    TicketOutputSerializer,
    TicketPushInputSerializer,
)
from response.choices import EscalationStatus
from response.filters import IncidentFilterSet, ReportFilterSet
from response.models import EscalationRequest, Force, Incident, PublicReport

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH)


class CanPushTickets(permissions.BasePermission):
    """The dispatch systems' accounts: ``response.push_ticket``."""

    message = "This account may not push tickets."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("response.push_ticket"))


class TicketPushApi(APIView):
    permission_classes = [permissions.IsAuthenticated, CanPushTickets]

    @extend_schema(
        request=TicketPushInputSerializer,
        responses={201: TicketOutputSerializer, 200: TicketOutputSerializer},
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        """Push a 110/12345 ticket (dispatch systems only). 201 when new; 200 with the recorded ticket when this
        ticket number was pushed before (nothing changes). The report is matched to what is open nearby and
        answered by SMS when the caller left a number."""
        data = validated(TicketPushInputSerializer, request.data)
        report, created = services.report_receive(actor=request.user, **data)
        return Response(
            TicketOutputSerializer(report, context={"created": created}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- incidents ---------------------------------------------------------------------------------------------------


class IncidentListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """The incidents the caller may see, newest first."""

    serializer_class = IncidentOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = IncidentFilterSet

    def get_queryset(self) -> Any:
        return selectors.incident_list(user=self.request.user, filters=self.request.query_params)


def _incident(request: Request, pk: int) -> Incident:
    return selectors.incident_get(user=request.user, pk=pk)


def _detail(request: Request, pk: int) -> Incident:
    return (
        Incident.objects.select_related("level", "tier", "jurisdiction", "commander")
        .prefetch_related("measures__department", "forces__department", "reports__notice", "escalations__to_tier")
        .get(pk=pk)
    )


class IncidentDetailApi(APIView):
    @extend_schema(parameters=[ID_PARAMETER], responses=IncidentDetailOutputSerializer)
    def get(self, request: Request, pk: int, **kwargs: Any) -> Response:
        """One incident with its common picture: measures, forces, situation reports, higher-level requests and
        the proposed plans."""
        _incident(request, pk)
        return Response(IncidentDetailOutputSerializer(_detail(request, pk), context={"request": request}).data)


class IncidentActionApi(ActionApi):
    output_serializer = IncidentDetailOutputSerializer
    parameters = (ID_PARAMETER,)

    def find(self, request: Request, **kwargs: Any) -> Incident:
        return _incident(request, kwargs["pk"])

    def output(self, request: Request, obj: Incident, result: Any) -> Incident:
        return _detail(request, obj.pk)


class IncidentLevelApi(IncidentActionApi):
    """Change the response level (the commander or the on-duty head only). Raising it activates the next level's
    measures of every activated plan."""

    input_serializer = LevelInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        level = services.level_by_code(data["level"])
        return services.level_change(incident=obj, level=level, actor=request.user, reason=data["reason"])


class IncidentActivateApi(IncidentActionApi):
    """Activate one of the proposed plans: its measures of the incident's level become tasks of their departments
    due in minutes, sent as urgent alerts."""

    input_serializer = ActivateInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        proposals = {p.plan.pk: p for p in selectors.plans_proposed(obj)}
        proposal = proposals.get(data["plan"])
        if proposal is None:
            raise DomainError(_("Choose one of the proposed plans."), field="plan")
        reason = join_clauses([*proposal.reasons, data["reason"]] if data["reason"] else proposal.reasons)
        return services.plan_activate(incident=obj, plan=proposal.plan, actor=request.user, reason=reason)


class IncidentForceRequestApi(IncidentActionApi):
    """Request a force from a department (commander or on-duty head only)."""

    input_serializer = ForceRequestInputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        department = None
        if data.get("department"):
            department = Department.objects.filter(pk=data["department"], is_active=True).first()
            if department is None:
                raise DomainError(_("Choose a department."), field="department")
        return services.force_request(
            incident=obj,
            actor=request.user,
            kind=data["kind"],
            requested_count=data["requested_count"],
            department=department,
            unit=data["unit"],
        )


class IncidentForceAdvanceApi(IncidentActionApi):
    """Move a force on: dispatched → on scene (with the number arrived) → released."""

    input_serializer = ForceAdvanceInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        force = Force.objects.filter(pk=data["force"], incident=obj).first()
        if force is None:
            raise DomainError(_("No such force on this incident."), field="force")
        return services.force_advance(
            force=force, actor=request.user, state=data["state"], arrived_count=data.get("arrived_count")
        )


class IncidentSituationReportApi(IncidentActionApi):
    """Submit a situation report on the template; it is issued as a numbered 情况报告 (PDF) through notices."""

    input_serializer = SituationReportInputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        return services.situation_report_submit(incident=obj, actor=request.user, **data)


class IncidentEscalateApi(IncidentActionApi):
    """Request the higher level (commander or on-duty head): its on-duty people are alerted urgently, again and up
    the chain until one acknowledges."""

    input_serializer = IncidentReasonInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        return services.escalation_request(incident=obj, actor=request.user, reason=data["reason"])


class IncidentAcceptApi(IncidentActionApi):
    """The higher level accepts the pending request: command moves up to the caller; the lower level keeps seeing
    and acting. 404 to whoever neither sees the incident nor may accept."""

    def find(self, request: Request, **kwargs: Any) -> EscalationRequest:  # type: ignore[override]
        pending = (
            EscalationRequest.objects.select_related("incident")
            .filter(incident_id=kwargs["pk"], status=EscalationStatus.PENDING)
            .first()
        )
        visible = Incident.objects.visible_to(request.user).filter(pk=kwargs["pk"]).exists()
        if pending is None:
            if not visible:
                raise Http404
            raise DomainError(_("No request to the higher level is waiting."), code="invalid_state")
        if not access.can_accept(get_scope(request.user), pending) and not visible:
            raise Http404
        return pending

    def perform(self, request: Request, obj: Any, data: dict[str, Any]) -> Any:
        return services.escalation_accept(request=obj, actor=request.user)

    def output(self, request: Request, obj: Any, result: Any) -> Incident:
        return _detail(request, obj.incident_id)


class IncidentReturnApi(IncidentActionApi):
    """Hand command back down to the level, place and commander before the last accepted request."""

    input_serializer = IncidentReasonInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        return services.escalation_return(incident=obj, actor=request.user, reason=data["reason"])


class IncidentHandoverApi(IncidentActionApi):
    """Hand command to another person (logged with the reason)."""

    input_serializer = HandoverInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        to_user = get_user_model().objects.filter(pk=data["to_user"], is_active=True).first()
        if to_user is None:
            raise DomainError(_("Choose the new commander."), field="to_user")
        return services.command_handover(incident=obj, to_user=to_user, actor=request.user, reason=data["reason"])


class IncidentCloseApi(IncidentActionApi):
    """Close with a summary (required); each lesson becomes an after-action item of the activated plans."""

    input_serializer = CloseInputSerializer

    def perform(self, request: Request, obj: Incident, data: dict[str, Any]) -> Any:
        return services.incident_close(
            incident=obj, actor=request.user, summary=data["summary"], lessons=data.get("lessons") or []
        )


# --- public reports ----------------------------------------------------------------------------------------------


class ReportListApi(generics.ListAPIView):  # type: ignore[type-arg]
    """Reports from the public in the caller's territory, newest first; the caller's number masked."""

    serializer_class = ReportOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = ReportFilterSet

    def get_queryset(self) -> Any:
        return selectors.report_list(user=self.request.user, filters=self.request.query_params)


class ReportRevealApi(ActionApi):
    """The caller's full number, for calling back (the territory's coordinators and the police); every reveal is
    written to the action log. 403 for those who see the report but may not see the number."""

    output_serializer = PhoneOutputSerializer
    parameters = (ID_PARAMETER,)

    def find(self, request: Request, **kwargs: Any) -> PublicReport:
        found: PublicReport = get_scoped_or_404(PublicReport.objects.visible_to(request.user), pk=kwargs["pk"])
        return found

    def perform(self, request: Request, obj: PublicReport, data: dict[str, Any]) -> dict[str, str]:
        phone = services.report_reveal_phone(report=obj, actor=request.user)
        return {"caller_phone": phone}
