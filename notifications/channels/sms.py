"""SMS (短信) as a backend interface, chosen by ``settings.SMS_BACKEND``:

- ``ConsoleSmsBackend`` (the default) prints each message; ``FileSmsBackend`` appends it to ``SMS_FILE_PATH``.
  Both are for development: their messages are logged, never reported as delivered.
- ``HttpSmsBackend`` is the adapter for a real SMS gateway (the city's government SMS platform, 政务短信平台, or a
  carrier's), enabled by setting ``SMS_BACKEND=notifications.channels.sms.HttpSmsBackend`` and ``SMS_HTTP_URL``.
  It POSTs ``{"phone", "text", "sign"}`` as JSON with ``Authorization: Bearer SMS_HTTP_TOKEN`` and counts the
  message as delivered only when the gateway answers 2xx with ``{"code": 0}`` (or ``"OK"``), i.e. accepted it.
  A gateway with another protocol gets a subclass overriding ``request`` and ``accepted``.

Write a backend by subclassing ``SmsBackend`` and implementing ``send(phone, text) -> Outcome``; raise
``TransientError`` / ``PermanentError`` as for the other channels.
"""

from __future__ import annotations

import json
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from notifications.channels.base import Outcome, PermanentError, TransientError

MAX_TEXT = 500  # long messages are split by the carrier into several; keep reminders short


class SmsBackend:
    """The interface: send one text to one mobile number."""

    def send(self, phone: str, text: str) -> Outcome:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Prints the message (development). Never delivered."""

    def send(self, phone: str, text: str) -> Outcome:
        sys.stdout.write(f"[SMS to {phone}] {text}\n")
        sys.stdout.flush()
        return Outcome(delivered=False, response="console")


class FileSmsBackend(SmsBackend):
    """Appends each message as a line to ``SMS_FILE_PATH`` (development, demos). Never delivered."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> Outcome:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        with self._lock, path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return Outcome(delivered=False, response=f"file {path.name}")


class HttpSmsBackend(SmsBackend):
    """A real SMS gateway over HTTP(S) (see the module docstring)."""

    def request(self, phone: str, text: str) -> urllib.request.Request:
        body = json.dumps({"phone": phone, "text": text, "sign": settings.SMS_SIGN_NAME}, ensure_ascii=False)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if settings.SMS_HTTP_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_HTTP_TOKEN}"
        return urllib.request.Request(settings.SMS_HTTP_URL, data=body.encode("utf-8"), method="POST", headers=headers)

    def accepted(self, answer: dict) -> bool:
        return answer.get("code") in (0, "0", "OK", "ok")

    def send(self, phone: str, text: str) -> Outcome:
        if not settings.SMS_HTTP_URL:
            raise PermanentError(_("No SMS gateway is configured (SMS_HTTP_URL)."))
        try:
            with urllib.request.urlopen(
                self.request(phone, text), timeout=settings.SMS_HTTP_TIMEOUT_SECONDS
            ) as response:
                raw = response.read(65536).decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            answer = f"HTTP {exc.code}"
            error = _("The SMS gateway answered %(answer)s.") % {"answer": answer}
            if exc.code >= 500 or exc.code == 429:
                raise TransientError(error, response=answer) from exc
            raise PermanentError(error, response=answer) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientError(_("Could not reach the SMS gateway: %(reason)s") % {"reason": reason}) from exc
        try:
            answer = json.loads(raw)
        except ValueError:
            raise TransientError(_("The SMS gateway answered something unexpected."), response=raw[:500]) from None
        if isinstance(answer, dict) and self.accepted(answer):
            return Outcome(delivered=True, response=raw[:500])
        raise PermanentError(
            _("The SMS gateway refused the message: %(answer)s") % {"answer": raw[:200]}, response=raw[:500]
        )


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_text(*, title: str, urgent: bool, url: str = "") -> str:
    """The text of one SMS. An urgent message carries its link (an alert's acknowledgment link), kept whole: the
    title is shortened instead."""
    prefix = f"【{settings.SMS_SIGN_NAME}】" if settings.SMS_SIGN_NAME else ""
    link = ""
    if urgent and url:
        link = " " + (url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url)
    text = f"{prefix}{'[' + _('Urgent') + ']' if urgent else ''}{title}"
    return text[: max(0, MAX_TEXT - len(link))] + link
