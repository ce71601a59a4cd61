"""Helpers shared by the risk pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect

from crowdsafe.common.admin import add_domain_error as kernel_add_domain_error
from crowdsafe.errors import DomainError

PAGE_SIZE = 50


def add_domain_error(form, exc: DomainError, aliases: dict | None = None) -> None:
    """Put each of the service's messages next to its field (or on top of the form)."""
    kernel_add_domain_error(form, exc, aliases={k: (v,) for k, v in (aliases or {}).items()})


def run_action(request, call, *, success: str, back: str):
    """Call a service for a one-button action: a domain error becomes an error message. Redirects to ``back``."""
    try:
        call()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)
    return redirect(back)


def paginate(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
