"""Pages of the response app, under /incidents/. The public pages (report a crowded place, the status of a ticket)
need no sign-in."""

from __future__ import annotations

from django.urls import path

from response import views

app_name = "response"

urlpatterns = [
    path("", views.incident_list, name="incidents"),
    path("open/", views.incident_open, name="incident-open"),
    path("<int:pk>/", views.incident_detail, name="incident"),
    path("<int:pk>/do/<slug:action>/", views.incident_action, name="incident-action"),
    path("<int:pk>/forces/<int:force_pk>/", views.force_advance, name="force-advance"),
    path("<int:pk>/measures/<int:measure_pk>/done/", views.measure_done, name="measure-done"),
    path("<int:pk>/accept/", views.escalation_accept, name="escalation-accept"),
    path("<int:pk>/photos/<int:photo_pk>/", views.log_photo, name="log-photo"),
    path("reports/", views.report_list, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/<slug:action>/", views.report_action, name="report-action"),
    # Public, no sign-in: the report page and the status by ticket number.
    path("public/report/", views.public_report, name="public-report"),
    path("public/status/", views.public_status, name="report-status"),
    path("public/status/<str:ticket>/", views.public_status, name="report"),
]
