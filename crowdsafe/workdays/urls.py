from django.urls import path

from crowdsafe.workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("deadline/", views.deadline_result, name="deadline"),
]
