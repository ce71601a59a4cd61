"""Risk assessments: make and edit a draft, submit it, sign it off or return it, withdraw it.

Signing off is where the consequences happen, in one transaction:
- the subject's current level (``SubjectRiskLevel``) becomes this assessment's level when it is the latest one
  (by assessment date), with an entry in the level history (``RiskLevelChange``) and on the subject's timeline;
- the responsibility rules are evaluated for the assessment ("risk_assessment", state signed off): an orange or
  red level puts the escalation duties on the territorial township, public security, the supervising department
  and the organizer (rules seeded by ``risk/migrations/0002``, editable by the administrator);
- for a gathering, ``events.services.gathering_set_risk_level(source="assessment")`` sets the gathering's own
  level (the events ↔ risk contract), which re-evaluates the gathering's duties;
- for a venue, its level becoming orange or red raises the urgent alert (``alerts.services.alert_raise``, rule
  "venue.risk_level");
- the pending campaign items of the venue are done and their tasks settled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import alert_raise
from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from crowdsafe.org.access import actor_scope
from crowdsafe.workdays.selectors import day_type
from duties.services import tasks_evaluate, tasks_settle
from permits.selectors import previous_review_weight
from risk import access, rules
from risk.choices import (
    AssessedSubject,
    AssessmentState,
    AssessorKind,
    HazardLevel,
    TargetStatus,
    level_rank,
)
from risk.models import CampaignTarget, Hazard, RiskAssessment, RiskLevelChange, SubjectRiskLevel
from risk.scoring import (
    CONTROL_KEYS,
    FACTOR_KEYS,
    FACTORS_BY_KEY,
    MAX_FACTOR,
    MAX_RATING,
    MIN_FACTOR,
    MIN_RATING,
    attendance_score,
    features_score,
    history_score,
    scale_score,
    suggest,
    time_score,
)
from risk.services.bands import level_of, load_bands
from risk.services.common import clean_text, deny, refuse
from risk.subjects import SubjectInfo, subject_load

# Rule keys (risk/migrations/0002): the review of a submitted assessment, and the campaign tasks.
REVIEW_KEYS = (rules.ASSESSMENT_REVIEW,)
CAMPAIGN_KEYS = (rules.CAMPAIGN_TERRITORIAL, rules.CAMPAIGN_DEPARTMENT)
MAX_ATTENDANCE = 10_000_000


# --- what the platform knows about the subject ---------------------------------------------------------------


@dataclass
class FactorHint:
    score: int | None
    reason: str


# Other apps' records that weigh on a factor of a subject (issue 21: the failed items of the latest inspection),
# registered in their ``AppConfig.ready`` so that this app imports none of them: ``source(info)`` returns
# {factor key: FactorHint}; the higher score wins and the reasons are joined.
FACTOR_SOURCES: dict[str, Callable[[SubjectInfo], Mapping[str, FactorHint]]] = {}


def register_factor_source(key: str, source: Callable[[SubjectInfo], Mapping[str, FactorHint]]) -> None:
    FACTOR_SOURCES[key] = source


def _merge_hint(old: FactorHint | None, new: FactorHint) -> FactorHint:
    if old is None or old.score is None:
        return new
    score = old.score if new.score is None else max(old.score, new.score)
    return FactorHint(score, f"{old.reason} {new.reason}")


@dataclass
class SubjectFacts:
    """Facts read from the platform's data for the suggestions: safe capacity, features, open hazards."""

    safe_capacity: int | None = None
    feature_kinds: list[str] = field(default_factory=list)
    open_ordinary: int = 0
    open_major: int = 0


def _venue_capacity(venue) -> int | None:
    from venues.capacity import load_parameters, venue_capacity_from_models
    from venues.models import Venue
    from venues.selectors import CAPACITY_PREFETCH

    venue = Venue.objects.prefetch_related(*CAPACITY_PREFETCH).get(pk=venue.pk)
    computed = venue_capacity_from_models(venue, load_parameters()).venue.safe_capacity
    figures = [f for f in (computed, venue.declared_capacity) if f]
    return min(figures) if figures else None


def subject_facts(info: SubjectInfo) -> SubjectFacts:
    facts = SubjectFacts()
    venue = info.venue
    if venue is None:
        return facts
    facts.safe_capacity = _venue_capacity(venue)
    kinds = set(venue.risk_points.values_list("kind", flat=True))
    kinds |= set(
        venue.zones.filter(kind__in=["stairs_ramp", "bridge", "narrow_passage"]).values_list("kind", flat=True)
    )
    facts.feature_kinds = sorted(kinds)
    open_hazards = Hazard.objects.filter(venue=venue, state__in=["open", "rectifying", "awaiting_verification"])
    facts.open_major = open_hazards.filter(level=HazardLevel.MAJOR).count()
    facts.open_ordinary = open_hazards.filter(level=HazardLevel.ORDINARY).count()
    return facts


def factor_hints(
    info: SubjectInfo,
    *,
    expected_attendance: int | None,
    assessed_for: dt.datetime | None,
    facts: SubjectFacts | None = None,
) -> dict[str, FactorHint]:
    """The platform's suggested factor scores with the reason for each (None: no data, the assessor decides)."""
    from risk.scoring import CONTROLS_BY_KEY  # noqa: F401 - keeps the labels importable for the form

    facts = facts or subject_facts(info)
    expected = expected_attendance if expected_attendance is not None else info.expected_attendance
    hints: dict[str, FactorHint] = {}
    score = attendance_score(expected, facts.safe_capacity)
    if score is None:
        reason = _("Give the expected attendance; the venue's safe capacity is %(capacity)s.") % {
            "capacity": facts.safe_capacity if facts.safe_capacity else _("not known")
        }
    else:
        reason = _("%(expected)d expected against a safe capacity of %(capacity)d (%(percent)d %%).") % {
            "expected": expected,
            "capacity": facts.safe_capacity,
            "percent": round(100 * expected / facts.safe_capacity),
        }
    hints["attendance"] = FactorHint(score, reason)
    score = scale_score(expected)
    hints["scale"] = FactorHint(
        score,
        _("%(expected)d people expected.") % {"expected": expected} if score is not None else _("Not known."),
    )
    if info.venue is not None:
        from venues.choices import RiskPointKind, ZoneKind

        names = {**dict(RiskPointKind.choices), **dict(ZoneKind.choices)}
        listed = ", ".join(str(names.get(k, k)) for k in facts.feature_kinds) or _("none recorded")
        hints["venue_features"] = FactorHint(
            features_score(facts.feature_kinds), _("Risk points and zones of the venue: %(list)s.") % {"list": listed}
        )
        hints["history"] = FactorHint(
            history_score(facts.open_ordinary, facts.open_major),
            _("Open hazards at the venue: %(major)d major, %(ordinary)d ordinary.")
            % {"major": facts.open_major, "ordinary": facts.open_ordinary},
        )
    _previous_review_hint(info, hints)
    moment = assessed_for or info.starts_at
    if moment is not None:
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        kind = day_type(local.date())
        hints["time"] = FactorHint(
            time_score(local, kind),
            _("%(date)s is a %(kind)s; the crowd is expected at %(time)s.")
            % {"date": local.strftime("%Y-%m-%d"), "kind": kind.label, "time": local.strftime("%H:%M")},
        )
    for source in FACTOR_SOURCES.values():
        for key, hint in source(info).items():
            hints[key] = _merge_hint(hints.get(key), hint)
    return hints


def _previous_review_hint(info: SubjectInfo, hints: dict[str, FactorHint]) -> None:
    """Issue 21: the licensing department's review of the organizer's previous event weighs on the next
    application — a failed one puts a floor of 2 under the history factor, one with problems a floor of 1
    (``permits.selectors.REVIEW_HISTORY_FLOOR``), with the reason."""
    if info.subject_type != AssessedSubject.PERMIT_APPLICATION:
        return
    floor, review = previous_review_weight(info.obj)
    if review is None:
        return
    reason = _("The review of the organizer's previous event “%(event)s”: %(outcome)s.") % {
        "event": review.application.event_name,
        "outcome": review.get_outcome_display(),
    }
    current = hints.get("history")
    if current is None:
        hints["history"] = FactorHint(floor, reason)
        return
    score = current.score if current.score is not None else 0
    hints["history"] = FactorHint(max(score, floor), f"{current.reason} {reason}")


# --- input ------------------------------------------------------------------------------------------------------


def _rating(value, *, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Give a whole number from 1 to 5."), field=field_name) from exc
    if not MIN_RATING <= number <= MAX_RATING:
        raise DomainError(_("Give a whole number from 1 to 5."), field=field_name)
    return number


def _factors(raw: Mapping[str, Any] | None, hints: Mapping[str, FactorHint]) -> dict[str, int]:
    raw = dict(raw or {})
    unknown = sorted(set(raw) - set(FACTOR_KEYS))
    if unknown:
        raise DomainError(_("Unknown factor: %(names)s.") % {"names": ", ".join(unknown)}, field="factors")
    scores: dict[str, int] = {}
    for key in FACTOR_KEYS:
        value = raw.get(key)
        if value in (None, ""):
            hint = hints.get(key)
            value = hint.score if hint is not None and hint.score is not None else 0
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise DomainError(
                _("Score “%(factor)s” from 0 to 3.") % {"factor": FACTORS_BY_KEY[key].label}, field="factors"
            ) from exc
        if not MIN_FACTOR <= number <= MAX_FACTOR:
            raise DomainError(
                _("Score “%(factor)s” from 0 to 3.") % {"factor": FACTORS_BY_KEY[key].label}, field="factors"
            )
        scores[key] = number
    return scores


def _controls(raw) -> list[str]:
    items = list(raw or [])
    unknown = sorted({str(c) for c in items} - set(CONTROL_KEYS))
    if unknown:
        raise DomainError(_("Unknown control measure: %(names)s.") % {"names": ", ".join(unknown)}, field="controls")
    return [key for key in CONTROL_KEYS if key in items]


def _attendance(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Give the number of people."), field="expected_attendance") from exc
    if not 1 <= number <= MAX_ATTENDANCE:
        raise DomainError(_("Give the number of people."), field="expected_attendance")
    return number


def _apply(assessment: RiskAssessment, info: SubjectInfo, data: Mapping[str, Any]) -> None:
    """Validate ``data`` and set every scored field of ``assessment`` (not saved)."""
    assessment.scenario = clean_text(data.get("scenario"), field="scenario", max_length=255)
    assessment.findings = clean_text(data.get("findings"), field="findings")
    assessment.controls_other = clean_text(data.get("controls_other"), field="controls_other")
    assessed_on = data.get("assessed_on") or timezone.localdate()
    if not isinstance(assessed_on, dt.date) or isinstance(assessed_on, dt.datetime):
        raise DomainError(_("Give a date."), field="assessed_on")
    if assessed_on > timezone.localdate():
        raise DomainError(_("The assessment date cannot be in the future."), field="assessed_on")
    assessment.assessed_on = assessed_on
    assessed_for = data.get("assessed_for")
    if assessed_for is not None and not isinstance(assessed_for, dt.datetime):
        raise DomainError(_("Give a date and time."), field="assessed_for")
    if assessed_for is not None and timezone.is_naive(assessed_for):
        assessed_for = timezone.make_aware(assessed_for)
    assessment.assessed_for = assessed_for
    expected = _attendance(data.get("expected_attendance"))
    if expected is None:
        expected = info.expected_attendance
    assessment.expected_attendance = expected
    facts = subject_facts(info)
    assessment.safe_capacity = facts.safe_capacity
    hints = factor_hints(info, expected_attendance=expected, assessed_for=assessed_for, facts=facts)
    assessment.factors = _factors(data.get("factors"), hints)
    assessment.controls = _controls(data.get("controls"))
    suggestion = suggest(assessment.factors, assessment.controls)
    assessment.suggested_likelihood = suggestion.likelihood
    assessment.suggested_severity = suggestion.severity
    assessment.suggested_residual_likelihood = suggestion.residual_likelihood
    assessment.suggested_residual_severity = suggestion.residual_severity
    chosen = {
        "likelihood": _rating(data.get("likelihood"), field_name="likelihood") or suggestion.likelihood,
        "severity": _rating(data.get("severity"), field_name="severity") or suggestion.severity,
        "residual_likelihood": _rating(data.get("residual_likelihood"), field_name="residual_likelihood")
        or suggestion.residual_likelihood,
        "residual_severity": _rating(data.get("residual_severity"), field_name="residual_severity")
        or suggestion.residual_severity,
    }
    if chosen["residual_likelihood"] > chosen["likelihood"]:
        raise DomainError(
            _("Controls cannot make the likelihood higher than before them."), field="residual_likelihood"
        )
    if chosen["residual_severity"] > chosen["severity"]:
        raise DomainError(_("Controls cannot make the severity higher than before them."), field="residual_severity")
    for name, value in chosen.items():
        setattr(assessment, name, value)
    assessment.judgement = clean_text(data.get("judgement"), field="judgement")
    if assessment.ratings_differ and not assessment.judgement:
        raise DomainError(
            _("Your ratings differ from the suggested ones: say why in the judgement."), field="judgement"
        )
    bands = load_bands()
    assessment.inherent_score = assessment.likelihood * assessment.severity
    assessment.inherent_level = level_of(assessment.inherent_score, bands)
    assessment.score = assessment.residual_likelihood * assessment.residual_severity
    assessment.level = level_of(assessment.score, bands)


SCORED_FIELDS = [
    "scenario",
    "findings",
    "controls_other",
    "assessed_on",
    "assessed_for",
    "expected_attendance",
    "safe_capacity",
    "factors",
    "controls",
    "suggested_likelihood",
    "suggested_severity",
    "suggested_residual_likelihood",
    "suggested_residual_severity",
    "likelihood",
    "severity",
    "residual_likelihood",
    "residual_severity",
    "judgement",
    "inherent_score",
    "inherent_level",
    "score",
    "level",
]


def _snapshot(assessment: RiskAssessment) -> dict:
    return {
        "score": assessment.score,
        "level": assessment.level,
        "likelihood": assessment.likelihood,
        "severity": assessment.severity,
        "residual_likelihood": assessment.residual_likelihood,
        "residual_severity": assessment.residual_severity,
    }


# --- create / update ----------------------------------------------------------------------------------------


def assessment_create(
    *, subject: SubjectInfo, actor, data: Mapping[str, Any], campaign_target: CampaignTarget | None = None
) -> RiskAssessment:
    """A draft assessment of ``subject`` (read through ``risk.subjects``) by ``actor``: an official one when
    they govern the subject's territory (or license it), the organizer's or operator's own otherwise."""
    role = access.assessor_role(actor_scope(actor), subject)
    if role is None:
        deny(_("You may not assess this."))
    kind, department = role
    if actor is None:
        raise DomainError(_("An assessment needs an assessor."), field="assessor")
    if campaign_target is not None and (
        subject.subject_type != AssessedSubject.VENUE or campaign_target.venue_id != subject.pk
    ):
        raise DomainError(_("That campaign item is about another venue."), field="campaign_target")
    assessment = RiskAssessment(
        subject_type=subject.subject_type,
        subject_id=subject.pk,
        subject_label=subject.label[:255],
        venue=subject.venue,
        jurisdiction=subject.jurisdiction,
        jurisdiction_path=subject.jurisdiction_path,
        organisation=subject.organisation,
        assessor_kind=kind,
        assessor=actor,
        assessor_department=department,
        campaign_target=campaign_target,
    )
    _apply(assessment, subject, data)
    with transaction.atomic():
        assessment.save()
        log_action(
            actor=actor, subject=assessment, verb="created", to_state=assessment.state, data=_snapshot(assessment)
        )
    return assessment


def _locked(assessment: RiskAssessment) -> RiskAssessment:
    return (
        RiskAssessment.objects.select_for_update(of=("self",))
        .select_related("jurisdiction", "venue")
        .get(pk=assessment.pk)
    )


def assessment_update(*, assessment: RiskAssessment, actor, data: Mapping[str, Any]) -> RiskAssessment:
    """Change a draft (or a returned assessment): every scored field is recomputed."""
    info = subject_load(assessment.subject_type, assessment.subject_id)
    with transaction.atomic():
        # The lock: an edit racing a submission either lands before it or is refused after it.
        assessment = _locked(assessment)
        if not access.can_edit_assessment(actor_scope(actor), assessment):
            deny(_("Only the assessor's side may change this assessment."))
        if not assessment.can_edit():
            refuse(_("Only a draft or a returned assessment can be changed."))
        before = _snapshot(assessment)
        _apply(assessment, info, data)
        assessment.save(update_fields=[*SCORED_FIELDS, "updated_at"])
        log_action(
            actor=actor, subject=assessment, verb="updated", data={"before": before, "after": _snapshot(assessment)}
        )
    return assessment


# --- transitions ----------------------------------------------------------------------------------------------


def _review_department(assessment: RiskAssessment, info: SubjectInfo):
    """Who signs off: for a permit the licensing department; for an official assessment by a department that
    department (its head); otherwise nobody in particular (the township, leaders and admins of the territory)."""
    if assessment.subject_type == AssessedSubject.PERMIT_APPLICATION and info.licensing_department is not None:
        return info.licensing_department
    if assessment.assessor_kind == AssessorKind.OFFICIAL:
        return assessment.assessor_department
    return None


def assessment_submit(*, assessment: RiskAssessment, actor) -> RiskAssessment:
    """Send the assessment for sign-off; the review duty goes to whoever signs it off."""
    info = subject_load(assessment.subject_type, assessment.subject_id)
    with transaction.atomic():
        assessment = _locked(assessment)
        if not access.can_edit_assessment(actor_scope(actor), assessment):
            deny(_("Only the assessor's side may submit this assessment."))
        if not assessment.can_submit():
            refuse(_("Only a draft or a returned assessment can be submitted."))
        previous = assessment.state
        assessment.state = AssessmentState.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.review_department = _review_department(assessment, info)
        assessment.save(update_fields=["state", "submitted_at", "review_department", "updated_at"])
        log_action(actor=actor, subject=assessment, verb="submitted", from_state=previous, to_state=assessment.state)
        tasks_evaluate(subject=assessment, event="state_changed", actor=actor)
    return assessment


def assessment_return(*, assessment: RiskAssessment, actor, reason: str) -> RiskAssessment:
    """The reviewer sends the assessment back with reasons (e.g. the department's review finds the organizer's
    assessment too low); the assessor revises and submits it again."""
    reason = clean_text(reason, field="reason", required=True, message=_("Say why the assessment is returned."))
    with transaction.atomic():
        assessment = _locked(assessment)
        if not access.can_review(actor_scope(actor), assessment):
            deny(_("You may not review this assessment."))
        if not assessment.can_return():
            refuse(_("Only an assessment awaiting sign-off can be returned."))
        previous = assessment.state
        assessment.state = AssessmentState.RETURNED
        assessment.reviewer = actor
        assessment.reviewed_at = timezone.now()
        assessment.review_note = reason
        assessment.save(update_fields=["state", "reviewer", "reviewed_at", "review_note", "updated_at"])
        log_action(
            actor=actor,
            subject=assessment,
            verb="returned",
            from_state=previous,
            to_state=assessment.state,
            reason=reason,
        )
    return assessment


def assessment_withdraw(*, assessment: RiskAssessment, actor, reason: str = "") -> RiskAssessment:
    reason = clean_text(reason, field="reason")
    with transaction.atomic():
        assessment = _locked(assessment)
        if not access.can_edit_assessment(actor_scope(actor), assessment):
            deny(_("Only the assessor's side may withdraw this assessment."))
        if not assessment.can_withdraw():
            refuse(_("A signed-off assessment cannot be withdrawn; make a new one."))
        previous = assessment.state
        assessment.state = AssessmentState.WITHDRAWN
        assessment.save(update_fields=["state", "updated_at"])
        log_action(
            actor=actor,
            subject=assessment,
            verb="withdrawn",
            from_state=previous,
            to_state=assessment.state,
            reason=reason,
        )
        tasks_settle(
            subject=assessment,
            keys=REVIEW_KEYS,
            actor=actor,
            outcome="cancelled",
            note=_("The assessment was withdrawn."),
        )
    return assessment


def _current_row(assessment: RiskAssessment, info: SubjectInfo) -> tuple[SubjectRiskLevel, bool]:
    """The subject's current-level row, locked, and whether it was made just now (from this assessment).

    The race: two assessments of one subject signed off at once. Both lock this row, so the second sees the
    first's level and date; when there is no row yet, the unique constraint makes the second INSERT wait for the
    first and then fail, and the existing row is read and locked instead."""
    rows = SubjectRiskLevel.objects.select_for_update()
    row = rows.filter(subject_type=assessment.subject_type, subject_id=assessment.subject_id).first()
    if row is not None:
        return row, False
    try:
        with transaction.atomic():
            row = SubjectRiskLevel.objects.create(
                subject_type=assessment.subject_type,
                subject_id=assessment.subject_id,
                subject_label=assessment.subject_label,
                venue=assessment.venue,
                jurisdiction=assessment.jurisdiction,
                jurisdiction_path=assessment.jurisdiction_path,
                organisation=assessment.organisation,
                level=assessment.level,
                score=assessment.score,
                assessment=assessment,
                assessed_on=assessment.assessed_on,
                since=timezone.now(),
                latitude=info.latitude,
                longitude=info.longitude,
            )
            return row, True
    except IntegrityError:
        return rows.get(subject_type=assessment.subject_type, subject_id=assessment.subject_id), False


def _reasons(assessment: RiskAssessment) -> list[str]:
    """Why the level is what it is, for the gathering's record: the score and the factors scored highest."""
    lines = [
        _("Risk assessment signed off: likelihood %(l)d × severity %(s)d = %(score)d after controls.")
        % {"l": assessment.residual_likelihood, "s": assessment.residual_severity, "score": assessment.score}
    ]
    for key in FACTOR_KEYS:
        value = assessment.factors.get(key, 0)
        if value >= 2:
            factor = FACTORS_BY_KEY[key]
            lines.append(f"{factor.label}: {factor.scale[value]}")
    return lines


def _set_current_level(assessment: RiskAssessment, info: SubjectInfo, actor) -> RiskLevelChange | None:
    """Make ``assessment`` the subject's current level unless a later assessment (by date) already is."""
    row, created = _current_row(assessment, info)
    previous_level = "" if created else row.level
    assessment.previous_level = previous_level
    if not created:
        if row.assessed_on > assessment.assessed_on:
            return None  # an assessment of a later date stays current
        row.level = assessment.level
        row.score = assessment.score
        row.assessment = assessment
        row.assessed_on = assessment.assessed_on
        row.subject_label = assessment.subject_label
        row.since = timezone.now()
        row.latitude, row.longitude = info.latitude, info.longitude
        row.save(
            update_fields=[
                "level",
                "score",
                "assessment",
                "assessed_on",
                "subject_label",
                "since",
                "latitude",
                "longitude",
                "updated_at",
            ]
        )
    return RiskLevelChange.objects.create(
        subject_type=assessment.subject_type,
        subject_id=assessment.subject_id,
        subject_label=assessment.subject_label,
        jurisdiction_path=assessment.jurisdiction_path,
        from_level=previous_level,
        to_level=assessment.level,
        score=assessment.score,
        assessment=assessment,
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _log_on_subject(assessment: RiskAssessment, info: SubjectInfo, change: RiskLevelChange, actor) -> None:
    """Venues and permit applications show their level changes on their own timeline (the audit log is the
    kernel's); a gathering's is written by the events service."""
    if assessment.subject_type == AssessedSubject.GATHERING:
        return
    log_action(
        actor=actor,
        subject=info.obj,
        verb="risk_level_set",
        from_state=change.from_level,
        to_state=change.to_level,
        reason=_("Risk assessment of %(date)s signed off (score %(score)d).")
        % {"date": assessment.assessed_on.isoformat(), "score": assessment.score},
        data={"assessment": assessment.pk},
    )


def _set_gathering_level(assessment: RiskAssessment, info: SubjectInfo, actor) -> None:
    from events.services import gathering_set_risk_level

    if getattr(info.obj, "is_terminal", False):
        return  # a closed gathering keeps its record; the register still shows the assessed level
    gathering_set_risk_level(
        gathering=info.obj,
        level=assessment.level,
        reasons=_reasons(assessment),
        source="assessment",
        actor=actor,
        assessment_id=assessment.pk,
    )


def _alert_venue_level(assessment: RiskAssessment, info: SubjectInfo, actor) -> None:
    """A venue whose current level becomes orange or red: the one urgent-alert path decides who is told (rule
    "venue.risk_level": the township, the police on-duty desk and the operator, at red the territory's leader and
    emergency management). Inside the sign-off's transaction, so the alert commits with the level; the same level
    again alerts nobody twice, a lower one nobody at all."""
    alert_raise(
        rule_key="venue.risk_level",
        subject=info.obj,
        level=assessment.level,
        jurisdiction=assessment.jurisdiction,
        reason=_reasons(assessment)[0],
        actor=actor,
    )


def _settle_campaign_targets(assessment: RiskAssessment, actor) -> list[CampaignTarget]:
    """Pending items of open campaigns about this venue, launched on or before the assessment's date, are done."""
    if assessment.venue_id is None or assessment.subject_type != AssessedSubject.VENUE:
        return []
    targets = list(
        CampaignTarget.objects.select_for_update(of=("self",))
        .select_related("campaign", "venue")
        .filter(venue_id=assessment.venue_id, status=TargetStatus.PENDING, campaign__state="open")
        .order_by("pk")
    )
    done = []
    now = timezone.now()
    for target in targets:
        linked = assessment.campaign_target_id == target.pk
        if not linked and assessment.assessed_on < timezone.localdate(target.campaign.launched_at):
            continue
        target.status = TargetStatus.DONE
        target.assessment = assessment
        target.completed_at = now
        target.save(update_fields=["status", "assessment", "completed_at"])
        tasks_settle(
            subject=target,
            keys=CAMPAIGN_KEYS,
            actor=actor,
            note=_("Risk assessment of %(date)s signed off: %(level)s.")
            % {"date": assessment.assessed_on.isoformat(), "level": assessment.get_level_display()},
            completed_on=assessment.assessed_on,
        )
        done.append(target)
    return done


def assessment_sign_off(*, assessment: RiskAssessment, actor, note: str = "") -> RiskAssessment:
    """The reviewer signs the assessment off (签批): it becomes the subject's current level when it is the latest,
    and its consequences follow (see the module docstring)."""
    note = clean_text(note, field="note")
    info = subject_load(assessment.subject_type, assessment.subject_id)
    with transaction.atomic():
        # The lock: two reviewers pressing "sign off" at once (or sign off against return): the second waits,
        # then finds the assessment signed off and is refused by the guard.
        assessment = _locked(assessment)
        if not access.can_review(actor_scope(actor), assessment):
            deny(_("You may not sign off this assessment (an assessor never signs off their own)."))
        if not assessment.can_sign_off():
            refuse(_("Only an assessment awaiting sign-off can be signed off."))
        previous = assessment.state
        now = timezone.now()
        assessment.state = AssessmentState.SIGNED_OFF
        assessment.reviewer = actor
        assessment.reviewed_at = now
        assessment.signed_off_at = now
        assessment.review_note = note
        change = _set_current_level(assessment, info, actor)
        assessment.save(
            update_fields=[
                "state",
                "reviewer",
                "reviewed_at",
                "signed_off_at",
                "review_note",
                "previous_level",
                "updated_at",
            ]
        )
        log_action(
            actor=actor,
            subject=assessment,
            verb="signed_off",
            from_state=previous,
            to_state=assessment.state,
            reason=note,
            data={"level": assessment.level, "score": assessment.score, "current": change is not None},
        )
        tasks_settle(subject=assessment, keys=REVIEW_KEYS, actor=actor, note=_("Signed off."))
        tasks_evaluate(subject=assessment, event="state_changed", actor=actor)
        if change is not None:
            _log_on_subject(assessment, info, change, actor)
            if assessment.subject_type == AssessedSubject.GATHERING:
                _set_gathering_level(assessment, info, actor)
            elif assessment.subject_type == AssessedSubject.VENUE:
                _alert_venue_level(assessment, info, actor)
        _settle_campaign_targets(assessment, actor)
    return assessment


def level_raised(assessment: RiskAssessment) -> bool:
    return level_rank(assessment.level) > level_rank(assessment.previous_level)
