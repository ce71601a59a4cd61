"""The documents of the review, issued through the notices service (docs/contracts/notices.md) inside the
transaction of the step that makes them, so that a step and its document commit (and are numbered) together:

- acceptance notice (受理通知书), correction notice (补正通知书), non-acceptance notice (不予受理通知书);
- the permit decision (《大型群众性活动安全许可决定书》), with a copy to the next level of public security;
- the refusal (《不予安全许可决定书》), stating the right to administrative review or litigation.

The issuer is the licensing department; the recipient the applicant organisation. The notices app is imported at
module top: a step of the review is never recorded without its document. A broken notices app stops the platform
at start-up, and a document that cannot be issued (no active issuer, a missing context key) raises and rolls the
step back with it.
"""

from __future__ import annotations

from django.utils import timezone, translation

from notices.models import Notice
from notices.services import notice_issue
from permits.models import PermitApplication
from permits.selectors import next_level_police, refusal_venues


def _issue(
    kind: str, application: PermitApplication, *, actor, context: dict, copy_to: list[str] | None = None
) -> Notice:
    """Issue one document of the review; ``notice_issue`` refuses (DomainError) when the application has no
    active licensing department to issue it, so the caller's step rolls back rather than going on undocumented."""
    base = {
        "event_name": application.event_name,
        "organizer_name": application.organisation.name,
        "application_number": application.number or str(application.pk),
    }
    return notice_issue(
        kind=kind,
        issuer=application.licensing_department,
        subject=application,
        recipient=application.organisation.name,
        context={**base, **context},
        actor=actor,
        copy_to=copy_to,
    )


def _chinese(label) -> str:
    """An official document is in Chinese whatever the language of the request that issues it."""
    with translation.override("zh-hans"):
        return str(label())


def _submitted_on(application: PermitApplication):
    return timezone.localtime(application.submitted_at).date() if application.submitted_at else application.filed_on


def issue_acceptance(application: PermitApplication, *, actor) -> Notice:
    return _issue(
        "acceptance",
        application,
        actor=actor,
        context={
            "submitted_on": _submitted_on(application),
            "accepted_on": application.accepted_on,
            "statutory_decision_due": application.statutory_decision_due,
            "promised_decision_due": application.promised_decision_due,
        },
    )


def issue_correction(application: PermitApplication, *, actor) -> Notice:
    return _issue(
        "correction",
        application,
        actor=actor,
        context={
            "submitted_on": _submitted_on(application),
            "items": list(application.correction_items),
            "correction_due": application.correction_due,
        },
    )


def issue_non_acceptance(application: PermitApplication, *, actor) -> Notice:
    return _issue(
        "non_acceptance",
        application,
        actor=actor,
        context={"submitted_on": _submitted_on(application), "reasons": list(application.not_accepted_reasons)},
    )


def _sessions(application: PermitApplication) -> list[str]:
    return [
        f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M}至{timezone.localtime(s.ends_at):%H:%M}，"
        f"预计{s.expected_attendance}人"
        for s in application.sessions.order_by("starts_at", "id")
    ]


def issue_approval(application: PermitApplication, *, actor, conditions: list[str]) -> Notice:
    upper = next_level_police(application.licensing_department) if application.licensing_department else None
    plans = application.zone_plans.select_related("zone").order_by("zone__name", "id")
    return _issue(
        "permit_approval",
        application,
        actor=actor,
        copy_to=[upper.name] if upper else None,
        context={
            "event_kind": _chinese(application.get_event_kind_display),
            "venue_name": application.venue.name if application.venue else "",
            "sessions": _sessions(application),
            "approved_capacity": application.approved_capacity,
            "tickets_by_zone": [{"zone": p.zone.name, "tickets": p.approved_tickets or 0} for p in plans],
            # Every permit carries the approving department's pre-event inspection (Art. 10 (4)); the capacity and
            # ticket rules are printed by the document itself. The head's measures follow.
            "conditions": [
                "活动举办前落实安全工作方案和应急救援预案，接受许可机关的安全检查，发现安全隐患立即改正"
                "（《大型群众性活动安全管理条例》第十条）",
                *conditions,
            ],
            "accepted_on": application.accepted_on,
            "decided_on": timezone.localtime(application.decided_at).date(),
        },
    )


def issue_refusal(application: PermitApplication, *, actor) -> Notice:
    review_authority, court = refusal_venues(application.licensing_department)
    return _issue(
        "permit_refusal",
        application,
        actor=actor,
        context={
            "accepted_on": application.accepted_on,
            "decided_on": timezone.localtime(application.decided_at).date(),
            "reasons": list(application.refusal_reasons),
            "review_authority": review_authority,
            "court": court,
        },
    )
