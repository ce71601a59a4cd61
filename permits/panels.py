"""Blocks other apps show on an application's page and in the reviewer workspace (docs/contracts/panels.md):

    from permits.panels import register_application_panel

    register_application_panel(
        "pre_event_drill",
        template="drills/panels/permit_drill.html",
        context_func=lambda request, application: {...} or None,   # None hides the block
        order=50,
    )

``context_func(request, application)`` runs only for a user who may see the application; it returns the
template's context, or None when there is nothing to show. Panels are rendered in ``order``, then by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class ApplicationPanel:
    key: str
    template: str
    context_func: Callable[[Any, Any], dict | None]
    order: int


_PANELS: dict[str, ApplicationPanel] = {}


def register_application_panel(
    key: str, *, template: str, context_func: Callable[[Any, Any], dict | None], order: int = 50
) -> ApplicationPanel:
    """Add (or replace) a panel."""
    panel = ApplicationPanel(key=key, template=template, context_func=context_func, order=order)
    _PANELS[key] = panel
    return panel


def unregister_application_panel(key: str) -> None:
    _PANELS.pop(key, None)


def registered_panels() -> list[ApplicationPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def render_application_panels(request, application) -> list[tuple[str, SafeString]]:
    """(key, html) of every panel that has something to show for ``application``."""
    rendered = []
    for panel in registered_panels():
        context = panel.context_func(request, application)
        if context is None:
            continue
        context = {"application": application, **context}
        rendered.append((panel.key, render_to_string(panel.template, context, request=request)))
    return rendered
