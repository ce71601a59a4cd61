"""Documents of a venue's building and fire safety (issue 21 point 4): completion acceptance (竣工验收),
fire-protection acceptance (消防验收), the fire-safety inspection before opening (消防安全检查) and the building
safety appraisal report (安全鉴定). Uploads go through the kernel's one upload check (kind "document")."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import check_upload
from crowdsafe.errors import DomainError
from venues.choices import VenueDocumentKind
from venues.models import Venue, VenueDocument
from venues.services.access import check_can_manage

MAX_DOCUMENTS = 40


def venue_document_upload(
    *, venue: Venue, actor, kind: str, upload, issued_on: datetime.date | None = None
) -> VenueDocument:
    """File a document on the venue (who may change the venue: its territory's editors, its operator)."""
    if kind not in VenueDocumentKind.values:
        raise DomainError(_("Choose what the document is."), field="kind")
    checked = check_upload(upload, kind="document", field="file")
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=venue.pk)
        check_can_manage(actor=actor, venue=venue)
        if venue.documents.count() >= MAX_DOCUMENTS:
            raise DomainError(_("At most %(max)d documents.") % {"max": MAX_DOCUMENTS}, field="file")
        document = VenueDocument(
            venue=venue, kind=kind, issued_on=issued_on, uploaded_by=actor if getattr(actor, "pk", None) else None
        )
        document.store(checked)
        document.save()
        log_action(
            actor=actor,
            subject=venue,
            verb="venue_document_added",
            data={"kind": kind, "name": checked.name, "size": checked.size},
        )
    return document


def venue_document_remove(*, document: VenueDocument, actor) -> None:
    with transaction.atomic():
        venue = Venue.objects.select_for_update().get(pk=document.venue_id)
        check_can_manage(actor=actor, venue=venue)
        name, kind, file = document.original_name, document.kind, document.file
        VenueDocument.objects.filter(pk=document.pk).delete()
        log_action(actor=actor, subject=venue, verb="venue_document_removed", data={"kind": kind, "name": name})
        transaction.on_commit(lambda: file.delete(save=False))
