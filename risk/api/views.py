"""The risk API: the matrix's bands, assessments (with ``score`` and ``level``) and their sign-off, the register
of current levels and a subject's level history, hazards and each rectification step, campaigns with their
progress. Scoped like the pages: outside the caller's scope is a 404; visible but not theirs to act on, a 403;
bad input, a 400 naming the field."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdsafe.common.api import ActionApi, validated
from crowdsafe.common.filters import FilterSetBackend
from crowdsafe.org.models import Department, Jurisdiction
from crowdsafe.org.selectors import department_list
from crowdsafe.web.api.pagination import CappedCountPagination
from crowdsafe.web.api.parsers import BoundedJSONParser
from risk import selectors, services
from risk.api.serializers import (
    AssessmentCreateInputSerializer,
    AssessmentInputSerializer,
    AssessmentOutputSerializer,
    BandOutputSerializer,
    CampaignDetailOutputSerializer,
    CampaignInputSerializer,
    CampaignOutputSerializer,
    HazardConfirmClosureInputSerializer,
    HazardDetailOutputSerializer,
    HazardExtensionDecisionInputSerializer,
    HazardExtensionInputSerializer,
    HazardExtensionOutputSerializer,
    HazardFixInputSerializer,
    HazardInputSerializer,
    HazardOutputSerializer,
    HazardPhotosInputSerializer,
    HazardVerifyInputSerializer,
    LevelChangeOutputSerializer,
    RectificationOrderInputSerializer,
    RectificationOrderOutputSerializer,
    RectificationPlanInputSerializer,
    RegisterOutputSerializer,
    RelaunchOutputSerializer,
    RiskNoteInputSerializer,
    RiskReasonInputSerializer,
)
from risk.filters import AssessmentFilterSet, CampaignFilterSet, HazardFilterSet, RegisterFilterSet
from risk.models import AssessmentCampaign, CampaignTarget, Hazard, HazardExtension, RiskAssessment, SubjectRiskLevel
from risk.services.hazards import DEFAULT_LEGAL_BASIS
from risk.subjects import subject_for

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
MULTIPART = [MultiPartParser, FormParser, BoundedJSONParser]


# --- bands -----------------------------------------------------------------------------------------------------


class BandListApi(APIView):
    """The risk matrix's bands: likelihood × severity from ``min_score`` to ``max_score`` gives ``level``."""

    pagination_class = None

    @extend_schema(responses=BandOutputSerializer(many=True))
    def get(self, request, **kwargs):
        from risk.models import RiskBand

        return Response(BandOutputSerializer(RiskBand.objects.order_by("min_score"), many=True).data)


# --- assessments ------------------------------------------------------------------------------------------------


def _assessment_response(request, assessment, *, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.assessment_get(user=request.user, pk=assessment.pk)
    return Response(AssessmentOutputSerializer(fresh).data, status=code)


class AssessmentListApi(generics.ListAPIView):
    """Assessments the caller may see, newest first; POST makes a draft of a subject the caller may assess."""

    serializer_class = AssessmentOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = AssessmentFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RiskAssessment.objects.none()
        return selectors.assessment_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=AssessmentCreateInputSerializer, responses={201: AssessmentOutputSerializer})
    def post(self, request, *args, **kwargs):
        data = dict(validated(AssessmentCreateInputSerializer, request.data))
        info = subject_for(user=request.user, subject_type=data.pop("subject_type"), subject_id=data.pop("subject_id"))
        target = None
        target_id = data.pop("campaign_target", None)
        if target_id:
            target = CampaignTarget.objects.filter(pk=target_id, venue_id=info.pk).first()
            if target is None or info.subject_type != "venue":
                raise serializers.ValidationError(
                    {"campaign_target": [_("That campaign item is about another venue.")]}
                )
        assessment = services.assessment_create(subject=info, actor=request.user, data=data, campaign_target=target)
        return _assessment_response(request, assessment, code=status.HTTP_201_CREATED)


class AssessmentDetailApi(APIView):
    @extend_schema(parameters=[ID], responses=AssessmentOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        return Response(AssessmentOutputSerializer(selectors.assessment_get(user=request.user, pk=pk)).data)

    @extend_schema(parameters=[ID], request=AssessmentInputSerializer, responses=AssessmentOutputSerializer)
    def put(self, request, pk: int, **kwargs):
        assessment = selectors.assessment_get(user=request.user, pk=pk)
        data = validated(AssessmentInputSerializer, request.data)
        services.assessment_update(assessment=assessment, actor=request.user, data=data)
        return _assessment_response(request, assessment)


class AssessmentActionApi(ActionApi):
    """An action on an assessment the caller may see, answered with the assessment."""

    output_serializer = AssessmentOutputSerializer
    parameters = (ID,)

    def find(self, request, pk: int, **kwargs) -> RiskAssessment:
        return selectors.assessment_get(user=request.user, pk=pk)

    def output(self, request, assessment: RiskAssessment, result) -> RiskAssessment:
        return selectors.assessment_get(user=request.user, pk=assessment.pk)


class AssessmentSubmitApi(AssessmentActionApi):
    """Send the assessment for sign-off; the review duty goes to whoever signs it off."""

    def perform(self, request, assessment: RiskAssessment, data: dict):
        return services.assessment_submit(assessment=assessment, actor=request.user)


class AssessmentSignOffApi(AssessmentActionApi):
    """Sign the assessment off: it becomes the subject's current level when it is the latest, and the rules
    escalate an orange or red level."""

    input_serializer = RiskNoteInputSerializer

    def perform(self, request, assessment: RiskAssessment, data: dict):
        return services.assessment_sign_off(assessment=assessment, actor=request.user, note=data["note"])


class AssessmentReturnApi(AssessmentActionApi):
    """The reviewer sends the assessment back with the reason; the assessor revises and submits it again."""

    input_serializer = RiskReasonInputSerializer

    def perform(self, request, assessment: RiskAssessment, data: dict):
        return services.assessment_return(assessment=assessment, actor=request.user, reason=data["reason"])


class AssessmentWithdrawApi(AssessmentActionApi):
    """The assessor's side withdraws an assessment not yet signed off (``note``: why)."""

    input_serializer = RiskNoteInputSerializer

    def perform(self, request, assessment: RiskAssessment, data: dict):
        return services.assessment_withdraw(assessment=assessment, actor=request.user, reason=data["note"])


# --- register -------------------------------------------------------------------------------------------------


class RegisterListApi(generics.ListAPIView):
    """Subjects by current level (red first)."""

    serializer_class = RegisterOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = RegisterFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SubjectRiskLevel.objects.none()
        return selectors.register_list(user=self.request.user, filters=self.request.query_params)


class LevelHistoryApi(APIView):
    """A subject's level history, newest first (404 when the caller may not see the subject)."""

    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("subject_type", str, OpenApiParameter.PATH),
            OpenApiParameter("subject_id", int, OpenApiParameter.PATH),
        ],
        responses=LevelChangeOutputSerializer(many=True),
    )
    def get(self, request, subject_type: str, subject_id: int, **kwargs):
        info = subject_for(user=request.user, subject_type=subject_type, subject_id=subject_id)
        history = selectors.level_history(subject_type=subject_type, subject_id=info.pk)
        return Response(LevelChangeOutputSerializer(history, many=True).data)


# --- hazards --------------------------------------------------------------------------------------------------


def _hazard_response(request, hazard, *, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.hazard_detail(user=request.user, pk=hazard.pk)
    return Response(HazardDetailOutputSerializer(fresh).data, status=code)


class HazardListApi(generics.ListAPIView):
    """Hazards the caller may see (open by default, the nearest deadline first); POST reports one (multipart for
    photos). ``count`` counts up to 10,000 (``count_capped``: more than that); the pages go on past it."""

    serializer_class = HazardOutputSerializer
    parser_classes = MULTIPART
    pagination_class = CappedCountPagination
    filter_backends = [FilterSetBackend]
    filterset_class = HazardFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Hazard.objects.none()
        filters = HazardFilterSet.of(self.request.query_params)
        plan = selectors.hazard_count_plan(user=self.request.user, filters=filters)
        self.count_order, self.lower_bound = plan.order, plan.lower_bound  # for the capped count
        return selectors.hazard_list(user=self.request.user, filters=filters)

    @extend_schema(request=HazardInputSerializer, responses={201: HazardDetailOutputSerializer})
    def post(self, request, *args, **kwargs):
        attrs = dict(validated(HazardInputSerializer, request.data))
        info, jurisdiction, assessment = None, None, None
        if attrs.get("subject_type"):
            info = subject_for(user=request.user, subject_type=attrs["subject_type"], subject_id=attrs["subject_id"])
        else:
            jurisdiction = Jurisdiction.objects.filter(code=attrs["jurisdiction"].strip().upper()).first()
            if jurisdiction is None:
                raise serializers.ValidationError({"jurisdiction": [_("No grid or community has this code.")]})
        if attrs.get("assessment"):
            assessment = selectors.assessment_get(user=request.user, pk=attrs["assessment"])
        data = {
            key: attrs.get(key)
            for key in (
                "title",
                "description",
                "level",
                "source",
                "found_on",
                "location",
                "latitude",
                "longitude",
                "responsible_unit_name",
                "rectification_deadline",
            )
        }
        data["assessment"] = assessment
        hazard = services.hazard_report(
            actor=request.user,
            data=data,
            subject=info,
            jurisdiction=jurisdiction,
            photos=attrs["photos"],
            fixed_on_spot=attrs["fixed_on_spot"],
            fix_note=attrs["fix_note"],
            fix_photos=attrs["fix_photos"],
        )
        return _hazard_response(request, hazard, code=status.HTTP_201_CREATED)


class HazardDetailApi(APIView):
    @extend_schema(parameters=[ID], responses=HazardDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        return _hazard_response(request, selectors.hazard_get(user=request.user, pk=pk))


class HazardActionApi(ActionApi):
    """An action on a hazard the caller may see; by default it answers with the hazard's detail."""

    output_serializer = HazardDetailOutputSerializer
    parameters = (ID,)

    def find(self, request, pk: int, **kwargs) -> Hazard:
        return selectors.hazard_get(user=request.user, pk=pk)

    def output(self, request, hazard: Hazard, result):
        return selectors.hazard_detail(user=request.user, pk=hazard.pk)


class HazardPhotosApi(HazardActionApi):
    """Add photos of the hazard."""

    parser_classes = MULTIPART
    input_serializer = HazardPhotosInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_add_photos(hazard=hazard, actor=request.user, photos=data["photos"])


class HazardPlanApi(HazardActionApi):
    """Submit (or revise) the rectification plan of a major hazard."""

    input_serializer = RectificationPlanInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_submit_plan(hazard=hazard, actor=request.user, data=data)


class HazardCloseApi(HazardActionApi):
    """Close an ordinary hazard with a photo of the fix; a major hazard is refused (400): only a verification
    inspection that records it fixed closes it."""

    parser_classes = MULTIPART
    input_serializer = HazardFixInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_close(hazard=hazard, actor=request.user, note=data["note"], photos=data["photos"])


class HazardReportFixedApi(HazardActionApi):
    """A major hazard is reported rectified and awaits the verification inspection."""

    parser_classes = MULTIPART
    input_serializer = HazardFixInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_report_fixed(hazard=hazard, actor=request.user, note=data["note"], photos=data["photos"])


class HazardConfirmClosureApi(HazardActionApi):
    """The department that found an ordinary hazard confirms the unit's fix (the hazard is closed) or refuses it
    with the reason (it is open again)."""

    input_serializer = HazardConfirmClosureInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_confirm_closure(hazard=hazard, actor=request.user, **data)


class HazardVerifyApi(HazardActionApi):
    """Record the verification inspection of a rectified hazard: its date, outcome, findings and photos."""

    parser_classes = MULTIPART
    input_serializer = HazardVerifyInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_verify(hazard=hazard, actor=request.user, **data)


class HazardExtensionApi(HazardActionApi):
    """Ask for a later rectification deadline, with the reasons."""

    input_serializer = HazardExtensionInputSerializer
    output_serializer = HazardExtensionOutputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request, hazard: Hazard, data: dict) -> HazardExtension:
        return services.hazard_request_extension(hazard=hazard, actor=request.user, **data)

    def output(self, request, hazard: Hazard, extension: HazardExtension) -> HazardExtension:
        return extension


class HazardExtensionDecideApi(ActionApi):
    """Approve (the deadline moves) or refuse (with a note) an extension request."""

    input_serializer = HazardExtensionDecisionInputSerializer
    output_serializer = HazardExtensionOutputSerializer
    parameters = (ID, OpenApiParameter("extension_id", int, OpenApiParameter.PATH))

    def find(self, request, pk: int, extension_id: int, **kwargs) -> HazardExtension:
        hazard = selectors.hazard_get(user=request.user, pk=pk)
        return generics.get_object_or_404(HazardExtension, pk=extension_id, hazard=hazard)

    def perform(self, request, extension: HazardExtension, data: dict) -> HazardExtension:
        return services.hazard_decide_extension(extension=extension, actor=request.user, **data)


class HazardCancelApi(HazardActionApi):
    """Withdraw a hazard recorded in error (not a hazard, a duplicate), with the reason."""

    input_serializer = RiskReasonInputSerializer

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_cancel(hazard=hazard, actor=request.user, reason=data["reason"])


class HazardOrderApi(HazardActionApi):
    """Issue a rectification order (责令整改通知书) through the notices service."""

    input_serializer = RectificationOrderInputSerializer
    output_serializer = RectificationOrderOutputSerializer
    success_status = status.HTTP_201_CREATED

    def perform(self, request, hazard: Hazard, data: dict):
        return services.hazard_issue_order(
            hazard=hazard,
            actor=request.user,
            measures_required=data["measures_required"],
            legal_basis=data["legal_basis"] or DEFAULT_LEGAL_BASIS,
        )

    def output(self, request, hazard: Hazard, notice):
        return notice


# --- campaigns ----------------------------------------------------------------------------------------------


class CampaignListApi(generics.ListAPIView):
    serializer_class = CampaignOutputSerializer
    filter_backends = [FilterSetBackend]
    filterset_class = CampaignFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssessmentCampaign.objects.none()
        return selectors.campaign_list(user=self.request.user, filters=self.request.query_params)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignDetailOutputSerializer})
    def post(self, request, *args, **kwargs):
        attrs = validated(CampaignInputSerializer, request.data)
        territory = Jurisdiction.objects.filter(code=attrs["territory"].strip().upper()).first()
        if territory is None:
            raise serializers.ValidationError({"territory": [_("No territory has this code.")]})
        department: Department | None = None
        if attrs.get("assigned_department"):
            department = department_list(user=request.user).filter(pk=attrs["assigned_department"]).first()
            if department is None:
                raise serializers.ValidationError({"assigned_department": [_("Unknown department.")]})
        campaign = services.campaign_launch(
            actor=request.user,
            name=attrs["name"],
            territory=territory,
            purpose=attrs["purpose"],
            deadline=attrs["deadline"],
            venue_kinds=attrs["venue_kinds"],
            assignment=attrs["assignment"],
            assigned_department=department,
            description=attrs["description"],
        )
        campaign = selectors.campaign_get(user=request.user, pk=campaign.pk)
        return Response(CampaignDetailOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    @extend_schema(parameters=[ID], responses=CampaignDetailOutputSerializer)
    def get(self, request, pk: int, **kwargs):
        return Response(CampaignDetailOutputSerializer(selectors.campaign_get(user=request.user, pk=pk)).data)


class CampaignActionApi(ActionApi):
    """An action on a campaign the caller may see."""

    parameters = (ID,)

    def find(self, request, pk: int, **kwargs) -> AssessmentCampaign:
        return selectors.campaign_get(user=request.user, pk=pk)


class CampaignRelaunchApi(CampaignActionApi):
    """Launch again: venues that appeared since get their task; nothing is duplicated."""

    output_serializer = RelaunchOutputSerializer

    def perform(self, request, campaign: AssessmentCampaign, data: dict) -> int:
        return services.campaign_relaunch(campaign=campaign, actor=request.user)

    def output(self, request, campaign: AssessmentCampaign, added: int) -> dict:
        return {"added": added, "campaign": selectors.campaign_get(user=request.user, pk=campaign.pk)}


class CampaignCloseApi(CampaignActionApi):
    """Close the campaign: the items not assessed are cancelled with their tasks."""

    input_serializer = RiskNoteInputSerializer
    output_serializer = CampaignDetailOutputSerializer

    def perform(self, request, campaign: AssessmentCampaign, data: dict):
        return services.campaign_close(campaign=campaign, actor=request.user, reason=data["note"])

    def output(self, request, campaign: AssessmentCampaign, result) -> AssessmentCampaign:
        return selectors.campaign_get(user=request.user, pk=campaign.pk)
