from django.urls import path

from monitoring.api import views

urlpatterns = [
    path("monitoring/readings/", views.ReadingsApi.as_view(), name="monitoring_readings"),
    path("monitoring/zones/", views.ZoneListApi.as_view(), name="monitoring_zone_list"),
    path("monitoring/zones/<int:pk>/", views.ZoneDetailApi.as_view(), name="monitoring_zone_detail"),
    path("monitoring/zones/<int:pk>/counts/", views.ZoneCountApi.as_view(), name="monitoring_zone_count"),
    path("monitoring/sources/", views.SourceListApi.as_view(), name="monitoring_source_list"),
    path("monitoring/sources/<int:pk>/", views.SourceDetailApi.as_view(), name="monitoring_source_detail"),
    path("monitoring/sources/<int:pk>/revoke/", views.SourceRevokeApi.as_view(), name="monitoring_source_revoke"),
    path("monitoring/alerts/", views.AlertListApi.as_view(), name="monitoring_alert_list"),
    path("monitoring/alerts/<int:pk>/", views.AlertDetailApi.as_view(), name="monitoring_alert_detail"),
    path("monitoring/alerts/<int:pk>/advance/", views.AlertAdvanceApi.as_view(), name="monitoring_alert_advance"),
]
