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

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
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
# The items in menu order (None: to sort again) and each URL name reversed, per URLconf and script prefix: the
# menu is built on every page (issue 19), the registry and the URLs change only at start-up (and in tests).
_SORTED: list[tuple[NavEntry, ...] | None] = [None]
_URLS: dict[tuple[str, str, str], str | None] = {}


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
    _SORTED[0] = None
    return entry


def unregister_nav_item(key: str) -> None:
    _ITEMS.pop(key, None)
    _SORTED[0] = None


def _sorted_entries() -> tuple[NavEntry, ...]:
    entries = _SORTED[0]
    if entries is None:
        entries = _SORTED[0] = tuple(sorted(_ITEMS.values(), key=lambda e: (e.order, e.key)))
    return entries


def _nav_url(url: str) -> str | None:
    """``url_or_none``, once per URLconf and script prefix."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url)
    if key not in _URLS:
        _URLS[key] = url_or_none(url)
    return _URLS[key]


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
    for entry in _sorted_entries():
        if entry.roles is not None and not (entry.roles & roles):
            continue
        if entry.visible is not None and not entry.visible(user, scope):
            continue
        url = _nav_url(entry.url)
        if url is None:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append(NavItem(key=entry.key, label=str(entry.label), url=url, active=active))
    return tuple(items)
