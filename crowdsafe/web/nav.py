"""The main navigation: a registry, so that each app adds its own pages (as with the home panels).

    from crowdsafe.web.nav import register_nav_item

    register_nav_item("venues", label=_("Venues"), url="venues:venue_list", order=30, roles=GOVERNMENT_ROLES)

``url`` is a URL name (reversed when the menu is built) or a path. ``roles`` limits the item to users holding
one of those roles (superusers count as administrators); ``None`` shows it to every signed-in user.
``visible(user, scope)`` is an extra condition (e.g. site staff only). An item is shown as the current page
when the request's path starts with its URL (the home page only on itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from crowdsafe.org.access import Scope
from crowdsafe.org.choices import Role


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: Promise | str
    url: str
    order: int
    roles: frozenset[str] | None
    visible: Callable[[object, Scope], bool] | None


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    active: bool


_ITEMS: dict[str, NavEntry] = {}


def register_nav_item(
    key: str,
    *,
    label: Promise | str,
    url: str,
    order: int,
    roles: Iterable[str] | None = None,
    visible: Callable[[object, Scope], bool] | None = None,
) -> NavEntry:
    """Add (or replace) a navigation item. Kernel items use orders 0-20 and 80-100; apps fit in between."""
    entry = NavEntry(
        key=key,
        label=label,
        url=url,
        order=order,
        roles=None if roles is None else frozenset(Role(r).value for r in roles),
        visible=visible,
    )
    _ITEMS[key] = entry
    return entry


def unregister_nav_item(key: str) -> None:
    _ITEMS.pop(key, None)


def url_or_none(url: str) -> str | None:
    """A path as it is, a URL name reversed, or ``None`` when no such page is wired (so: no dead link)."""
    if url.startswith("/"):
        return url
    try:
        return reverse(url)
    except NoReverseMatch:
        return None


def nav_items(*, request, user, scope: Scope, roles: frozenset[str]) -> tuple[NavItem, ...]:
    items = []
    for entry in sorted(_ITEMS.values(), key=lambda e: (e.order, e.key)):
        if entry.roles is not None and not (entry.roles & roles):
            continue
        if entry.visible is not None and not entry.visible(user, scope):
            continue
        url = url_or_none(entry.url)
        if url is None:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append(NavItem(key=entry.key, label=str(entry.label), url=url, active=active))
    return tuple(items)
