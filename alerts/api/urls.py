from __future__ import annotations

from django.urls import path

from alerts.api import views

urlpatterns = [
    path("alerts/", views.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", views.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
]
