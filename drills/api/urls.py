from django.urls import path

from drills.api import views

urlpatterns = [
    path("emergency-plans/", views.PlanListApi.as_view(), name="plan-list"),
    path("emergency-plans/<int:pk>/", views.PlanDetailApi.as_view(), name="plan-detail"),
    path("emergency-plans/<int:pk>/versions/", views.PlanVersionApi.as_view(), name="plan-version-list"),
    path("emergency-plans/<int:pk>/record/", views.PlanRecordApi.as_view(), name="plan-record"),
    path("drills/", views.DrillListApi.as_view(), name="drill-list"),
    path("drills/compliance/", views.ComplianceApi.as_view(), name="drill-compliance"),
    path("drills/pre-event-gaps/", views.PreEventGapsApi.as_view(), name="drill-pre-event-gaps"),
    path("drills/<int:pk>/", views.DrillDetailApi.as_view(), name="drill-detail"),
    path("drills/<int:pk>/record/", views.DrillRecordApi.as_view(), name="drill-record"),
    path("drills/<int:pk>/cancel/", views.DrillCancelApi.as_view(), name="drill-cancel"),
    path("drills/<int:pk>/photos/", views.DrillPhotosApi.as_view(), name="drill-photos"),
    path("after-action-items/", views.ItemListApi.as_view(), name="after-action-item-list"),
    path("after-action-items/<int:pk>/close/", views.ItemCloseApi.as_view(), name="after-action-item-close"),
]
