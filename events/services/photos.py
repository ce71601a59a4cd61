"""Photos of a gathering: at most ``MAX_PHOTOS`` per gathering, each checked as an upload of kind "photo"
(``crowdsafe.common.files``: a real JPEG, PNG or WebP image within the photo limit, as everywhere)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdsafe.audit.services import log_action
from crowdsafe.common.files import CheckedUpload, check_uploads
from crowdsafe.errors import DomainError
from events.models import Gathering, GatheringPhoto

MAX_PHOTOS = 6

__all__ = ["MAX_PHOTOS", "check_photos", "photo_add", "save_photos"]


def check_photos(files: Sequence, *, existing: int) -> list[CheckedUpload]:
    """Check every file before anything is written; the first refused one is named in the message."""
    files = [f for f in (files or []) if f]
    if existing + len(files) > MAX_PHOTOS:
        raise DomainError(
            ngettext(
                "At most %(max)d photo per gathering.",
                "At most %(max)d photos per gathering.",
                MAX_PHOTOS,
            )
            % {"max": MAX_PHOTOS},
            field="photos",
        )
    return check_uploads(files, kind="photo", field="photos")


def save_photos(gathering: Gathering, photos: list[CheckedUpload], *, actor) -> list[GatheringPhoto]:
    """Store checked photos (inside the caller's transaction). A file written here stays on disk if the
    transaction rolls back; it is then unreferenced and never served (photos go through the scoped view)."""
    saved = []
    for item in photos:
        uploader = actor if getattr(actor, "pk", None) else None
        photo = GatheringPhoto(gathering=gathering, uploaded_by=uploader, uploaded_key=uuid.uuid4().hex)
        photo.store(item)
        photo.save(force_insert=True)
        saved.append(photo)
    if saved:
        log_action(
            actor=actor,
            subject=gathering,
            verb="photos_added",
            data={"photos": [p.pk for p in saved], "names": [p.original_name for p in saved]},
        )
    return saved


def photo_add(*, gathering: Gathering, actor, files: Sequence) -> list[GatheringPhoto]:
    from events.services.common import check_work, locked

    with transaction.atomic():
        row = locked(gathering)
        check_work(actor=actor, gathering=row)
        if row.is_terminal:
            raise DomainError(
                _("This gathering is closed (%(status)s).") % {"status": row.get_status_display()}, code="invalid_state"
            )
        checked = check_photos(files, existing=row.photos.count())
        if not checked:
            raise DomainError(_("Choose a photo."), field="photos")
        return save_photos(row, checked, actor=actor)
