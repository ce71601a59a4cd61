"""The page shell's tags (templates/base.html), each rendering its part once per what it depends on
(``crowdsafe.common.rendered``): the shell used to cost a list page more CPU than its rows (issue 19).

- ``{% shell_header %}``: the header's account part (bell, name, roles, password and sign-out links, language
  switch, the phone menu with the navigation): once per language, roles, navigation; the name, the CSRF token and
  the path put in per request.
- ``{% shell_nav %}``: the desktop navigation: once per language and navigation (items and the current one).
- ``{% shell_once %}…{% endshell_once %}``: a part that depends on the language and the site's URLs only
  (``{% translate %}``, ``{% url %}`` without arguments, ``{% static %}``). It is rendered with no variables at
  all, so a variable put inside by mistake renders empty on every request, never one user's value for another.
"""

from __future__ import annotations

import dataclasses

from django import template
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject, empty
from django.utils.html import conditional_escape

from crowdsafe.common.rendered import HtmlCache, fill, placeholder, site_key
from notifications.conf import bell_poll_seconds

register = template.Library()

HEADERS = HtmlCache("shell header")
NAVS = HtmlCache("shell nav")
ONCE = HtmlCache("shell once")

CSRF, PATH, NAME = "csrf", "path", "name"


class _RequestStandIn:
    """What the header's template reads of the request (the language switch's ``next``): a placeholder."""

    def get_full_path(self) -> str:
        return placeholder(PATH)


def _shell_of(context):
    shell = context.get("shell")
    if isinstance(shell, SimpleLazyObject):
        if shell._wrapped is empty:
            shell._setup()
        shell = shell._wrapped
    return shell


def _strip_newline(html: str) -> str:
    return html[:-1] if html.endswith("\n") else html


def render_header(shell, request, csrf_token) -> str:
    """The header's account part as the template renders it, uncached (the reference of the tests)."""
    context = {"shell": shell, "request": request, "csrf_token": csrf_token}
    return _strip_newline(render_to_string("web/_shell_header.html", context))


@register.simple_tag(takes_context=True)
def shell_header(context) -> str:
    shell = _shell_of(context)
    request = context.get("request")
    token = context.get("csrf_token")
    token = "" if token is None else str(token)
    if not token or token == "NOTPROVIDED":
        return render_header(shell, request, token)  # no token to put in: rendered as it is (rare: error pages)
    stand_in = _RequestStandIn() if request else None
    masked = dataclasses.replace(shell, display_name=placeholder(NAME)) if shell else None
    key = (site_key(), masked, bool(request), bell_poll_seconds())
    html = HEADERS.get(key, lambda: render_header(masked, stand_in, placeholder(CSRF)))
    values = {CSRF: conditional_escape(token)}
    if request:
        values[PATH] = conditional_escape(request.get_full_path())
    if shell:
        values[NAME] = conditional_escape(shell.display_name)
    return fill(html, values)


def render_nav(shell) -> str:
    return _strip_newline(render_to_string("web/_shell_nav.html", {"shell": shell}))


@register.simple_tag(takes_context=True)
def shell_nav(context) -> str:
    shell = _shell_of(context)
    if not shell:
        return ""
    key = (site_key(), shell.nav)
    return NAVS.get(key, lambda: render_nav(shell))


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        def render() -> str:
            bare = template.Context(autoescape=context.autoescape)
            bare.template = context.template
            with bare.render_context.push():
                return self.nodelist.render(bare)

        return ONCE.get((self, site_key()), render)


@register.tag
def shell_once(parser, token) -> OnceNode:
    nodelist = parser.parse(("endshell_once",))
    parser.delete_first_token()
    return OnceNode(nodelist)
