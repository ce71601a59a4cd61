from __future__ import annotations

from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("reached/", views.reached, name="reached"),
    path("reached/department/<int:pk>/", views.reached_department, name="reached_department"),
    path("<int:pk>/", views.detail, name="detail"),
    path("targets/<int:pk>/ack/", views.acknowledge, name="acknowledge"),
    # The link in the SMS, email and robot messages: no sign-in needed (the token is one person's, and expires).
    path("a/<str:token>/", views.acknowledge_by_link, name="ack"),
]
