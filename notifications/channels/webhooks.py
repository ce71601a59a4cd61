"""Group robots (群机器人) of WeCom (企业微信) and DingTalk (钉钉): an HTTPS POST of a JSON message to the robot's
webhook address.

- WeCom: ``POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`` with ``{"msgtype": "markdown",
  "markdown": {"content": …}}``; answer ``{"errcode": 0, "errmsg": "ok"}``. A robot takes at most 20 messages a
  minute (errcode 45009 beyond that).
- DingTalk: ``POST https://oapi.dingtalk.com/robot/send?access_token=…`` with ``{"msgtype": "markdown",
  "markdown": {"title": …, "text": …}}``; answer ``{"errcode": 0, "errmsg": "ok"}``. A robot with the signing
  security setting (加签) needs ``&timestamp=…&sign=…`` on the address: the timestamp in milliseconds, and the
  signature ``urlencode(base64(HmacSHA256(key=secret, message=timestamp + "\\n" + secret)))``; DingTalk refuses a
  timestamp more than an hour away from its clock (errcode 310000, as for a wrong signature or a missing keyword).

A delivery counts as delivered only when the robot's API answered errcode 0. Rate limits, "system busy", 5xx
answers, timeouts and refused connections are transient; any other errcode or 4xx is permanent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from notifications.channels.base import Outcome, PermanentError, TransientError
from notifications.choices import WebhookProvider
from notifications.conf import webhook_allowed_hosts, webhook_timeout

# "System busy" (both), WeCom's and DingTalk's rate limits: worth another try later.
TRANSIENT_ERRCODES = frozenset({-1, 45009, 130101, 410100})
MAX_CONTENT_BYTES = 4000  # WeCom's markdown limit is 4096 bytes


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature for the signing security setting (加签), already URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    """The DingTalk webhook address with ``timestamp`` and ``sign`` appended (unchanged without a secret)."""
    if not secret:
        return url
    timestamp_ms = round(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str | None:
    """Why ``url`` may not be used as a robot's address (None when it may): HTTPS to an allowed host
    (``NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS``); plain HTTP only to this machine (a local relay, the tests)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return _("This is not a web address.")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return _("Use an https:// address.")
    if host not in webhook_allowed_hosts():
        return _("Robots may only post to %(hosts)s.") % {"hosts": ", ".join(webhook_allowed_hosts()) or "—"}
    if parts.scheme == "http" and not _is_loopback(host):
        return _("Use an https:// address.")
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot's API answers directly; a redirect is refused rather than followed to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    handlers: list = [_NoRedirect()]
    if _is_loopback(host):
        handlers.append(urllib.request.ProxyHandler({}))  # never send a local address through a proxy
    return urllib.request.build_opener(*handlers)


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def _truncate(text: str, limit: int = MAX_CONTENT_BYTES) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def payload(*, provider: str, title: str, body: str, url: str, urgent: bool, keyword: str = "") -> dict:
    """The JSON body for the robot."""
    link = _absolute(url)
    prefix = f"{keyword} " if keyword else ""
    if provider == WebhookProvider.WECOM:
        colour = "warning" if urgent else "info"
        content = f'### {prefix}<font color="{colour}">{title}</font>\n> {body}'
        if link:
            content += f"\n[{_('Open')}]({link})"
        return {"msgtype": "markdown", "markdown": {"content": _truncate(content)}}
    text = f"#### {prefix}{title}\n\n{body}"
    if link:
        text += f"\n\n[{_('Open')}]({link})"
    message = {"msgtype": "markdown", "markdown": {"title": f"{prefix}{title}"[:64], "text": _truncate(text)}}
    if urgent:
        message["at"] = {"isAtAll": True}
    return message


def post(*, provider: str, url: str, secret: str, data: dict) -> Outcome:
    """POST ``data`` to the robot; an ``Outcome`` when it answered errcode 0, else ``TransientError`` or
    ``PermanentError`` with its answer."""
    problem = check_url(url)
    if problem:
        raise PermanentError(problem)
    if provider == WebhookProvider.DINGTALK:
        url = signed_url(url, secret)
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _opener(url).open(request, timeout=webhook_timeout()) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        answer = f"HTTP {exc.code}"
        if exc.code >= 500 or exc.code == 429:
            raise TransientError(
                _("The robot's server answered %(answer)s.") % {"answer": answer}, response=answer
            ) from exc
        raise PermanentError(
            _("The robot's server answered %(answer)s.") % {"answer": answer}, response=answer
        ) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TransientError(_("Could not reach the robot: %(reason)s") % {"reason": reason}) from exc
    answer = raw.decode("utf-8", errors="replace")[:500]
    try:
        parsed = json.loads(answer)
        errcode = int(parsed.get("errcode"))
    except (ValueError, TypeError, AttributeError):
        raise TransientError(
            _("The robot answered something unexpected (HTTP %(status)s).") % {"status": status}, response=answer
        ) from None
    if errcode == 0:
        return Outcome(delivered=True, response=answer)
    message = _("The robot refused the message: errcode %(code)s, %(msg)s") % {
        "code": errcode,
        "msg": parsed.get("errmsg", ""),
    }
    if errcode in TRANSIENT_ERRCODES:
        raise TransientError(message, response=answer)
    raise PermanentError(message, response=answer)
