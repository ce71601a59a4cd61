from django.urls import path

from risk import views

app_name = "risk"

urlpatterns = [
    path("", views.register, name="register"),
    path("map/", views.register_map, name="map"),
    path("export.xlsx", views.register_export, name="export"),
    path("subjects/<str:subject_type>/<int:subject_id>/", views.subject_risk, name="subject"),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/submit/", views.assessment_submit, name="assessment_submit"),
    path("assessments/<int:pk>/sign-off/", views.assessment_sign_off, name="assessment_sign_off"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/withdraw/", views.assessment_withdraw, name="assessment_withdraw"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/new/", views.hazard_create, name="hazard_create"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/plan/", views.hazard_plan, name="hazard_plan"),
    path("hazards/<int:pk>/fix/", views.hazard_fix, name="hazard_fix"),
    path("hazards/<int:pk>/close/", views.hazard_close, name="hazard_close"),
    path("hazards/<int:pk>/photos/", views.hazard_photos, name="hazard_photos"),
    path("hazards/<int:pk>/photos/<int:photo_pk>/", views.hazard_photo, name="hazard_photo"),
    path("hazards/<int:pk>/verify/", views.hazard_verify, name="hazard_verify"),
    path("hazards/<int:pk>/confirm-closure/", views.hazard_confirm_closure, name="hazard_confirm_closure"),
    path("hazards/<int:pk>/extension/", views.hazard_extension, name="hazard_extension"),
    path(
        "hazards/<int:pk>/extension/<int:extension_pk>/decide/",
        views.hazard_extension_decide,
        name="hazard_extension_decide",
    ),
    path("hazards/<int:pk>/cancel/", views.hazard_cancel, name="hazard_cancel"),
    path("hazards/<int:pk>/order/", views.hazard_order, name="hazard_order"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
    path("campaigns/<int:pk>/relaunch/", views.campaign_relaunch, name="campaign_relaunch"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
]
