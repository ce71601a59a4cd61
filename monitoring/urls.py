"""The monitoring pages under ``/monitoring/``: the board, zone and phone pages (``urls_board``) and the alerts."""

from django.urls import include, path

from monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/state/", views.alert_advance, name="alert_advance"),
    path("alerts/<int:pk>/tick/", views.alert_tick, name="alert_tick"),
    path("alerts/<int:pk>/incident/", views.alert_incident, name="alert_incident"),
    path("exercises/", include("monitoring.urls_exercise")),
    path("", include("monitoring.urls_board")),
]
