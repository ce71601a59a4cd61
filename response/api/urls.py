from __future__ import annotations

from django.urls import path

from response.api import views

urlpatterns = [
    path("response/tickets/", views.TicketPushApi.as_view(), name="response-ticket-push"),
    path("response/incidents/", views.IncidentListApi.as_view(), name="response-incident-list"),
    path("response/incidents/<int:pk>/", views.IncidentDetailApi.as_view(), name="response-incident-detail"),
    path("response/incidents/<int:pk>/level/", views.IncidentLevelApi.as_view(), name="response-incident-level"),
    path(
        "response/incidents/<int:pk>/activate/", views.IncidentActivateApi.as_view(), name="response-incident-activate"
    ),
    path("response/incidents/<int:pk>/forces/", views.IncidentForceRequestApi.as_view(), name="response-force-request"),
    path(
        "response/incidents/<int:pk>/forces/advance/",
        views.IncidentForceAdvanceApi.as_view(),
        name="response-force-advance",
    ),
    path(
        "response/incidents/<int:pk>/situation-reports/",
        views.IncidentSituationReportApi.as_view(),
        name="response-situation-report",
    ),
    path("response/incidents/<int:pk>/escalate/", views.IncidentEscalateApi.as_view(), name="response-escalate"),
    path("response/incidents/<int:pk>/accept/", views.IncidentAcceptApi.as_view(), name="response-accept"),
    path("response/incidents/<int:pk>/return/", views.IncidentReturnApi.as_view(), name="response-return"),
    path("response/incidents/<int:pk>/handover/", views.IncidentHandoverApi.as_view(), name="response-handover"),
    path("response/incidents/<int:pk>/close/", views.IncidentCloseApi.as_view(), name="response-close"),
    path("response/reports/", views.ReportListApi.as_view(), name="response-report-list"),
    path("response/reports/<int:pk>/reveal/", views.ReportRevealApi.as_view(), name="response-report-reveal"),
]
