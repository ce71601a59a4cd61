"""Photos of a gathering: the size and type limits (the same as for venue risk points: a real JPEG, PNG or WebP
image of at most 5 MB, checked by decoding it, not by its name) and at most ``MAX_PHOTOS`` per gathering."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crowdsafe.audit.services import log_action
from crowdsafe.errors import DomainError
from events.models import Gathering, GatheringPhoto
from venues.validators import PHOTO_MAX_BYTES, PHOTO_RULE, validate_photo

MAX_PHOTOS = 6

__all__ = ["MAX_PHOTOS", "PHOTO_MAX_BYTES", "PHOTO_RULE", "check_photos", "photo_add", "save_photos"]


@dataclass(frozen=True)
class CheckedPhoto:
    upload: object
    name: str
    size: int


def check_photos(files: Sequence, *, existing: int) -> list[CheckedPhoto]:
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
    checked = []
    for upload in files:
        name = (getattr(upload, "name", "") or "photo").rsplit("/", 1)[-1][-200:]
        try:
            validate_photo(upload)
        except ValidationError as exc:
            raise DomainError(
                _("The photo “%(name)s” was refused: %(rule)s") % {"name": name, "rule": exc.messages[0]},
                field="photos",
                code="photo_refused",
            ) from exc
        checked.append(CheckedPhoto(upload=upload, name=name, size=getattr(upload, "size", 0) or 0))
    return checked


def save_photos(gathering: Gathering, photos: list[CheckedPhoto], *, actor) -> list[GatheringPhoto]:
    """Store checked photos (inside the caller's transaction). A file written here stays on disk if the
    transaction rolls back; it is then unreferenced and never served (photos go through the scoped view)."""
    saved = []
    for item in photos:
        photo = GatheringPhoto(
            gathering=gathering,
            original_name=item.name,
            size=item.size,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            uploaded_key=uuid.uuid4().hex,
        )
        photo.file.save(item.name, item.upload, save=False)
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
