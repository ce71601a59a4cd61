"""Completion evidence: which files may be attached to a task, checked by content, not by the browser's word."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError

# Evidence limits: a phone photo or a scanned inspection record fits; anything else belongs elsewhere.
EVIDENCE_MAX_BYTES = getattr(settings, "DUTIES_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
EVIDENCE_MAX_FILES = getattr(settings, "DUTIES_EVIDENCE_MAX_FILES", 10)
# Extension → (content type, leading bytes the file must start with). The type is taken from the content, not
# from what the browser claims.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str
    content_type: str
    size: int


def check_files(files: Iterable[Any]) -> list[CheckedFile]:
    checked = []
    for upload in files:
        name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:255]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in EVIDENCE_TYPES:
            raise DomainError(
                _("“%(name)s”: only %(types)s files can be attached.")
                % {"name": name, "types": ", ".join(sorted({e.upper() for e in EVIDENCE_TYPES}))},
                field="files",
            )
        size = upload.size
        if size > EVIDENCE_MAX_BYTES:
            raise DomainError(
                _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)},
                field="files",
            )
        if size == 0:
            raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field="files")
        content_type, signatures = EVIDENCE_TYPES[extension]
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(signature) for signature in signatures):
            raise DomainError(
                _("“%(name)s” is not a valid %(type)s file.") % {"name": name, "type": extension.upper()},
                field="files",
            )
        checked.append(CheckedFile(upload=upload, name=name, content_type=content_type, size=size))
    return checked
