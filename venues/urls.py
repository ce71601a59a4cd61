from django.urls import path

from venues import views

app_name = "venues"

urlpatterns = [
    path("", views.venue_list, name="venue_list"),
    path("new/", views.venue_create, name="venue_create"),
    path("export.xlsx", views.venue_export, name="venue_export"),
    *views.IMPORT_PAGES.urlpatterns(),
    path("<int:pk>/", views.venue_detail, name="venue_detail"),
    path("<int:pk>/edit/", views.venue_edit, name="venue_edit"),
    path("<int:pk>/deactivate/", views.venue_deactivate, name="venue_deactivate"),
    path("<int:pk>/reactivate/", views.venue_reactivate, name="venue_reactivate"),
    path("<int:pk>/zones/new/", views.zone_form, name="zone_form"),
    path("<int:pk>/zones/<int:zone_pk>/", views.zone_form, name="zone_form"),
    path("<int:pk>/zones/<int:zone_pk>/delete/", views.zone_delete, name="zone_delete"),
    path("<int:pk>/exits/new/", views.exit_form, name="exit_form"),
    path("<int:pk>/exits/<int:exit_pk>/", views.exit_form, name="exit_form"),
    path("<int:pk>/exits/<int:exit_pk>/delete/", views.exit_delete, name="exit_delete"),
    path("<int:pk>/risk-points/new/", views.risk_point_form, name="risk_form"),
    path("<int:pk>/risk-points/<int:point_pk>/", views.risk_point_form, name="risk_form"),
    path("<int:pk>/risk-points/<int:point_pk>/delete/", views.risk_point_delete, name="risk_delete"),
    path("<int:pk>/risk-points/<int:point_pk>/photo/", views.risk_point_photo, name="risk_photo"),
    path("<int:pk>/structures/new/", views.structure_form, name="structure_form"),
    path("<int:pk>/structures/<int:structure_pk>/", views.structure_form, name="structure_form"),
    path("<int:pk>/structures/<int:structure_pk>/delete/", views.structure_delete, name="structure_delete"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("<int:pk>/documents/<int:document_pk>/remove/", views.document_remove, name="document_remove"),
    path("<int:pk>/equipment/new/", views.equipment_form, name="equipment_form"),
    path("<int:pk>/equipment/<int:equipment_pk>/", views.equipment_form, name="equipment_form"),
    path("<int:pk>/equipment/<int:equipment_pk>/delete/", views.equipment_delete, name="equipment_delete"),
]
