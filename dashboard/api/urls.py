from __future__ import annotations

from django.urls import path

from dashboard.api import views

urlpatterns = [
    path("dashboard/matrix/", views.MatrixApi.as_view(), name="dashboard-matrix"),
    path("dashboard/supervision/", views.SupervisionApi.as_view(), name="dashboard-supervision"),
    path("dashboard/risk-now/", views.RiskNowApi.as_view(), name="dashboard-risk-now"),
]
