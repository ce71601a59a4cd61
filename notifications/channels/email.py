"""Email through Django's email backend (SMTP in production), in Chinese, as plain text with an HTML alternative.

Delivered means the SMTP server accepted the message for its recipients. The console, file, in-memory and dummy
backends of development and tests only log it. SMTP answers 4xx (and a dropped connection) are transient; 5xx
(an unknown mailbox, a refused sender) are permanent."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from notifications.channels.base import Outcome, PermanentError, TransientError


def backend_is_real() -> bool:
    """Whether ``EMAIL_BACKEND`` hands mail to a real server (SMTP or a subclass), not to the console or memory.

    A setting naming no importable backend raises ImportError: it is a configuration error, not a "fake" backend
    (``get_connection`` has already imported the same path by the time ``send`` asks)."""
    return issubclass(import_string(settings.EMAIL_BACKEND), SmtpBackend)


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def build(*, to: str, title: str, body: str, url: str, urgent: bool, items=()) -> EmailMultiAlternatives:
    """The email, rendered in the site's language (Chinese) from templates/notifications/email/."""
    context = {
        "title": title,
        "body": body,
        "url": _absolute(url),
        "urgent": urgent,
        "items": items,
        "site_url": settings.SITE_URL,
    }
    with translation.override(settings.LANGUAGE_CODE):
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        subject = f"{settings.EMAIL_SUBJECT_PREFIX}{'【' + _('Urgent') + '】' if urgent else ''}{title}"
    message = EmailMultiAlternatives(subject=subject[:200], body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    if urgent:
        message.extra_headers["X-Priority"] = "1"
    return message


def send(message: EmailMultiAlternatives) -> Outcome:
    try:
        connection = get_connection(fail_silently=False)
        sent = connection.send_messages([message])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        answer = "; ".join(f"{code} {msg!r}" for code, msg in exc.recipients.values())[:500]
        if codes and all(400 <= code < 500 for code in codes):
            raise TransientError(_("The mail server deferred the recipient: %(answer)s") % {"answer": answer}) from exc
        raise PermanentError(_("The mail server refused the recipient: %(answer)s") % {"answer": answer}) from exc
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, authentication …
        answer = f"{exc.smtp_code} {exc.smtp_error!r}"[:500]
        if 400 <= exc.smtp_code < 500:
            raise TransientError(_("The mail server answered %(answer)s") % {"answer": answer}) from exc
        raise PermanentError(_("The mail server answered %(answer)s") % {"answer": answer}) from exc
    except (smtplib.SMTPException, TimeoutError, ConnectionError, OSError) as exc:
        raise TransientError(_("Could not reach the mail server: %(reason)s") % {"reason": exc}) from exc
    if not sent:
        raise TransientError(_("The mail backend sent nothing."))
    if backend_is_real():
        return Outcome(delivered=True, response=_("accepted by the mail server"))
    return Outcome(delivered=False, response=settings.EMAIL_BACKEND.rsplit(".", 2)[-2])
