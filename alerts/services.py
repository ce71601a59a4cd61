"""Every write of the alerts app: raising an alert, acknowledging it, passing an unacknowledged one up the chain,
and saving alert rules. See docs/contracts/alerts.md for the contract other apps call.

- ``alert_raise``: the one urgent-alert path. Who is alerted is data (``AlertRule`` and its parties); each person
  gets their own urgent message (in-app, email, SMS — quiet hours and digests do not apply) with a link of their
  own to acknowledge, and the alerted departments' group robots get one post each.
- ``alert_acknowledge`` / ``alert_acknowledge_by_link``: one tap, idempotent.
- ``alerts_escalate``: what the beat runs every minute — each person who has not acknowledged within
  ``ALERTS_ACK_MINUTES`` is sent it again and the next person up is alerted (head, then the territory's leader),
  once, every hop logged with its time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alerts.choices import AckChannel, AlertLevel, AlertParty, level_rank
from alerts.conf import ack_delay, max_hops, token_lifetime
from alerts.models import Alert, AlertRule, AlertTarget
from alerts.recipients import Recipient, Resolution, leaders_from, next_up, resolve
from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError, PermissionDeniedError
from crowdsafe.org.models import Department, Jurisdiction
from notifications.choices import MessageKind
from notifications.models import Notification
from notifications.services import notify


def _level_word(level: str) -> str:
    return _("Red") if level == AlertLevel.RED else _("Orange")


# Subjects whose model has no ``get_absolute_url``: their detail page by URL name.
DETAIL_URLS = {
    "events.gathering": "events:gathering_detail",
    "permits.permitapplication": "permits:application_detail",
    "venues.venue": "venues:venue_detail",
}


def _subject_url(subject: models.Model) -> str:
    getter = getattr(subject, "get_absolute_url", None)
    try:
        if getter is not None:
            return str(getter())
        name = DETAIL_URLS.get(subject._meta.label_lower)
        return reverse(name, args=[subject.pk]) if name else ""
    except Exception:  # a model whose URL needs more than itself: the alert page links nowhere
        return ""


def ack_path(target: AlertTarget) -> str:
    """The acknowledgment link of one person (relative; SMS and email make it absolute with SITE_URL)."""
    return reverse("alerts:ack", args=[target.token])


def _texts(alert: Alert, *, again: bool = False, instead_of: str = "") -> tuple[str, str]:
    """(title, body) of one person's message, in the site's language (a worker has no request language)."""
    with translation.override(settings.LANGUAGE_CODE, deactivate=False):
        title = _("%(level)s alert: %(subject)s") % {"level": _level_word(alert.level), "subject": alert.subject_label}
        if alert.exercise:
            title = _("[Exercise] %(title)s") % {"title": title}
        if again:
            title = _("Not acknowledged, sent again: %(title)s") % {"title": title}
        parts = [alert.reason, alert.rule.reason]
        if instead_of:
            parts.append(_("You are alerted because %(person)s did not acknowledge in time.") % {"person": instead_of})
        parts.append(_("Tap the link to acknowledge that you have received it."))
        body = " ".join(p.strip() for p in parts if p and p.strip())
        if settings.LANGUAGE_CODE.startswith("zh"):
            body = body.replace("。 ", "。")
    return title[:255], body


def _send(target: AlertTarget, *, again: bool = False) -> None:
    """The urgent message of one person, with their own acknowledgment link; remembered on the target."""
    instead_of = target.escalated_from.user.display_name if target.escalated_from is not None and not again else ""
    title, body = _texts(target.alert, again=again, instead_of=instead_of)
    message = notify(
        recipients=[target.user],
        subject=None,
        title=title,
        body=body,
        urgent=True,
        kind=MessageKind.ALERT,
        actor=None,
        url=ack_path(target),
        department=target.department,
    )
    if not again:
        target.message = message
        target.save(update_fields=["message"])


def _post_to_robots(alert: Alert, departments: Sequence[Department]) -> None:
    """One post per alerted department's group robots (the group sees it; each person acknowledges for
    themselves). A department without a robot is simply not posted to."""
    title, body = _texts(alert)
    for department in departments:
        try:
            notify(
                recipients=[department],
                title=title,
                body=body,
                urgent=True,
                kind=MessageKind.ALERT,
                url=reverse("alerts:detail", args=[alert.pk]),
                department=department,
                department_people=False,
            )
        except DomainError:  # no active robot: "nobody to send the message to"
            continue


def _target(
    alert: Alert, recipient: Recipient, *, now: dt.datetime, hop: int = 0, escalated_from: AlertTarget | None = None
) -> AlertTarget | None:
    """Record one person alerted (None when they already are: one row per person and alert)."""
    try:
        with transaction.atomic():
            return AlertTarget.objects.create(
                alert=alert,
                user=recipient.user,
                party=recipient.party,
                department=recipient.department,
                hop=hop,
                escalated_from=escalated_from,
                note=recipient.note[:255],
                token_expires_at=now + token_lifetime(),
                notified_at=now,
                ack_due_at=now + ack_delay(),
            )
    except IntegrityError:
        return None


def alert_raise(
    *,
    rule_key: str,
    subject: models.Model,
    level: str,
    jurisdiction: Jurisdiction,
    reason: str,
    actor: Any,
    exercise: bool = False,
    people: Sequence[Any] | None = None,
    now: dt.datetime | None = None,
) -> Alert | None:
    """Raise the alert of rule ``rule_key`` about ``subject`` (at ``jurisdiction``) at ``level``; returns it.

    Returns None when the rule does not alert at this level (a blue or yellow gathering, a level below every
    party's threshold) or is switched off — so a service may call this on every level change. The same level
    again returns the alert already raised without alerting anyone again; a higher level (orange → red) raises a
    new alert with the parties of that level. Call it inside the transaction of the change: the alert, its
    targets and messages commit with it, and the deliveries start after the commit.

    A party with nobody on record is never silently skipped: the territory's leader is alerted in its place,
    saying so, and the alert records which parties could not be reached.

    ``people`` (an exercise only): the exercise's participants, alerted instead of the rule's parties — at the
    levels the rule alerts at, acknowledged and re-sent like a real alert, marked as an exercise in every message,
    and never passed to anyone else (no robot post, no stand-in leader, no escalation up the chain)."""
    if people is not None and not exercise:
        raise ValueError("Only an exercise names its own recipients.")
    if level_rank(level) < level_rank(AlertLevel.ORANGE):
        return None
    rule = AlertRule.objects.filter(key=rule_key).prefetch_related("parties").first()
    if rule is None:
        raise DomainError(_("Unknown alert rule “%(key)s”.") % {"key": rule_key}, field="rule_key")
    if subject.pk is None:
        raise ValueError("Save the subject before raising an alert about it.")
    if not rule.is_active:
        return None
    parties = [p.party for p in rule.parties.all() if level_rank(p.min_level) <= level_rank(level)]
    if not parties:
        return None
    now = now or timezone.now()
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    level = AlertLevel(level).value
    with transaction.atomic():
        existing = Alert.objects.filter(
            rule=rule, subject_type=subject_type, subject_id=subject.pk, level=level, exercise=exercise
        ).first()
        if existing is not None:
            return existing
        alert = Alert(
            rule=rule,
            level=level,
            subject_type=subject_type,
            subject_id=subject.pk,
            subject_label=str(subject)[:255],
            subject_url=_subject_url(subject)[:500],
            jurisdiction=jurisdiction,
            jurisdiction_path=jurisdiction.path,
            reason=(reason or "").strip(),
            exercise=exercise,
            raised_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )
        alert.title = _texts(alert)[0]
        try:
            # The race: two changes raising the same level at once (a headcount and an override of one
            # gathering). The unique (rule, subject, level, exercise) makes the second INSERT wait for the first
            # transaction and fail once it commits; that call then returns the first one's alert — one alert,
            # nobody told twice.
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            return Alert.objects.get(
                rule=rule, subject_type=subject_type, subject_id=subject.pk, level=level, exercise=exercise
            )
        if people is not None:
            with translation.override(settings.LANGUAGE_CODE, deactivate=False):
                note = _("A participant of the exercise.")
            resolution = Resolution()
            recipients = [Recipient(user=person, party=AlertParty.EXERCISE, note=note) for person in people]
        else:
            resolution = resolve(parties=parties, subject=subject, jurisdiction=jurisdiction)
            recipients = list(resolution.recipients)
        if resolution.unreached:
            alert.unreached = resolution.unreached
            alert.save(update_fields=["unreached"])
            # Never silent: whoever could not be found, the territory's leader is told in their place.
            _where, leaders = leaders_from(jurisdiction)
            named = {r.user.pk for r in recipients}
            note = _("Alerted in place of: %(parties)s (nobody on record).") % {
                "parties": "、".join(resolution.unreached)
            }
            recipients += [
                Recipient(user=leader, party=AlertParty.ESCALATION, note=note)
                for leader in leaders
                if leader.pk not in named
            ]
        targets = [t for t in (_target(alert, r, now=now) for r in recipients) if t is not None]
        for target in targets:
            _send(target)
        departments = sorted({t.department for t in targets if t.department is not None}, key=lambda d: d.pk)
        if people is None:
            _post_to_robots(alert, departments)
        log_action(
            actor=actor,
            subject=alert,
            verb="alert_raised",
            to_state=level,
            reason=alert.reason,
            data={
                "rule": rule.key,
                "subject": f"{subject_type.app_label}.{subject_type.model}:{subject.pk}",
                "recipients": [{"user": t.user.display_name, "party": t.party, "at": now.isoformat()} for t in targets],
                "unreached": resolution.unreached,
                "exercise": exercise,
            },
        )
    return alert


# --- acknowledgment -------------------------------------------------------------------------------------------


def _acknowledge(target: AlertTarget, *, via: str, now: dt.datetime) -> AlertTarget:
    with transaction.atomic():
        # The race: two taps at once (the SMS link and the app). The row lock makes the second see the first's
        # acknowledgment and return it unchanged; the time recorded is the first tap's.
        row = AlertTarget.objects.select_for_update().select_related("alert", "user").get(pk=target.pk)
        if row.acknowledged_at is not None:
            return row
        row.acknowledged_at = now
        row.acknowledged_via = via
        row.save(update_fields=["acknowledged_at", "acknowledged_via"])
        if row.message_id:
            Notification.objects.filter(message_id=row.message_id, recipient=row.user, read_at__isnull=True).update(
                read_at=now
            )
        log_action(
            actor=row.user,
            subject=row.alert,
            verb="alert_acknowledged",
            to_state=via,
            data={
                "user": row.user.display_name,
                "hop": row.hop,
                "seconds": round(row.seconds_to_acknowledge or 0),
                "at": now.isoformat(),
            },
        )
    return row


def alert_acknowledge(*, target: AlertTarget, actor: Any, now: dt.datetime | None = None) -> AlertTarget:
    """The person alerted acknowledges in the app (one tap). Only they may; a second tap changes nothing."""
    if actor is None or getattr(actor, "pk", None) != target.user_id:
        raise PermissionDeniedError(_("Only the person alerted can acknowledge it."))
    return _acknowledge(target, via=AckChannel.APP, now=now or timezone.now())


def target_for_link(token: str) -> AlertTarget | None:
    """The person an acknowledgment link was made for (None for an unknown token)."""
    if not token or len(token) > 32:
        return None
    return AlertTarget.objects.select_related("alert", "alert__rule", "user").filter(token=token).first()


def alert_acknowledge_by_link(*, token: str, now: dt.datetime | None = None) -> AlertTarget:
    """Acknowledge from the link in the SMS, email or robot message, without signing in: the token stands for
    one person and one alert, and expires (``ALERTS_ACK_LINK_HOURS``)."""
    now = now or timezone.now()
    target = target_for_link(token)
    if target is None:
        raise DomainError(_("This link is not valid."), code="invalid_link")
    if target.acknowledged_at is None and not target.token_valid(now):
        raise DomainError(_("This link has expired: sign in to acknowledge the alert."), code="expired_link")
    return _acknowledge(target, via=AckChannel.LINK, now=now)


# --- escalation -----------------------------------------------------------------------------------------------


def _chain_acknowledged(target: AlertTarget) -> AlertTarget | None:
    """The person in ``target``'s chain (themselves, or whoever they stand in for) who has acknowledged."""
    current: AlertTarget | None = target
    while current is not None:
        if current.acknowledged_at is not None:
            return current
        current = current.escalated_from
    return None


def _escalate_one(target: AlertTarget, *, now: dt.datetime) -> int:
    """Send ``target``'s alert again and alert the next person up; mark it done. Returns how many were added."""
    target.escalated_at = now
    done_by = _chain_acknowledged(target)
    if done_by is not None:
        target.save(update_fields=["escalated_at"])
        return 0
    _send(target, again=True)
    added: list[AlertTarget] = []
    # An exercise's participant is sent it again but never passed up: the people above are not in the exercise.
    if target.hop < max_hops() and target.party != AlertParty.EXERCISE:
        exclude = set(AlertTarget.objects.filter(alert=target.alert).values_list("user_id", flat=True))
        people, department, _step = next_up(
            user=target.user, department=target.department, jurisdiction=target.alert.jurisdiction, exclude=exclude
        )
        with translation.override(settings.LANGUAGE_CODE, deactivate=False):
            note = _("Not acknowledged by %(person)s within %(minutes)d minutes.") % {
                "person": target.user.display_name,
                "minutes": int(ack_delay().total_seconds() // 60),
            }
        for person in people:
            new = _target(
                target.alert,
                Recipient(user=person, party=AlertParty.ESCALATION, department=department, note=note),
                now=now,
                hop=target.hop + 1,
                escalated_from=target,
            )
            if new is not None:
                _send(new)
                added.append(new)
    target.save(update_fields=["escalated_at"])
    log_action(
        actor=None,
        subject=target.alert,
        verb="alert_escalated",
        from_state=str(target.hop),
        to_state=str(target.hop + 1) if added else "",
        reason=_("Not acknowledged in time: sent again, and passed up.")
        if added
        else _("Not acknowledged in time: sent again; nobody further up on record."),
        data={
            "from": target.user.display_name,
            "notified_at": target.notified_at.isoformat(),
            "resent_at": now.isoformat(),
            "to": [t.user.display_name for t in added],
        },
    )
    return len(added)


def alerts_escalate(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Pass up every alert not acknowledged in time (the minute beat). Returns how many people were handled.

    Idempotent and safe to run anywhere any number of times at once: each target is claimed with SELECT … FOR
    UPDATE SKIP LOCKED and marked ``escalated_at`` in the same transaction, so it is passed up exactly once."""
    now = now or timezone.now()
    with transaction.atomic():
        # The race: two scans (two beats, or a scan and a slow previous one). SKIP LOCKED hands each the rows the
        # other has not locked; the ``escalated_at IS NULL`` condition, re-read under the lock, keeps a row passed
        # up by a scan that just committed from being passed up again.
        due = list(
            AlertTarget.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(acknowledged_at__isnull=True, escalated_at__isnull=True, ack_due_at__lte=now)
            .select_related("alert", "alert__rule", "alert__jurisdiction", "user", "department", "escalated_from")
            .order_by("ack_due_at", "id")[:limit]
        )
        for target in due:
            _escalate_one(target, now=now)
    return len(due)


# --- rules ----------------------------------------------------------------------------------------------------


def alert_rule_save(*, rule: AlertRule, actor: Any, changed: Sequence[str] = ()) -> AlertRule:
    """Validate and save an alert rule (from the admin), logging what changed."""
    try:
        rule.full_clean()
    except ValidationError as exc:
        field_name, messages = next(iter(exc.message_dict.items()))
        raise DomainError("; ".join(messages), field=None if field_name == "__all__" else field_name) from exc
    with transaction.atomic():
        created = rule.pk is None
        rule.save()
        log_action(
            actor=actor,
            subject=rule,
            verb="created" if created else "updated",
            to_state="active" if rule.is_active else "inactive",
            data={"changed": list(changed)} if changed else {},
        )
    return rule


def alert_rule_parties_logged(*, rule: AlertRule, actor: Any) -> None:
    """Log the parties of a rule after the admin saved its inline rows (who is alerted at which level)."""
    with transaction.atomic():
        log_action(
            actor=actor,
            subject=rule,
            verb="updated",
            to_state="active" if rule.is_active else "inactive",
            data={"parties": [f"{p.party}>={p.min_level}" for p in rule.parties.all()]},
        )
