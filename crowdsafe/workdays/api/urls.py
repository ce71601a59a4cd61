from django.urls import path

from crowdsafe.workdays.api import views

urlpatterns = [
    path("days/", views.CalendarDaysApi.as_view(), name="calendar-days"),
    path("deadline/", views.DeadlineApi.as_view(), name="calendar-deadline"),
]
