from django.urls import path

from drills import views

app_name = "drills"

urlpatterns = [
    path("", views.drill_calendar, name="calendar"),
    path("list/", views.drill_list, name="drill_list"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/withdraw/", views.plan_withdraw, name="plan_withdraw"),
    path("plans/<int:pk>/share/", views.plan_share, name="plan_share"),
    path("plans/<int:pk>/versions/new/", views.version_add, name="version_add"),
    path("plans/<int:pk>/versions/<int:number>/file/", views.version_download, name="version_download"),
    path("plans/<int:pk>/drills/new/", views.drill_schedule, name="drill_schedule"),
    path("plans/<int:pk>/record/", views.plan_record, name="plan_record"),
    path("<int:pk>/", views.drill_detail, name="drill_detail"),
    path("<int:pk>/edit/", views.drill_edit, name="drill_edit"),
    path("<int:pk>/record/", views.drill_record, name="drill_record"),
    path("<int:pk>/cancel/", views.drill_cancel, name="drill_cancel"),
    path("<int:pk>/notice/", views.drill_notice, name="drill_notice"),
    path("<int:pk>/items/new/", views.item_add, name="item_add"),
    path("<int:pk>/photos/<int:photo_pk>/", views.drill_photo, name="drill_photo"),
    path("items/", views.item_list, name="item_list"),
    path("items/<int:pk>/close/", views.item_close, name="item_close"),
    path("compliance/", views.compliance_view, name="compliance"),
    path("compliance.xlsx", views.compliance_export, name="compliance_export"),
    path("pre-event/", views.pre_event_gaps, name="pre_event_gaps"),
    path(
        "applications/<int:application_pk>/import-plan/",
        views.import_from_application,
        name="import_from_application",
    ),
]
