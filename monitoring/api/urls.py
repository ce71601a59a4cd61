from django.urls import path

from monitoring.api import views

urlpatterns = [
    path("monitoring/readings/", views.ReadingsApi.as_view(), name="monitoring_readings"),
    path("monitoring/zones/", views.ZoneListApi.as_view(), name="monitoring_zone_list"),
    path("monitoring/zones/<int:pk>/", views.ZoneDetailApi.as_view(), name="monitoring_zone_detail"),
    path("monitoring/alerts/", views.AlertListApi.as_view(), name="monitoring_alert_list"),
]
