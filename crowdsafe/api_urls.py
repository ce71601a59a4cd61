"""Version 1 of the API, under /api/v1/. Each app contributes its own ``api/urls.py``."""

from django.urls import include, path

app_name = "v1"

urlpatterns = [
    path("", include("crowdsafe.accounts.api.urls")),
    path("", include("crowdsafe.org.api.urls")),
    path("calendar/", include("crowdsafe.workdays.api.urls")),
    path("", include("venues.api.urls")),
    path("", include("duties.api.urls")),
    path("", include("events.api.urls")),
    path("", include("permits.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("drills.api.urls")),
    path("", include("notices.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("alerts.api.urls")),
    path("", include("monitoring.api.urls")),
    path("", include("response.api.urls")),
    path("", include("dashboard.api.urls")),
    path("", include("inspections.api.urls")),
]
