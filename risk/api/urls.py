from django.urls import path

from risk.api import views

urlpatterns = [
    path("risk/bands/", views.BandListApi.as_view(), name="risk-band-list"),
    path("risk/register/", views.RegisterListApi.as_view(), name="risk-register"),
    path(
        "risk/register/<str:subject_type>/<int:subject_id>/history/",
        views.LevelHistoryApi.as_view(),
        name="risk-level-history",
    ),
    path("risk/assessments/", views.AssessmentListApi.as_view(), name="risk-assessment-list"),
    path("risk/assessments/<int:pk>/", views.AssessmentDetailApi.as_view(), name="risk-assessment-detail"),
    path("risk/assessments/<int:pk>/submit/", views.AssessmentSubmitApi.as_view(), name="risk-assessment-submit"),
    path("risk/assessments/<int:pk>/sign-off/", views.AssessmentSignOffApi.as_view(), name="risk-assessment-sign-off"),
    path("risk/assessments/<int:pk>/return/", views.AssessmentReturnApi.as_view(), name="risk-assessment-return"),
    path("risk/assessments/<int:pk>/withdraw/", views.AssessmentWithdrawApi.as_view(), name="risk-assessment-withdraw"),
    path("risk/hazards/", views.HazardListApi.as_view(), name="risk-hazard-list"),
    path("risk/hazards/<int:pk>/", views.HazardDetailApi.as_view(), name="risk-hazard-detail"),
    path("risk/hazards/<int:pk>/photos/", views.HazardPhotosApi.as_view(), name="risk-hazard-photos"),
    path("risk/hazards/<int:pk>/plan/", views.HazardPlanApi.as_view(), name="risk-hazard-plan"),
    path("risk/hazards/<int:pk>/close/", views.HazardCloseApi.as_view(), name="risk-hazard-close"),
    path("risk/hazards/<int:pk>/report-fixed/", views.HazardReportFixedApi.as_view(), name="risk-hazard-report-fixed"),
    path("risk/hazards/<int:pk>/verify/", views.HazardVerifyApi.as_view(), name="risk-hazard-verify"),
    path(
        "risk/hazards/<int:pk>/confirm-closure/",
        views.HazardConfirmClosureApi.as_view(),
        name="risk-hazard-confirm-closure",
    ),
    path("risk/hazards/<int:pk>/extensions/", views.HazardExtensionApi.as_view(), name="risk-hazard-extension"),
    path(
        "risk/hazards/<int:pk>/extensions/<int:extension_id>/decide/",
        views.HazardExtensionDecideApi.as_view(),
        name="risk-hazard-extension-decide",
    ),
    path("risk/hazards/<int:pk>/cancel/", views.HazardCancelApi.as_view(), name="risk-hazard-cancel"),
    path("risk/hazards/<int:pk>/order/", views.HazardOrderApi.as_view(), name="risk-hazard-order"),
    path("risk/campaigns/", views.CampaignListApi.as_view(), name="risk-campaign-list"),
    path("risk/campaigns/<int:pk>/", views.CampaignDetailApi.as_view(), name="risk-campaign-detail"),
    path("risk/campaigns/<int:pk>/relaunch/", views.CampaignRelaunchApi.as_view(), name="risk-campaign-relaunch"),
    path("risk/campaigns/<int:pk>/close/", views.CampaignCloseApi.as_view(), name="risk-campaign-close"),
]
