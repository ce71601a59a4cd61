from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from crowdsafe.org.access import get_scope
from crowdsafe.org.choices import Role
from crowdsafe.web.home import effective_roles
from crowdsafe.web.nav import NavItem, nav_items


@dataclass(frozen=True)
class Shell:
    """The signed-in user as the page shell shows them: name, roles and navigation."""

    display_name: str
    role_labels: tuple[str, ...]
    is_superuser: bool
    has_role: bool
    nav: tuple[NavItem, ...]


def build_shell(request) -> Shell | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    scope = get_scope(user)
    roles = effective_roles(user, scope)
    return Shell(
        display_name=user.display_name,
        role_labels=tuple(str(Role(role).label) for role in Role.values if role in scope.roles),
        is_superuser=user.is_superuser,
        has_role=bool(roles),
        nav=nav_items(request=request, user=user, scope=scope, roles=roles),
    )


def shell(request):
    """What the page shell needs on every page: the site name and, lazily, the signed-in user's navigation
    (the admin site renders with this processor too and never reads it)."""
    return {
        "SITE_NAME": "CrowdSafe",
        "SITE_URL": settings.SITE_URL,
        "shell": SimpleLazyObject(lambda: build_shell(request)),
    }
