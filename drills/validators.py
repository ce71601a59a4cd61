"""Checks of uploaded plan documents: type by content (not by the browser's word) and size."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError

# A plan document of a large venue with its annexes and maps runs to a few MB; 20 MB leaves room for scans.
PLAN_MAX_BYTES = getattr(settings, "DRILLS_PLAN_MAX_BYTES", 20 * 1024 * 1024)
# Extension → (content type, leading bytes). Word 97-2003 (.doc) and WPS (.wps) files are OLE compound files.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PLAN_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "doc": ("application/msword", (OLE,)),
    "wps": ("application/vnd.ms-works", (OLE,)),
}
PLAN_EXTENSIONS = sorted(PLAN_TYPES)
PHOTO_MAX_COUNT = 12


@dataclass(frozen=True)
class CheckedDocument:
    upload: Any
    name: str
    content_type: str
    size: int
    sha256: str


def check_plan_file(upload: Any, *, field: str = "file") -> CheckedDocument:
    """A PDF, Word (.docx/.doc) or WPS document of at most ``PLAN_MAX_BYTES``, not empty; raises a DomainError
    naming the file otherwise. Returns its name, type, size and SHA-256."""
    if upload is None:
        raise DomainError(_("Choose the plan document to upload."), field=field)
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PLAN_TYPES:
        raise DomainError(
            _("“%(name)s”: a plan is uploaded as a PDF, Word (.docx, .doc) or WPS document.") % {"name": name},
            field=field,
        )
    size = upload.size
    if size > PLAN_MAX_BYTES:
        raise DomainError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": PLAN_MAX_BYTES // (1024 * 1024)},
            field=field,
        )
    if size == 0:
        raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field=field)
    content_type, signatures = PLAN_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    if not any(head.startswith(signature) for signature in signatures):
        upload.seek(0)
        raise DomainError(
            _("“%(name)s” is not a valid %(type)s file.") % {"name": name, "type": extension.upper()}, field=field
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedDocument(upload=upload, name=name, content_type=content_type, size=size, sha256=digest.hexdigest())
