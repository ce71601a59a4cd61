"""``notify``: how other apps send a message — an alert, a notice — to people and departments (the contract:
docs/contracts/notify.md).

    from notifications.choices import MessageKind
    from notifications.services import notify

    notify(
        recipients=[gathering_department, leader_user],   # users and/or departments
        subject=gathering,                                # the record it is about (linked from the message)
        title="红色预警：人民广场人员聚集",
        body="预计人数已超过核定容量，请立即启动应急预案。",
        urgent=True,                                      # red-level alerts always go out (quiet hours, digest)
        kind=MessageKind.ALERT,
        actor=request.user,                               # or None for the system
    )

A department among the recipients means its staff and heads, and its group robots (every robot for an urgent
message or an escalation; robots set to "every message" for the rest). Each person gets an in-app notification,
and email / SMS deliveries by their settings (urgent: always, where an address is on record). Call it inside
your own transaction: the message commits with your change, and the deliveries start after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.org.choices import Role
from crowdsafe.org.models import Department, Membership
from notifications.choices import MessageKind
from notifications.models import Message
from notifications.services.dispatch import Outgoing, department_webhooks, fan_out, robot_posts

TITLE_MAX = 255
BODY_MAX = 5000


def _subject_url(subject) -> str:
    getter = getattr(subject, "get_absolute_url", None)
    if getter is None:
        return ""
    try:
        return getter()
    except Exception:  # a model whose URL needs more than itself: the message simply has no link
        return ""


def notify(
    *,
    recipients: Iterable,
    subject=None,
    title: str,
    body: str = "",
    urgent: bool = False,
    kind: str = MessageKind.NOTICE,
    actor=None,
    url: str | None = None,
    department: Department | None = None,
    department_people: bool = True,
) -> Message:
    """Send one message to ``recipients`` (users and departments); returns it.

    ``subject`` (any saved model instance, optional) is what the message is about: the message links to its
    ``get_absolute_url()`` unless ``url`` is given. ``department`` is the department it concerns (whose heads see
    it in the delivery log); by default the one department among the recipients, if there is exactly one.
    ``department_people=False`` sends to the departments' group robots only (the alerts app writes to each person
    separately, with a link of their own). Raises ``DomainError`` for an empty title, an unknown kind or no
    recipient."""
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A message needs a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("The title is too long (at most %(n)d characters).") % {"n": TITLE_MAX}, field="title")
    body = (body or "").strip()
    if len(body) > BODY_MAX:
        raise DomainError(_("The text is too long (at most %(n)d characters).") % {"n": BODY_MAX}, field="body")
    if kind not in MessageKind.values:
        raise DomainError(_("Unknown kind of message “%(kind)s”.") % {"kind": kind}, field="kind")
    user_model = get_user_model()
    users: dict[int, object] = {}
    departments: dict[int, Department] = {}
    for recipient in recipients:
        if isinstance(recipient, user_model):
            if recipient.is_active:
                users[recipient.pk] = recipient
        elif isinstance(recipient, Department):
            departments[recipient.pk] = recipient
        else:
            raise TypeError(f"notify() sends to users and departments, not {type(recipient).__name__}")
    if departments and department_people:
        for m in (
            Membership.objects.filter(
                department_id__in=sorted(departments), role__in=[Role.STAFF, Role.HEAD], user__is_active=True
            )
            .select_related("user")
            .order_by("user_id")
        ):
            users.setdefault(m.user_id, m.user)
    if department is None and len(departments) == 1:
        department = next(iter(departments.values()))
    message = Message(
        kind=kind,
        title=title,
        body=body,
        url=url if url is not None else (_subject_url(subject) if subject is not None else ""),
        urgent=urgent,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=subject.pk if subject is not None else None,
        subject_label=str(subject)[:255] if subject is not None else "",
        department=department,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    hooks = department_webhooks(departments)
    robots = [hook for pk in sorted(departments) for hook in hooks.get(pk, []) if robot_posts(hook, message)]
    if not users and not robots:
        raise DomainError(_("Nobody to send the message to."), field="recipients")
    with transaction.atomic():
        fan_out([Outgoing(message=message, users=list(users.values()), webhooks=robots)], now=timezone.now())
        log_action(
            actor=actor,
            subject=message,
            verb="sent",
            to_state="urgent" if urgent else "",
            data={"kind": kind, "recipients": len(users), "robots": len(robots)},
        )
    return message
