"""The project's URLs with the board's pages under the ``monitoring`` namespace, for the board's tests while the
monitoring core's ``monitoring/urls.py`` does not include them yet (then this is the project's URLconf as is)."""

from __future__ import annotations

import importlib.util

from django.http import HttpResponse
from django.urls import include, path

from crowdsafe.urls import urlpatterns as project
from monitoring import urls_board

if any(getattr(p, "namespace", None) == "monitoring" for p in project):
    urlpatterns = list(project)
else:
    extra = []
    if importlib.util.find_spec("monitoring.urls") is None:
        extra = [path("alerts/<int:pk>/", lambda request, pk: HttpResponse(), name="alert_detail")]
    urlpatterns = [
        path("monitoring/", include((urls_board.urlpatterns + extra, "monitoring"), namespace="monitoring")),
        *project,
    ]
