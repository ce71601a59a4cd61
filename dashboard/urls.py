"""Pages of the leaders' dashboard, under /dashboard/."""

from __future__ import annotations

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("risk/", views.risk, name="risk"),
    path("briefing/", views.briefing, name="briefing"),
    path("supervision/", views.supervision_detail, name="supervision"),
    path("matrix.xlsx", views.matrix_export, name="matrix-export"),
    path("screen/", views.screen, name="screen"),
    path("screen/data/", views.screen_data, name="screen-data"),
    path("screen/<str:token>/", views.screen_by_token, name="screen-token"),
    path("screen/<str:token>/data/", views.screen_data_by_token, name="screen-token-data"),
    path("screen/<str:token>/boundaries/", views.screen_boundaries_by_token, name="screen-token-boundaries"),
]
