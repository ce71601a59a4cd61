"""The permits API. Scoped like the pages: an application outside the caller's scope is a 404; an action the
caller may not take is a 403; a domain error (an incomplete application, a late filing, tickets over capacity …)
is a 400 naming its field. Every write goes through ``permits.services``; every response that returns an
application carries its legal checks."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

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
    Undertaker,
)
from venues.models import Venue


def _validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def attach_checks(applications, *, detail: bool = False) -> None:
    """Compute each application's legal checks (and, for the detail, its missing items) for the serializers."""
    for application in applications:
        if detail:
            capacities = selectors.zone_capacities(application.venue) if application.venue else {}
            application.checks = selectors.legal_checks(application, zone_capacities=capacities)
            application.missing = selectors.missing_items(application) if application.is_editable else []
        else:
            application.checks = selectors.legal_checks(application)


def detail_response(request, pk, *, code=status.HTTP_200_OK) -> Response:
    application = selectors.application_detail(user=request.user, pk=pk)
    attach_checks([application], detail=True)
    return Response(s.PermitApplicationDetailOutputSerializer(application).data, status=code)


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
        data = dict(_validated(s.PermitApplicationInputSerializer, request.data))
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
    @extend_schema(responses=s.PermitApplicationDetailOutputSerializer)
    def get(self, request, pk: int):
        return detail_response(request, pk)

    @extend_schema(request=s.PermitApplicationInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def patch(self, request, pk: int):
        application = selectors.application_get(user=request.user, pk=pk)
        data = dict(_validated(s.PermitApplicationInputSerializer, request.data))
        data.pop("organisation", None)
        if "venue" in data:
            data["venue"] = _venue(data["venue"])
        services.application_update(application=application, actor=request.user, data=data)
        return detail_response(request, pk)


class _Action(APIView):
    """POST to an application: validate the input, call one service, return the application."""

    input_serializer = None

    def call(self, request, application, data):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def post(self, request, pk: int):
        application = selectors.application_get(user=request.user, pk=pk)
        data = _validated(self.input_serializer, request.data) if self.input_serializer else {}
        self.call(request, application, data)
        return detail_response(request, pk)


def _action(name, input_serializer, call, doc):
    """A subclass of ``_Action`` with its own ``post`` (a fresh function, so that each carries its own schema)."""

    def post(self, request, pk: int):
        return _Action.post(self, request, pk)

    post = extend_schema(request=input_serializer, responses=s.PermitApplicationDetailOutputSerializer, summary=doc)(
        post
    )
    return type(
        name,
        (_Action,),
        {
            "input_serializer": input_serializer,
            "call": lambda self, request, a, d: call(request, a, d),
            "post": post,
            "__doc__": doc,
        },
    )


SessionAddApi = _action(
    "SessionAddApi",
    s.PermitSessionInputSerializer,
    lambda r, a, d: services.session_add(application=a, actor=r.user, **d),
    "Add a session with its expected attendance.",
)
UndertakerAddApi = _action(
    "UndertakerAddApi",
    s.PermitUndertakerInputSerializer,
    lambda r, a, d: services.undertaker_add(application=a, actor=r.user, **d),
    "Add an undertaker.",
)
SubmitApi = _action(
    "SubmitApi",
    None,
    lambda r, a, d: services.application_submit(application=a, actor=r.user),
    "Submit (or resubmit after correction) a complete application.",
)
WithdrawApi = _action(
    "WithdrawApi",
    s.PermitReasonInputSerializer,
    lambda r, a, d: services.application_withdraw(application=a, actor=r.user, reason=d["reason"]),
    "Withdraw the application before the decision.",
)
CancelApi = _action(
    "CancelApi",
    s.PermitRequiredReasonInputSerializer,
    lambda r, a, d: services.application_cancel(application=a, actor=r.user, reason=d["reason"]),
    "Cancel an approved event before its original date (Order 505 Art. 15).",
)
HeldApi = _action(
    "HeldApi",
    None,
    lambda r, a, d: services.application_mark_held(application=a, actor=r.user),
    "Mark the event as held (its first session has started).",
)
CloseApi = _action(
    "CloseApi",
    s.PermitReasonInputSerializer,
    lambda r, a, d: services.application_close(application=a, actor=r.user, note=d["reason"]),
    "Close the file after the last session.",
)
AcceptApi = _action(
    "AcceptApi",
    None,
    lambda r, a, d: services.application_accept(application=a, actor=r.user),
    "Accept the application (受理): sets the statutory and the promised decision deadlines.",
)
ReturnApi = _action(
    "ReturnApi",
    s.PermitCorrectionInputSerializer,
    lambda r, a, d: services.application_return_for_correction(
        application=a, actor=r.user, items=d["items"], correction_due=d["correction_due"]
    ),
    "Return the application for correction (补正), listing every item.",
)
NotAcceptApi = _action(
    "NotAcceptApi",
    s.PermitReasonsInputSerializer,
    lambda r, a, d: services.application_not_accept(application=a, actor=r.user, reasons=d["reasons"]),
    "Do not accept the application (不予受理), with reasons.",
)
StartReviewApi = _action(
    "StartReviewApi",
    None,
    lambda r, a, d: services.application_start_review(application=a, actor=r.user),
    "Start the review of an accepted application.",
)
StartInspectionApi = _action(
    "StartInspectionApi",
    None,
    lambda r, a, d: services.application_start_inspection(application=a, actor=r.user),
    "Start the joint site inspection: the responsibility rules pick the departments.",
)
DecideApi = _action(
    "DecideApi",
    s.PermitDecisionInputSerializer,
    lambda r, a, d: services.application_decide(
        application=a,
        actor=r.user,
        outcome=d["outcome"],
        approved_capacity=d["approved_capacity"],
        tickets_by_zone={t["zone"]: t["tickets"] for t in d["tickets"]},
        conditions=d["conditions"],
        reasons=d["reasons"],
    ),
    "The decision of a head of the licensing department (Order 505 Art. 14).",
)
SupervisionApi = _action(
    "SupervisionApi",
    s.PermitSupervisionInputSerializer,
    lambda r, a, d: services.supervision_record(application=a, actor=r.user, **d),
    "Record the pre-event inspection or the on-the-day supervision.",
)


class TicketsApi(APIView):
    @extend_schema(request=s.PermitTicketsInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def put(self, request, pk: int):
        """Replace the ticketing plan: the zones used and the tickets of each (at most the venue's capacity)."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = _validated(s.PermitTicketsInputSerializer, request.data)
        services.tickets_set(
            application=application, actor=request.user, tickets={t["zone"]: t["tickets"] for t in data["tickets"]}
        )
        return detail_response(request, pk)


class PlanApi(APIView):
    @extend_schema(request=s.PermitPlanInputSerializer, responses=s.PermitApplicationDetailOutputSerializer)
    def put(self, request, pk: int):
        """Save the security plan: written sections, or the page of each section in the uploaded plan."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = _validated(s.PermitPlanInputSerializer, request.data)
        sections = {row["section"]: {"text": row["text"], "page": row["page"]} for row in data["sections"]}
        services.plan_save(application=application, actor=request.user, mode=data["mode"], sections=sections)
        return detail_response(request, pk)


class MaterialAddApi(APIView):
    @extend_schema(
        request={"multipart/form-data": s.PermitMaterialInputSerializer},
        responses={201: s.PermitApplicationDetailOutputSerializer},
    )
    def post(self, request, pk: int):
        """File a material (PDF, JPEG/PNG, Office files; type and size checked)."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = _validated(s.PermitMaterialInputSerializer, request.data)
        services.material_upload(application=application, actor=request.user, kind=data["kind"], upload=data["file"])
        return detail_response(request, pk, code=status.HTTP_201_CREATED)


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


class CommentListApi(APIView):
    @extend_schema(responses=s.PermitCommentOutputSerializer(many=True))
    def get(self, request, pk: int):
        """The comment threads the caller may read (organizers: those shown to them and their own)."""
        application = selectors.application_get(user=request.user, pk=pk)
        comments = selectors.comments_for(user=request.user, application=application)
        return Response(s.PermitCommentOutputSerializer(comments, many=True).data)

    @extend_schema(request=s.PermitCommentInputSerializer, responses={201: s.PermitCommentOutputSerializer})
    def post(self, request, pk: int):
        application = selectors.application_get(user=request.user, pk=pk)
        data = _validated(s.PermitCommentInputSerializer, request.data)
        comment = services.comment_add(application=application, actor=request.user, **data)
        return Response(s.PermitCommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class ChangeRequestApi(APIView):
    @extend_schema(request=s.PermitChangeRequestInputSerializer, responses={201: s.PermitChangeRequestOutputSerializer})
    def post(self, request, pk: int):
        """Ask for a change of time (before the original date); other changes need a new application."""
        application = selectors.application_get(user=request.user, pk=pk)
        data = dict(_validated(s.PermitChangeRequestInputSerializer, request.data))
        session_id = data.pop("session")
        session = EventSession.objects.filter(pk=session_id, application=application).first() if session_id else None
        change = services.change_request_submit(application=application, actor=request.user, session=session, **data)
        return Response(s.PermitChangeRequestOutputSerializer(change).data, status=status.HTTP_201_CREATED)


class ChangeDecideApi(APIView):
    @extend_schema(request=s.PermitChangeDecisionInputSerializer, responses=s.PermitChangeRequestOutputSerializer)
    def post(self, request, pk: int):
        """A head of the licensing department decides a change request."""
        change = get_object_or_404(ChangeRequest.objects.select_related("application"), pk=pk)
        selectors.application_get(user=request.user, pk=change.application_id)
        data = _validated(s.PermitChangeDecisionInputSerializer, request.data)
        change = services.change_request_decide(change=change, actor=request.user, **data)
        return Response(s.PermitChangeRequestOutputSerializer(change).data)


def _condition(request, pk) -> PermitCondition:
    condition = get_object_or_404(PermitCondition.objects.select_related("application"), pk=pk)
    selectors.application_get(user=request.user, pk=condition.application_id)
    return condition


class ConditionReportApi(APIView):
    @extend_schema(request=s.PermitConditionReportInputSerializer, responses=s.PermitConditionOutputSerializer)
    def post(self, request, pk: int):
        """The organizer reports an approval condition done."""
        data = _validated(s.PermitConditionReportInputSerializer, request.data)
        condition = services.condition_report(condition=_condition(request, pk), actor=request.user, **data)
        return Response(s.PermitConditionOutputSerializer(condition).data)


class ConditionCheckApi(APIView):
    @extend_schema(request=s.PermitConditionCheckInputSerializer, responses=s.PermitConditionOutputSerializer)
    def post(self, request, pk: int):
        """The licensing department checks a reported condition."""
        data = _validated(s.PermitConditionCheckInputSerializer, request.data)
        condition = services.condition_check(condition=_condition(request, pk), actor=request.user, **data)
        return Response(s.PermitConditionOutputSerializer(condition).data)


class InspectionListApi(generics.ListAPIView):
    """The site inspections the caller's departments were asked to make and have not recorded yet."""

    serializer_class = s.PermitInspectionOutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PermitApplication.objects.none()
        return selectors.my_inspections(user=self.request.user).prefetch_related("photos")


class InspectionRecordApi(APIView):
    @extend_schema(
        request={
            "multipart/form-data": s.PermitInspectionInputSerializer,
            "application/json": s.PermitInspectionInputSerializer,
        },
        responses=s.PermitInspectionOutputSerializer,
    )
    def post(self, request, pk: int):
        """The inspecting department records its findings, photos and pass or fail."""
        inspection = selectors.inspection_get(user=request.user, pk=pk)
        data = dict(_validated(s.PermitInspectionInputSerializer, request.data))
        if hasattr(request.data, "getlist"):
            data["photos"] = request.FILES.getlist("photos")
        inspection = services.inspection_record(inspection=inspection, actor=request.user, **data)
        return Response(s.PermitInspectionOutputSerializer(inspection).data)


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
