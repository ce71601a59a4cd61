"""Which files may be filed with an application or taken at an inspection, checked by their content (the first
bytes), not by what the browser claims; size limits from the settings (``permits.conf``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from crowdsafe.errors import DomainError

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office formats (.doc, .xls, .ppt)
ZIP = b"PK\x03\x04"  # the Office Open XML formats (.docx, .xlsx, .pptx)
JPEG = ("image/jpeg", (b"\xff\xd8\xff",))
PNG = ("image/png", (b"\x89PNG\r\n\x1a\n",))

# Extension → (content type, leading bytes the file must start with).
MATERIAL_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "doc": ("application/msword", (OLE,)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "ppt": ("application/vnd.ms-powerpoint", (OLE,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
}
PHOTO_TYPES = {"jpg": JPEG, "jpeg": JPEG, "png": PNG}


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str
    content_type: str
    size: int


def check_upload(
    upload: Any, *, types: dict[str, tuple[str, tuple[bytes, ...]]], max_bytes: int, field: str
) -> CheckedFile:
    """The upload if its extension is allowed, its content matches it and its size is within the limit; else a
    ``DomainError`` that says which rule it broke."""
    if upload is None:
        raise DomainError(_("Choose a file."), field=field)
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = ", ".join(sorted({e.upper() for e in types}))
    if extension not in types:
        raise DomainError(
            _("“%(name)s”: only %(types)s files are accepted.") % {"name": name or "?", "types": allowed}, field=field
        )
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("“%(name)s” is empty.") % {"name": name}, field=field)
    if size > max_bytes:
        raise DomainError(
            _("“%(name)s” is %(size)s MB; at most %(max)s MB is accepted.")
            % {"name": name, "size": f"{size / 1048576:.1f}", "max": f"{max_bytes / 1048576:g}"},
            field=field,
        )
    content_type, signatures = types[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise DomainError(
            _("“%(name)s” is not a valid %(type)s file (its content does not match its extension).")
            % {"name": name, "type": extension.upper()},
            field=field,
        )
    return CheckedFile(upload=upload, name=name, content_type=content_type, size=size)
