"""``{% notification_bell %}``: the header's bell (base.html). It costs the page no query: the unread count is
loaded by htmx as soon as the page is shown, then polled every ``NOTIFICATIONS_BELL_POLL_SECONDS``."""

from __future__ import annotations

from django import template

from notifications.conf import bell_poll_seconds

register = template.Library()


@register.inclusion_tag("notifications/_bell.html")
def notification_bell():
    return {"unread": None, "poll": bell_poll_seconds()}
