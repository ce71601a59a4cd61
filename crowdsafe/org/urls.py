from django.urls import path

from crowdsafe.org import views

app_name = "org"

urlpatterns = [
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<str:code>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
]
