"""Reads of official documents, already scoped to what the user may see (DESIGN.md section 4).

Who sees which documents:
- government users (staff, heads, grid workers, township officers, leaders, admins): the documents issued by
  their own departments, and those issued in or about their territory — the issuer's jurisdiction or the
  subject's lies in one of their subtrees (属地: a township officer sees the rectification orders of venues in
  the township, a district bureau's staff the city bureau's decisions on events in the district);
- organizers and venue operators: the documents addressed to their organisation (the organisation of the
  document's subject: the organizer of a permit application, the operator of a venue);
- anyone in a department a document was shared with (django-guardian ``view_notice`` granted to the
  department's group);
- superusers, everything.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from crowdsafe.common.filters import FilterData
from crowdsafe.org.access import get_scoped_or_404
from crowdsafe.org.models import Department
from notices.filters import NoticeFilterSet
from notices.models import VERIFY_ALPHABET, VERIFY_CODE_LENGTH, Notice


def notice_visible(*, user) -> QuerySet[Notice]:
    return Notice.objects.visible_to(user).select_related("issuer", "recipient_organisation")


def notice_list(*, user, filters: FilterData = None) -> QuerySet[Notice]:
    """The documents the user may see, newest first, filtered by ``notices.filters.NoticeFilterSet`` (kind, issuer,
    period of issue, status, part of the number, title, addressee or subject)."""
    return NoticeFilterSet.of(filters).apply(notice_visible(user=user)).order_by("-issued_at", "-id")


def notice_get(*, user, pk) -> Notice:
    """One document the user may see, or 404."""
    return get_scoped_or_404(notice_visible(user=user).select_related("issuer__jurisdiction", "revoked_by"), pk=pk)


def issuer_choices(*, user) -> QuerySet[Department]:
    """Departments that issued a document the user may see (for the issuer filter), in one query."""
    visible = Notice.objects.visible_to(user)
    return Department.objects.filter(pk__in=visible.values("issuer_id")).order_by("jurisdiction__path", "name")


def notices_for(subject: models.Model) -> QuerySet[Notice]:
    """The documents issued about ``subject``, newest first (revoked ones included, marked so), for the subject's
    own page — which has already checked that its reader may see the subject."""
    content_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    return (
        Notice.objects.filter(subject_type=content_type, subject_id=subject.pk)
        .select_related("issuer")
        .order_by("-issued_at", "-id")
    )


def normalise_code(code: str) -> str:
    """What a reader typed or scanned, as stored: upper case, without spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch not in " -\u00a0\t")


def notice_by_code(code: str) -> Notice | None:
    """The document with this verification code, or None when there is none (an unknown or altered code).
    Public: no scoping, and only what the verification page shows is read."""
    code = normalise_code(code)
    if len(code) != VERIFY_CODE_LENGTH or any(ch not in VERIFY_ALPHABET for ch in code):
        return None
    return Notice.objects.select_related("issuer").filter(verify_code=code).first()
