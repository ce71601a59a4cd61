from __future__ import annotations

from django.urls import path

from inspections.api import views

urlpatterns = [
    path("inspections/", views.InspectionListApi.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", views.InspectionDetailApi.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/answers/", views.InspectionAnswersApi.as_view(), name="inspection-answers"),
    path("inspections/<int:pk>/hazards/", views.InspectionHazardApi.as_view(), name="inspection-hazard"),
    path("inspections/<int:pk>/sign/", views.InspectionSignApi.as_view(), name="inspection-sign"),
]
