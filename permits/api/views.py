"""The permits API. Scoped like the pages: an application outside the caller's scope is a 404; an action the
caller may not take is a 403; a domain error (an incomplete application, a late filing, tickets over capacity …)
is a 400 naming its field. Every write goes through ``permits.services``; every response that returns an
application carries its legal checks."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common import pii
from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.errors import DomainError
from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Organisation
from permits import selectors, services
from permits.api import serializers as s
from permits.filters import PermitApplicationFilterSet, ReviewQueueFilterSet
from permits.models import (
    ApplicationMaterial,
    ChangeRequest,
    EventSession,
    PermitApplication,
    PermitCondition,
    SiteInspection,
    Undertaker,
)
from venues.models import Venue


def attach_checks(applications, *, detail: bool = False) -> None:
    """Compute each application's legal checks (and, for the detail, its missing items) for the serializers."""
    for application in applications:
        if detail:
            capacities = selectors.zone_capacities(application.venue) if application.venue else {}
            application.checks = selectors.legal_checks(application, zone_capacities=capacities)
            application.missing = selectors.missing_items(application) if application.is_editable else []
        else:
            application.checks = selectors.legal_checks(application)


def application_detail(user, pk) -> PermitApplication:
    """The application with everything its detail shows, its legal checks included."""
    application = selectors.application_detail(user=user, pk=pk)
    attach_checks([application], detail=True)
    return application


# The personal details of an application (the safety-responsible person's; the undertakers' contacts are masked too).
PERSONAL_FIELDS = {"safety_person_phone": pii.PHONE, "safety_person_id_number": pii.RESIDENT_ID}
REVEAL = OpenApiParameter(
    "reveal",
    bool,
    description="Show the safety-responsible person's phone and resident ID number in full, where the caller's role "
    "needs them (public security for the ID number); each reveal is logged. 403 for a role that may see neither.",
)


def detail_response(request, pk, *, code=status.HTTP_200_OK, reveal: bool = False) -> Response:
    application = application_detail(request.user, pk)
    kinds = (
        pii.reveal_kinds(
            request=request,
            subject=application,
            fields=PERSONAL_FIELDS,
            organisation_id=application.organisation_id,
        )
        if reveal
        else set()
    )
    data = s.PermitApplicationDetailOutputSerializer(application, context={"reveal": kinds}).data
    return Response(data, status=code)


def _venue(value):
    if value is None:
        return None
    venue = Venue.objects.filter(pk=value, is_active=True).select_related("grid").first()
    if venue is None:
        raise DomainError(_("This venue is not on the register."), field="venue")
    return venue


class ApplicationListApi(generics.ListAPIView):
    """Applications the caller may see (organizers: their organisation's; departments: what they license or
    are asked to inspect), newest first, each with its legal checks."""

    serializer_class = s.PermitApplicationOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = PermitApplicationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PermitApplication.objects.none()
        filters = self.request.query_params
        return selectors.application_list(user=self.request.user, filters=filters, with_tickets=True)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        attach_checks(page if page is not None else queryset)
        return page

    @extend_schema(
        request=s.PermitApplicationInputSerializer, responses={201: s.PermitApplicationDetailOutputSerializer}
    )
    def post(self, request, *args, **kwargs):
        data = dict(validated(s.PermitApplicationInputSerializer, request.data))
        scope = get_scope(request.user)
        own = sorted(scope.organisation_ids_for(Role.ORGANIZER))
        organisation_id = data.pop("organisation", None) or (own[0] if len(own) == 1 else None)
        if organisation_id is None:
            raise DomainError(_("Name the applicant organisation."), field="organisation")
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise DomainError(_("Unknown organisation."), field="organisation")
        if "venue" in data:
            data["venue"] = _venue(data["venue"])
        application = services.application_create(organisation=organisation, actor=request.user, **data)
        return detail_response(request, application.pk, code=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(responses=s.PermitApplicationDetailOutputSerializer, parameters=[REVEAL])
    def get(self, request, pk: int):
        return detail_response(request, pk, reveal=True)

    @extend_schema(request=s.PermitApplicationInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def patch(self, request, pk: int):
        application = selectors.application_get(user=request.user, pk=pk)
        data = dict(validated(s.PermitApplicationInputSerializer, request.data))
        data.pop("organisation", None)
        if "venue" in data:
            data["venue"] = _venue(data["venue"])
        services.application_update(application=application, actor=request.user, data=data)
        return detail_response(request, pk)


class ApplicationActionApi(ActionApi):
    """An action on an application the caller may see; by default it answers with the application's detail."""

    output_serializer = s.PermitApplicationDetailOutputSerializer

    def find(self, request, pk: int, **kwargs) -> PermitApplication:
        return selectors.application_get(user=request.user, pk=pk)

    def output(self, request, application: PermitApplication, result):
        return application_detail(request.user, application.pk)


class SessionAddApi(ApplicationActionApi):
    """Add a session with its expected attendance."""

    input_serializer = s.PermitSessionInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.session_add(application=application, actor=request.user, **data)


class UndertakerAddApi(ApplicationActionApi):
    """Add an undertaker."""

    input_serializer = s.PermitUndertakerInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.undertaker_add(application=application, actor=request.user, **data)


class SubmitApi(ApplicationActionApi):
    """Submit (or resubmit after correction) a complete application."""

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_submit(application=application, actor=request.user)


class WithdrawApi(ApplicationActionApi):
    """Withdraw the application before the decision."""

    input_serializer = s.PermitReasonInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_withdraw(application=application, actor=request.user, reason=data["reason"])


class CancelApi(ApplicationActionApi):
    """Cancel an approved event before its original date (Order 505 Art. 15)."""

    input_serializer = s.PermitRequiredReasonInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_cancel(application=application, actor=request.user, reason=data["reason"])


class HeldApi(ApplicationActionApi):
    """Mark the event as held (its first session has started)."""

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_mark_held(application=application, actor=request.user)


class CloseApi(ApplicationActionApi):
    """Close the file after the last session."""

    input_serializer = s.PermitReasonInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_close(application=application, actor=request.user, note=data["reason"])


class AcceptApi(ApplicationActionApi):
    """Accept the application (受理): sets the statutory and the promised decision deadlines."""

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_accept(application=application, actor=request.user)


class ReturnApi(ApplicationActionApi):
    """Return the application for correction (补正), listing every item."""

    input_serializer = s.PermitCorrectionInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_return_for_correction(
            application=application, actor=request.user, items=data["items"], correction_due=data["correction_due"]
        )


class NotAcceptApi(ApplicationActionApi):
    """Do not accept the application (不予受理), with reasons."""

    input_serializer = s.PermitReasonsInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_not_accept(application=application, actor=request.user, reasons=data["reasons"])


class StartReviewApi(ApplicationActionApi):
    """Start the review of an accepted application."""

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_start_review(application=application, actor=request.user)


class StartInspectionApi(ApplicationActionApi):
    """Start the joint site inspection: the responsibility rules pick the departments."""

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_start_inspection(application=application, actor=request.user)


class DecideApi(ApplicationActionApi):
    """The decision of a head of the licensing department (Order 505 Art. 14)."""

    input_serializer = s.PermitDecisionInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.application_decide(
            application=application,
            actor=request.user,
            outcome=data["outcome"],
            approved_capacity=data["approved_capacity"],
            tickets_by_zone={t["zone"]: t["tickets"] for t in data["tickets"]},
            conditions=data["conditions"],
            reasons=data["reasons"],
        )


class SupervisionApi(ApplicationActionApi):
    """Record the pre-event inspection or the on-the-day supervision."""

    input_serializer = s.PermitSupervisionInputSerializer

    def perform(self, request, application: PermitApplication, data: dict):
        return services.supervision_record(application=application, actor=request.user, **data)


class TicketsApi(APIView):
    @extend_schema(request=s.PermitTicketsInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def put(self, request, pk: int):
        """Replace the ticketing plan: the zones used and the tickets of each (at most the venue's capacity)."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = validated(s.PermitTicketsInputSerializer, request.data)
        services.tickets_set(
            application=application, actor=request.user, tickets={t["zone"]: t["tickets"] for t in data["tickets"]}
        )
        return detail_response(request, pk)


class PlanApi(APIView):
    @extend_schema(request=s.PermitPlanInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def put(self, request, pk: int):
        """Save the security plan: written sections, or the page of each section in the uploaded plan."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = validated(s.PermitPlanInputSerializer, request.data)
        sections = {row["section"]: {"text": row["text"], "page": row["page"]} for row in data["sections"]}
        services.plan_save(application=application, actor=request.user, mode=data["mode"], sections=sections)
        return detail_response(request, pk)


class MaterialAddApi(ApplicationActionApi):
    """File a material (PDF, JPEG/PNG, Office files; type and size checked)."""

    input_serializer = s.PermitMaterialInputSerializer
    input_schema = {"multipart/form-data": s.PermitMaterialInputSerializer}
    success_status = status.HTTP_201_CREATED

    def perform(self, request, application: PermitApplication, data: dict):
        return services.material_upload(
            application=application, actor=request.user, kind=data["kind"], upload=data["file"]
        )


class _PartDelete(APIView):
    model = None

    def remove(self, request, part):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    @extend_schema(responses={204: OpenApiResponse(description="Removed.")})
    def delete(self, request, pk: int, part_pk: int):
        application = selectors.application_get(user=request.user, pk=pk)
        part = get_object_or_404(self.model, pk=part_pk, application=application)
        self.remove(request, part)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionDeleteApi(_PartDelete):
    model = EventSession

    def remove(self, request, part):
        services.session_remove(session=part, actor=request.user)


class UndertakerDeleteApi(_PartDelete):
    model = Undertaker

    def remove(self, request, part):
        services.undertaker_remove(undertaker=part, actor=request.user)


class MaterialDeleteApi(_PartDelete):
    model = ApplicationMaterial

    def remove(self, request, part):
        services.material_remove(material=part, actor=request.user)


class MaterialDownloadApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")})
    def get(self, request, pk: int):
        """The file of a material, to those who may see its application."""
        material = selectors.material_get(user=request.user, pk=pk)
        try:
            handle = material.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        return FileResponse(
            handle, as_attachment=True, filename=material.original_name, content_type=material.content_type
        )


class CommentListApi(ApplicationActionApi):
    """Add a comment to the application's threads."""

    input_serializer = s.PermitCommentInputSerializer
    output_serializer = s.PermitCommentOutputSerializer
    success_status = status.HTTP_201_CREATED

    @extend_schema(responses=s.PermitCommentOutputSerializer(many=True))
    def get(self, request, pk: int):
        """The comment threads the caller may read (organizers: those shown to them and their own)."""
        application = selectors.application_get(user=request.user, pk=pk)
        comments = selectors.comments_for(user=request.user, application=application)
        return Response(s.PermitCommentOutputSerializer(comments, many=True).data)

    def perform(self, request, application: PermitApplication, data: dict):
        return services.comment_add(application=application, actor=request.user, **data)

    def output(self, request, application: PermitApplication, comment):
        return comment


class ChangeRequestApi(ApplicationActionApi):
    """Ask for a change of time (before the original date); other changes need a new application."""

    input_serializer = s.PermitChangeRequestInputSerializer
    output_serializer = s.PermitChangeRequestOutputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request, application: PermitApplication, data: dict) -> ChangeRequest:
        data = dict(data)
        session_id = data.pop("session")
        session = EventSession.objects.filter(pk=session_id, application=application).first() if session_id else None
        return services.change_request_submit(application=application, actor=request.user, session=session, **data)

    def output(self, request, application: PermitApplication, change: ChangeRequest) -> ChangeRequest:
        return change


class ChangeDecideApi(ActionApi):
    """A head of the licensing department decides a change request."""

    input_serializer = s.PermitChangeDecisionInputSerializer
    output_serializer = s.PermitChangeRequestOutputSerializer

    def find(self, request, pk: int, **kwargs) -> ChangeRequest:
        change = get_object_or_404(ChangeRequest.objects.select_related("application"), pk=pk)
        selectors.application_get(user=request.user, pk=change.application_id)
        return change

    def perform(self, request, change: ChangeRequest, data: dict) -> ChangeRequest:
        return services.change_request_decide(change=change, actor=request.user, **data)


class ConditionActionApi(ActionApi):
    """An action on an approval condition of an application the caller may see."""

    output_serializer = s.PermitConditionOutputSerializer

    def find(self, request, pk: int, **kwargs) -> PermitCondition:
        condition = get_object_or_404(PermitCondition.objects.select_related("application"), pk=pk)
        selectors.application_get(user=request.user, pk=condition.application_id)
        return condition


class ConditionReportApi(ConditionActionApi):
    """The organizer reports an approval condition done."""

    input_serializer = s.PermitConditionReportInputSerializer

    def perform(self, request, condition: PermitCondition, data: dict) -> PermitCondition:
        return services.condition_report(condition=condition, actor=request.user, **data)


class ConditionCheckApi(ConditionActionApi):
    """The licensing department checks a reported condition."""

    input_serializer = s.PermitConditionCheckInputSerializer

    def perform(self, request, condition: PermitCondition, data: dict) -> PermitCondition:
        return services.condition_check(condition=condition, actor=request.user, **data)


class InspectionListApi(generics.ListAPIView):
    """The site inspections the caller's departments were asked to make and have not recorded yet."""

    serializer_class = s.PermitInspectionOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PermitApplication.objects.none()
        return selectors.my_inspections(user=self.request.user).prefetch_related("photos")


class InspectionRecordApi(ActionApi):
    """The inspecting department records its findings, photos and pass or fail."""

    input_serializer = s.PermitInspectionInputSerializer
    input_schema = {
        "multipart/form-data": s.PermitInspectionInputSerializer,
        "application/json": s.PermitInspectionInputSerializer,
    }
    output_serializer = s.PermitInspectionOutputSerializer

    def find(self, request, pk: int, **kwargs) -> SiteInspection:
        return selectors.inspection_get(user=request.user, pk=pk)

    def perform(self, request, inspection: SiteInspection, data: dict) -> SiteInspection:
        data = dict(data)
        if hasattr(request.data, "getlist"):
            data["photos"] = request.FILES.getlist("photos")
        return services.inspection_record(inspection=inspection, actor=request.user, **data)


class ReviewQueueApi(generics.ListAPIView):
    """Applications waiting for the caller's licensing departments, the nearest deadline first."""

    serializer_class = s.PermitQueueItemOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = ReviewQueueFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PermitApplication.objects.none()
        filters = self.request.query_params
        return selectors.review_queue(
            user=self.request.user, filters=filters, related=selectors.LIST_RELATED
        ).prefetch_related("zone_plans")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else queryset
        today = timezone.localdate()
        attach_checks(rows)
        for application in rows:
            application.days_left = selectors.days_left(application.review_due, today)
        return page
