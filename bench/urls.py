"""The site's URLs plus, for the benchmark only, the bare floor of an authenticated Django response
(``/bench/bare/``): a fixed small page through the same middleware (session, authentication, scope, CSP,
locale …), rendering a tiny template, with no query of its own. ``bench/run`` divides every page by its SQL
floor plus this one. Never part of the site: only ``bench.settings`` names this module."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from crowdsafe.urls import handler500  # noqa: F401  (the error handlers are looked up on the root URLconf)

_BARE = engines["django"].from_string(
    '<!doctype html><html lang="zh-hans"><head><title>bare</title></head><body><p>{{ user.pk }}</p></body></html>'
)


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_BARE.render({"user": request.user}, request))


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("crowdsafe.urls")),
]
