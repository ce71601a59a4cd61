from django.urls import path

from events import import_views, views

app_name = "events"

urlpatterns = [
    path("", views.gathering_list, name="gathering_list"),
    path("new/", views.gathering_create, name="gathering_create"),
    path("attention/", views.attention_list, name="attention_list"),
    path("key-dates/", views.key_date_list, name="key_date_list"),
    path("export.xlsx", import_views.gathering_export, name="gathering_export"),
    *import_views.IMPORT_PAGES.urlpatterns(),
    path("<int:pk>/", views.gathering_detail, name="gathering_detail"),
    path("<int:pk>/edit/", views.gathering_edit, name="gathering_edit"),
    path("<int:pk>/verify/", views.gathering_verify, name="gathering_verify"),
    path("<int:pk>/confirm/", views.gathering_confirm, name="gathering_confirm"),
    path("<int:pk>/dismiss/", views.gathering_dismiss, name="gathering_dismiss"),
    path("<int:pk>/end/", views.gathering_end, name="gathering_end"),
    path("<int:pk>/decide/", views.gathering_decide, name="gathering_decide"),
    path("<int:pk>/merge/", views.gathering_merge, name="gathering_merge"),
    path("<int:pk>/risk/", views.gathering_risk, name="gathering_risk"),
    path("<int:pk>/measures/", views.measure_create, name="measure_create"),
    path("<int:pk>/measures/<int:measure_pk>/", views.measure_update, name="measure_update"),
    path("<int:pk>/headcounts/", views.headcount_create, name="headcount_create"),
    path("<int:pk>/photos/", views.photo_create, name="photo_create"),
    path("<int:pk>/photos/<int:photo_pk>/", views.gathering_photo, name="gathering_photo"),
]
