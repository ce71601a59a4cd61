from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from crowdsafe.common.pickers import jurisdiction_search
from crowdsafe.health import healthz
from crowdsafe.web.views import redoc_bundle

# ReDoc under the Content-Security-Policy (issue 18 point 6), its page only (tests/security/test_redoc_csp_browser.py):
# - it sets empty style attributes (style=""): allowed by the hash of the empty string, and no other inline style;
# - its bundle adds one <style> element (the menu's scrollbar CSS) while it loads, before it is given the nonce:
#   allowed by the hash of that text (drf-spectacular-sidecar's pinned ReDoc; a new version fails the browser test);
# - its sidebar's "API docs by Redocly" link shows the vendor's logo from its CDN, a URL fixed in the bundle: the
#   bundle is served without it (crowdsafe.web.views.redoc_bundle, SPECTACULAR_SETTINGS' REDOC_DIST).
EMPTY_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
REDOC_SCROLLBAR_STYLE = "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"
redoc = csp_update({"style-src": ["'unsafe-hashes'", EMPTY_STYLE, REDOC_SCROLLBAR_STYLE]})(
    SpectacularRedocView.as_view(url_name="api-schema")
)

# An uncaught exception: the usual 500, or a 503 with Retry-After while the database is unreachable.
handler500 = "crowdsafe.web.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    # The schema (SPECTACULAR_SETTINGS' SERVE_PERMISSIONS) and its pages need a sign-in; the pages send a visitor to
    # the sign-in form.
    path("api/docs/", login_required(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
    path("api/redoc/", login_required(redoc), name="api-redoc"),
    path("api/redoc-dist/bundles/redoc.standalone.js", redoc_bundle, name="api-redoc-bundle"),
    path("api/v1/", include("crowdsafe.api_urls", namespace="v1")),
    path("calendar/", include("crowdsafe.workdays.urls")),
    path("org/", include("crowdsafe.org.urls")),
    path("pickers/jurisdictions/", jurisdiction_search, name="jurisdiction_picker"),
    path("venues/", include("venues.urls")),
    path("tasks/", include("duties.urls")),
    path("gatherings/", include("events.urls")),
    path("permits/", include("permits.urls")),
    path("risk/", include("risk.urls")),
    path("drills/", include("drills.urls")),
    path("notices/", include("notices.urls")),
    # The public verification page of official documents, short for the QR codes printed on them.
    path("v/", include("notices.verify_urls")),
    path("notifications/", include("notifications.urls")),
    path("alerts/", include("alerts.urls")),
    path("incidents/", include("response.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("inspections/", include("inspections.urls")),
    path("", include("crowdsafe.web.urls")),
]
