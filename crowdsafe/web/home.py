"""The home page's panel registry: each app shows what needs its user's attention (docs/contracts/panels.md).

A panel is a template fragment and a function that builds its context. Apps register theirs in
``AppConfig.ready`` (the kernel's own panels are in ``crowdsafe/web/panels.py``)::

    from crowdsafe.web.home import register_panel

    register_panel(
        "my_tasks",
        roles={Role.STAFF, Role.HEAD},
        template="duties/panels/my_tasks.html",
        context_func=my_tasks_context,
        order=20,
    )

``order`` places the panel: below 10 for urgent notices (e.g. an administrator's missing holiday
schedule), 10-39 for work queues (tasks, reviews), 40-69 for overviews of one's territory or organisation,
70 and above for reference (one's roles, one's recent actions).

``context_func(home)`` receives a ``HomeContext`` (request, user, scope, today) and returns the template's
context as a dict, or ``None`` when the panel has nothing to say at all and should not appear (an empty
list is not "nothing to say": return it and let the template show its empty state). The template
extends ``web/panels/panel.html`` and fills its ``title`` and ``body`` blocks.

Superusers count as administrators (``Role.ADMIN``) here. A user whose memberships give no role sees no
panels, only the message to contact their administrator.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from crowdsafe.org.access import Scope, get_scope
from crowdsafe.org.choices import Role

ALL_ROLES: frozenset[str] = frozenset(Role.values)


@dataclass(frozen=True)
class HomeContext:
    """What a panel's context function may use. ``today`` is read once per page, in the city's time zone."""

    request: HttpRequest
    user: object
    scope: Scope
    roles: frozenset[str]
    today: datetime.date


@dataclass(frozen=True)
class Panel:
    key: str
    roles: frozenset[str]
    template: str
    context_func: Callable[[HomeContext], dict | None]
    order: int


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    html: SafeString


_PANELS: dict[str, Panel] = {}


def register_panel(
    key: str,
    *,
    roles: Iterable[str],
    template: str,
    context_func: Callable[[HomeContext], dict | None],
    order: int,
) -> Panel:
    """Show ``template`` on the home page of users holding one of ``roles`` (``ALL_ROLES`` for everyone
    with a membership), sorted by ``order`` (lower first). Registering a key again replaces the panel."""
    roles = frozenset(Role(role).value for role in roles)
    if not roles:
        raise ValueError(f"Panel {key!r} is shown to nobody: give at least one role.")
    panel = Panel(key=key, roles=roles, template=template, context_func=context_func, order=order)
    _PANELS[key] = panel
    return panel


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def effective_roles(user, scope: Scope) -> frozenset[str]:
    """The roles the home page is built for: the memberships' roles, plus ADMIN for a superuser."""
    roles = set(scope.roles)
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN.value)
    return frozenset(roles)


def build_home_context(request: HttpRequest) -> HomeContext:
    user = request.user
    scope = get_scope(user)
    return HomeContext(
        request=request,
        user=user,
        scope=scope,
        roles=effective_roles(user, scope),
        today=timezone.localdate(),
    )


def render_panels(home: HomeContext) -> list[RenderedPanel]:
    """The panels this user sees, in order, each rendered to HTML. Only the visible panels' queries run."""
    rendered = []
    for panel in registered_panels():
        if not (panel.roles & home.roles):
            continue
        context = panel.context_func(home)
        if context is None:
            continue
        context = {**context, "panel": panel, "home": home}
        rendered.append(RenderedPanel(key=panel.key, html=render_to_string(panel.template, context, home.request)))
    return rendered
