from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from crowdsafe.audit.labels import ACCESS_VERBS
from crowdsafe.audit.models import ActionLog


def timeline_for(*, subject: models.Model, limit: int = 200, include_access: bool = True) -> QuerySet[ActionLog]:
    """The action log of one record, newest first. The caller has already checked that the user may see
    the record; the log of a visible record is visible. ``include_access=False`` leaves out the access changes
    (which department was let see the record): they are for government users only."""
    qs = ActionLog.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject, for_concrete_model=True),
        subject_id=subject.pk,
    )
    if not include_access:
        qs = qs.exclude(verb__in=ACCESS_VERBS)
    return qs.select_related("actor").order_by("-created_at", "-id")[:limit]


def actions_by(*, actor, limit: int | None = 10) -> QuerySet[ActionLog]:
    """The latest entries written by one user (their own actions are always theirs to see); all of them, newest
    first, when ``limit`` is None (the page of one's own actions paginates them)."""
    qs = ActionLog.objects.filter(actor=actor).select_related("subject_type").order_by("-created_at", "-id")
    return qs if limit is None else qs[:limit]
