from django.urls import path

from crowdsafe.org.api import views

urlpatterns = [
    path("jurisdictions/", views.JurisdictionListApi.as_view(), name="jurisdiction-list"),
    path("jurisdictions/<str:code>/", views.JurisdictionDetailApi.as_view(), name="jurisdiction-detail"),
    path("jurisdictions/<str:code>/tree/", views.JurisdictionTreeApi.as_view(), name="jurisdiction-tree"),
    path("departments/", views.DepartmentListApi.as_view(), name="department-list"),
    path("departments/<int:pk>/", views.DepartmentDetailApi.as_view(), name="department-detail"),
]
