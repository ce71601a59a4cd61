from django.urls import path

from permits.api import views

urlpatterns = [
    path("permits/applications/", views.ApplicationListApi.as_view(), name="permit-application-list"),
    path("permits/applications/<int:pk>/", views.ApplicationDetailApi.as_view(), name="permit-application-detail"),
    path("permits/applications/<int:pk>/sessions/", views.SessionAddApi.as_view(), name="permit-session-add"),
    path(
        "permits/applications/<int:pk>/sessions/<int:part_pk>/",
        views.SessionDeleteApi.as_view(),
        name="permit-session-delete",
    ),
    path("permits/applications/<int:pk>/undertakers/", views.UndertakerAddApi.as_view(), name="permit-undertaker-add"),
    path(
        "permits/applications/<int:pk>/undertakers/<int:part_pk>/",
        views.UndertakerDeleteApi.as_view(),
        name="permit-undertaker-delete",
    ),
    path("permits/applications/<int:pk>/tickets/", views.TicketsApi.as_view(), name="permit-tickets"),
    path("permits/applications/<int:pk>/materials/", views.MaterialAddApi.as_view(), name="permit-material-add"),
    path(
        "permits/applications/<int:pk>/materials/<int:part_pk>/",
        views.MaterialDeleteApi.as_view(),
        name="permit-material-delete",
    ),
    path("permits/applications/<int:pk>/plan/", views.PlanApi.as_view(), name="permit-plan"),
    path("permits/applications/<int:pk>/submit/", views.SubmitApi.as_view(), name="permit-submit"),
    path("permits/applications/<int:pk>/withdraw/", views.WithdrawApi.as_view(), name="permit-withdraw"),
    path("permits/applications/<int:pk>/cancel/", views.CancelApi.as_view(), name="permit-cancel"),
    path("permits/applications/<int:pk>/held/", views.HeldApi.as_view(), name="permit-held"),
    path("permits/applications/<int:pk>/close/", views.CloseApi.as_view(), name="permit-close"),
    path("permits/applications/<int:pk>/accept/", views.AcceptApi.as_view(), name="permit-accept"),
    path("permits/applications/<int:pk>/return/", views.ReturnApi.as_view(), name="permit-return"),
    path("permits/applications/<int:pk>/not-accept/", views.NotAcceptApi.as_view(), name="permit-not-accept"),
    path("permits/applications/<int:pk>/start-review/", views.StartReviewApi.as_view(), name="permit-start-review"),
    path(
        "permits/applications/<int:pk>/start-inspection/",
        views.StartInspectionApi.as_view(),
        name="permit-start-inspection",
    ),
    path("permits/applications/<int:pk>/decide/", views.DecideApi.as_view(), name="permit-decide"),
    path("permits/applications/<int:pk>/supervision/", views.SupervisionApi.as_view(), name="permit-supervision"),
    path("permits/applications/<int:pk>/comments/", views.CommentListApi.as_view(), name="permit-comments"),
    path("permits/applications/<int:pk>/changes/", views.ChangeRequestApi.as_view(), name="permit-change-request"),
    path("permits/changes/<int:pk>/decide/", views.ChangeDecideApi.as_view(), name="permit-change-decide"),
    path("permits/conditions/<int:pk>/report/", views.ConditionReportApi.as_view(), name="permit-condition-report"),
    path("permits/conditions/<int:pk>/check/", views.ConditionCheckApi.as_view(), name="permit-condition-check"),
    path("permits/materials/<int:pk>/download/", views.MaterialDownloadApi.as_view(), name="permit-material-download"),
    path("permits/inspections/", views.InspectionListApi.as_view(), name="permit-inspection-list"),
    path("permits/inspections/<int:pk>/record/", views.InspectionRecordApi.as_view(), name="permit-inspection-record"),
    path("permits/review-queue/", views.ReviewQueueApi.as_view(), name="permit-review-queue"),
]
