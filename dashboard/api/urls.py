from __future__ import annotations

from django.urls import path

from dashboard.api import views

urlpatterns = [
    path("dashboard/matrix/", views.MatrixApi.as_view(), name="dashboard-matrix"),
    path("dashboard/risk-now/", views.RiskNowApi.as_view(), name="dashboard-risk-now"),
]
