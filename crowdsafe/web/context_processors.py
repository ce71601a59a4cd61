from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.web.home import effective_roles
from crowdsafe.web.links import CALENDAR_PATH, calendar_url


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class Shell:
    """The signed-in user as the page shell shows them: name, roles and navigation."""

    display_name: str
    role_labels: tuple[str, ...]
    is_superuser: bool
    has_role: bool
    nav: tuple[NavItem, ...]


def _section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    url_name = match.url_name or ""
    if match.namespace == "org":
        return "departments" if url_name.startswith("department") else "jurisdictions"
    if request.path.startswith(CALENDAR_PATH):
        return "calendar"
    return "home" if url_name == "home" else ""


def build_shell(request) -> Shell | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    scope = get_scope(user)
    roles = effective_roles(user, scope)
    section = _section(request)
    items = [("home", _("Home"), reverse("home"))]
    if roles:
        items += [
            ("jurisdictions", _("Jurisdictions"), reverse("org:jurisdiction_list")),
            ("departments", _("Departments"), reverse("org:department_list")),
        ]
    if calendar_url():
        items.append(("calendar", _("Working-day calculator"), calendar_url()))
    # The API is for integrating government systems: shown to government staff and to site staff.
    if user.is_staff or scope.is_government:
        items.append(("api", _("API docs"), reverse("api-docs")))
    if user.is_staff:
        items.append(("admin", _("Administration"), reverse("admin:index")))
    return Shell(
        display_name=user.display_name,
        role_labels=tuple(str(Role(role).label) for role in Role.values if role in scope.roles),
        is_superuser=user.is_superuser,
        has_role=bool(roles),
        nav=tuple(NavItem(key=k, label=str(label), url=url, active=k == section) for k, label, url in items),
    )


def shell(request):
    """What the page shell needs on every page: the site name and, lazily, the signed-in user's navigation
    (the admin site renders with this processor too and never reads it)."""
    return {
        "SITE_NAME": "CrowdSafe",
        "SITE_URL": settings.SITE_URL,
        "shell": SimpleLazyObject(lambda: build_shell(request)),
    }
