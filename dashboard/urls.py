"""Pages of the leaders' dashboard, under /dashboard/."""

from __future__ import annotations

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("risk/", views.risk, name="risk"),
    path("matrix.xlsx", views.matrix_export, name="matrix-export"),
]
