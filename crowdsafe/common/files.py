"""Uploads: the one check every file goes through, the abstract stored-file model and the ``upload_to`` factory.

Why one check: a file is judged by its content, never by its name or by the type the browser declares. A PNG
header followed by HTML, named ``photo.jpg``, must be refused the same way, with the same message, wherever it is
sent (a risk point, a permit application, a drill record …); and no file, however crafted (a 20000 × 20000 PNG
that decompresses to gigabytes, a truncated JPEG, a PDF that is HTML after its first line), may cause anything but
a ``ValidationError``.

The check, in order (``check_upload``):

1. the name's extension is one of the formats accepted for the *kind* of upload (``KINDS``);
2. the file is not empty and not larger than the kind's limit (``settings.UPLOAD_LIMITS``);
3. its first bytes are those of the format its extension claims;
4. its content really is that format: images are decoded in full with Pillow (and refused above
   ``settings.UPLOAD_MAX_PIXELS``), PDFs are parsed with pypdf, Office Open XML files must be zip containers
   holding the parts of their kind, old Office files (and WPS) must carry a valid compound-file header.
5. an image's metadata (EXIF with its GPS position, XMP, text chunks) is removed from the file that is stored
   (``_strip_metadata``): served photos never tell where or by whom they were taken.

The error raised, ``UploadRefused``, is a Django ``ValidationError`` (so forms, model validators and DRF
serializers show it as a field error) and a ``DomainError`` naming its field (so the services' callers turn it into
a form error or a 400 like any other refusal).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import re
import struct
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any, ClassVar, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crowdsafe.errors import DomainError

MB = 1024 * 1024
NAME_MAX_LENGTH = 255
# A zip container (docx, xlsx, pptx) whose parts unpack to more than this many times its size is a zip bomb:
# Office XML compresses about 5-20 times, so 100 leaves ample room for honest files. Whatever its ratio, a container
# may not unpack to more than ``settings.UPLOAD_ZIP_MAX_UNPACKED`` bytes in all, nor hold more than this many parts
# (an honest workbook or document has a few dozen). Both are read from the zip's central directory, without
# inflating anything; Python's zipfile (which openpyxl reads with) never inflates a part past its declared size.
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 2000


class UploadRefused(ValidationError, DomainError):  # type: ignore[misc]
    """A refused upload: a ``ValidationError`` for forms, model validators and DRF, a ``DomainError`` (with the
    field it is about) for the views that turn a service's refusal into a message or a 400."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        # What ``ValidationError.__init__`` does for one message; calling it would pass its arguments on to
        # ``DomainError.__init__`` (next in the method resolution order), which takes others.
        Exception.__init__(self, message)
        self.message = message
        self.code = code
        self.params = None
        self.error_list = [self]
        self.field = field
        self.problems = [(field, message)]  # what DomainError.__init__ would set: its one problem

    def __str__(self) -> str:
        return str(self.message)


# --- formats ------------------------------------------------------------------------------------------------


class _Unreadable(Exception):
    """The content is not what its extension says (raised by a format's deep check, turned into one message)."""


class _TooManyPixels(Exception):
    """An image larger than ``UPLOAD_MAX_PIXELS`` (or one Pillow itself calls a decompression bomb)."""


class _UnpacksTooLarge(Exception):
    """A zip container (docx, xlsx, pptx) that would unpack past its limits: a zip bomb."""


@dataclass(frozen=True)
class Format:
    """A file format: the extensions that claim it, the type it is served as, the first bytes it must start with
    and the check that its content really is it."""

    label: str
    content_type: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]
    verify: Callable[[IO[bytes], Format], None]
    pillow: str = ""  # Pillow's name of an image format
    zip_part: str = ""  # the part an Office Open XML container of this kind must hold

    def starts(self, head: bytes) -> bool:
        if self.label == "WebP":  # RIFF, a length, then WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if self.label == "GeoJSON":  # a JSON object, after an optional byte-order mark and white space
            return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"{")
        return any(head.startswith(signature) for signature in self.signatures)


def _verify_image(stream: IO[bytes], fmt: Format) -> None:
    """Decode the whole image: a header followed by anything else (HTML, a truncation) fails here. The pixel count
    is checked before decoding, so a small file that would unpack to gigabytes is never unpacked."""
    from PIL import Image

    max_pixels = int(settings.UPLOAD_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=[fmt.pillow]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise _TooManyPixels
                image.load()
                if image.format != fmt.pillow:
                    raise _Unreadable
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _TooManyPixels from exc
    except (_TooManyPixels, _Unreadable):
        raise
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, struct.error …)
        raise _Unreadable from exc


# Image metadata that can say where and by whom a photo was taken (EXIF with its GPS position, XMP, PNG text chunks).
_METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Description", "Author", "Comment")


def _strip_metadata(stream: IO[bytes], fmt: Format) -> bytes | None:
    """The image without its metadata (PIPL: a phone photo's EXIF carries its GPS position, the camera and often the
    owner's name), or None when it carries none, so a clean file is stored as sent. The picture is kept: turned
    upright by its EXIF orientation, a JPEG re-encoded with its own quantisation tables, a PNG losslessly, and its
    colour profile kept. Where a form asks for a location, the location is a field of its own, not the photo's."""
    from PIL import Image, ImageOps

    stream.seek(0)
    with Image.open(stream, formats=[fmt.pillow]) as image:
        exif = image.getexif()
        text = getattr(image, "text", None) or {}
        if not exif and not text and not any(key in image.info for key in _METADATA_KEYS):
            return None
        orientation = exif.get(0x0112, 1)
        options: dict[str, Any] = {}
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        if fmt.pillow == "JPEG" and orientation == 1:
            options.update(quality="keep", subsampling="keep")
            picture = image
        else:
            picture = ImageOps.exif_transpose(image) or image
            if fmt.pillow == "JPEG":
                options["quality"] = 92
            elif fmt.pillow == "WEBP":
                options["quality"] = 90
        out = io.BytesIO()
        picture.save(out, format=fmt.pillow, **options)  # no exif=, no pnginfo=: none of the metadata is written
    return out.getvalue()


def _replace_content(upload: Any, data: bytes) -> None:
    """Put ``data`` in place of an uploaded file's content (Django's uploaded files read through ``.file``), so
    that whatever the caller stores (the checked upload or the file it passed in) is the stripped image."""
    upload.file = io.BytesIO(data)
    upload.size = len(data)


def _verify_pdf(stream: IO[bytes], fmt: Format) -> None:
    """Parse the document and its page tree: a PDF header followed by HTML has no cross-reference table."""
    from pypdf import PdfReader

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about the small faults of honest files
            reader = PdfReader(stream)
            if len(reader.pages) < 1:
                raise _Unreadable
    except _Unreadable:
        raise
    except Exception as exc:  # pypdf's PdfReadError, PdfStreamError, and the parser's KeyError, ValueError …
        raise _Unreadable from exc


def _verify_zip(stream: IO[bytes], fmt: Format) -> None:
    """A real zip container of the expected kind (a .docx holds ``word/document.xml``), not a zip bomb."""
    try:
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except Exception as exc:  # BadZipFile, a truncated directory (OSError, EOFError), …
        raise _Unreadable from exc
    if len(infos) > ZIP_MAX_ENTRIES:
        raise _UnpacksTooLarge
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or fmt.zip_part not in names:
        raise _Unreadable
    stream.seek(0, io.SEEK_END)
    packed = max(stream.tell(), 1)
    unpacked = sum(info.file_size for info in infos)
    if unpacked > packed * ZIP_MAX_RATIO or unpacked > int(settings.UPLOAD_ZIP_MAX_UNPACKED):
        raise _UnpacksTooLarge


def _verify_compound(stream: IO[bytes], fmt: Format) -> None:
    """The old Office formats (.doc, .xls, .ppt) and WPS are OLE compound files: a 512-byte header with a version
    (3 or 4), the little-endian byte-order mark and the sector size of that version."""
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512:
        raise _Unreadable
    major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHH", header, 26)
    if byte_order != 0xFFFE or mini_shift != 6 or (major, sector_shift) not in {(3, 9), (4, 12)}:
        raise _Unreadable


def _verify_json(stream: IO[bytes], fmt: Format) -> None:
    """A GeoJSON file is UTF-8 JSON whose top level is an object; what the object holds is for the caller to
    judge (``crowdsafe.org.boundaries``). The size limit of its kind bounds what is parsed; a nesting too deep
    for the parser is unreadable like any other bad content."""
    stream.seek(0)
    try:
        data = json.loads(stream.read().decode("utf-8-sig"))
    except (ValueError, RecursionError):
        raise _Unreadable from None
    if not isinstance(data, dict):
        raise _Unreadable


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
OOXML = "application/vnd.openxmlformats-officedocument"
JPEG = Format("JPEG", "image/jpeg", ("jpg", "jpeg"), (b"\xff\xd8\xff",), _verify_image, pillow="JPEG")
PNG = Format("PNG", "image/png", ("png",), (b"\x89PNG\r\n\x1a\n",), _verify_image, pillow="PNG")
WEBP = Format("WebP", "image/webp", ("webp",), (b"RIFF",), _verify_image, pillow="WEBP")
PDF = Format("PDF", "application/pdf", ("pdf",), (b"%PDF-",), _verify_pdf)
DOCX = Format(
    "DOCX", f"{OOXML}.wordprocessingml.document", ("docx",), (ZIP,), _verify_zip, zip_part="word/document.xml"
)
XLSX = Format("XLSX", f"{OOXML}.spreadsheetml.sheet", ("xlsx",), (ZIP,), _verify_zip, zip_part="xl/workbook.xml")
PPTX = Format(
    "PPTX", f"{OOXML}.presentationml.presentation", ("pptx",), (ZIP,), _verify_zip, zip_part="ppt/presentation.xml"
)
DOC = Format("DOC", "application/msword", ("doc",), (OLE,), _verify_compound)
XLS = Format("XLS", "application/vnd.ms-excel", ("xls",), (OLE,), _verify_compound)
PPT = Format("PPT", "application/vnd.ms-powerpoint", ("ppt",), (OLE,), _verify_compound)
WPS = Format("WPS", "application/vnd.ms-works", ("wps",), (OLE,), _verify_compound)
GEOJSON = Format("GeoJSON", "application/geo+json", ("geojson", "json"), (b"{",), _verify_json)

# The kinds of upload and the formats each accepts; the size limit of each is ``settings.UPLOAD_LIMITS[kind]``.
KINDS: dict[str, tuple[Format, ...]] = {
    # Photos of the field: risk points, gatherings, hazards, drills, site inspections.
    "photo": (JPEG, PNG, WEBP),
    # Evidence that a task was done: a photo, a scanned record, a report.
    "evidence": (PDF, JPEG, PNG, DOCX, XLSX),
    # Documents filed with a permit application (Order 505 Art. 13).
    "document": (PDF, JPEG, PNG, DOC, DOCX, XLS, XLSX, PPT, PPTX),
    # An emergency plan's document: PDF, Word or WPS.
    "plan": (PDF, DOCX, DOC, WPS),
    # A workbook to import (venues, gatherings).
    "spreadsheet": (XLSX,),
    # The scan of a department's seal, printed on its documents (WeasyPrint embeds PNG or JPEG).
    "seal": (PNG, JPEG),
    # A jurisdiction's boundary (GeoJSON, WGS-84), the base layer of the maps; its geometry is checked by
    # ``crowdsafe.org.boundaries``.
    "boundary": (GEOJSON,),
}


def formats_of(kind: str) -> tuple[Format, ...]:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of upload: {kind!r} (one of {', '.join(KINDS)})") from None


def upload_limit(kind: str) -> int:
    """The most a file of this kind may weigh, in bytes (``settings.UPLOAD_LIMITS``)."""
    formats_of(kind)
    return int(settings.UPLOAD_LIMITS[kind])


def extensions_of(kind: str) -> list[str]:
    return [extension for fmt in formats_of(kind) for extension in fmt.extensions]


def accept_attribute(kind: str) -> str:
    """The ``accept`` of a file input for this kind (a hint to the browser's picker; the check is ours)."""
    return ",".join(f".{extension}" for extension in extensions_of(kind))


def _megabytes(size: int, *, up: bool = False) -> str:
    """A size in MB for a message: a file's size rounded up to 0.1 MB (so that it reads larger than the limit), a
    limit to 4 decimals (never 0 for a limit a test sets to a few bytes)."""
    value = math.ceil(size / MB * 10) / 10 if up else max(round(size / MB, 4), 0.0001)
    return f"{value:g}"


# --- names --------------------------------------------------------------------------------------------------

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


def display_name(raw: object) -> str:
    """The name to show and to offer on download: the last path part only, without control or format characters
    (a right-to-left override can make ``gpj.exe`` look like ``exe.jpg``), whitespace collapsed, at most 255
    characters with the extension kept. Chinese names stay as they are."""
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = " ".join(name.split()).lstrip(".").strip()
    if len(name) > NAME_MAX_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX_LENGTH - len(extension) - 1] + "." + extension
        else:
            name = name[:NAME_MAX_LENGTH]
    return name or "file"


def extension_of(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return extension if _EXTENSION.match(extension) else ""


# --- the check ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the check: the file, the name to show, the type it is served as (from its content),
    its size and its SHA-256."""

    upload: Any
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload: Any, *, kind: str, field: str | None = None) -> CheckedUpload:
    """Check one uploaded file of a kind (``KINDS``); raise ``UploadRefused`` (a ``ValidationError``) saying what
    is wrong and what is accepted. Never raises anything else on bad input. The file is left at its start."""
    formats = formats_of(kind)
    limit = upload_limit(kind)
    if not upload:
        raise UploadRefused(gettext("Choose a file."), code="upload_missing", field=field)
    name = display_name(getattr(upload, "name", ""))
    extension = extension_of(name)
    claimed = next((fmt for fmt in formats if extension in fmt.extensions), None)
    if claimed is None:
        raise UploadRefused(
            gettext("“%(name)s”: only %(types)s files are accepted (at most %(max)s MB).")
            % {
                "name": name,
                "types": ", ".join(e.upper() for e in sorted(extensions_of(kind))),
                "max": _megabytes(limit),
            },
            code="upload_type",
            field=field,
        )
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise UploadRefused(gettext("“%(name)s” is empty.") % {"name": name}, code="upload_empty", field=field)
    if size > limit:
        raise UploadRefused(
            gettext("“%(name)s” is %(size)s MB; at most %(max)s MB is accepted.")
            % {"name": name, "size": _megabytes(size, up=True), "max": _megabytes(limit)},
            code="upload_too_large",
            field=field,
        )
    stream = cast(IO[bytes], upload)
    try:
        stream.seek(0)
        head = stream.read(16)
        if not claimed.starts(head):
            raise _Unreadable
        stream.seek(0)
        claimed.verify(stream, claimed)
        stripped = _strip_metadata(stream, claimed) if claimed.pillow else None
        if stripped is not None:
            _replace_content(upload, stripped)
            size = len(stripped)
        stream.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: stream.read(MB), b""):
            digest.update(chunk)
    except _TooManyPixels:
        raise UploadRefused(
            gettext("“%(name)s” has too many pixels: at most %(max)s megapixels are accepted.")
            % {"name": name, "max": f"{int(settings.UPLOAD_MAX_PIXELS) / 1_000_000:g}"},
            code="upload_too_many_pixels",
            field=field,
        ) from None
    except _UnpacksTooLarge:
        raise UploadRefused(
            gettext("“%(name)s” would unpack to too much data (a compressed file built to fill the server).")
            % {"name": name},
            code="upload_unpacks_too_large",
            field=field,
        ) from None
    except Exception:  # _Unreadable, or a stream that cannot be read
        raise UploadRefused(
            gettext("“%(name)s” is not a valid %(type)s file: its content does not match its name.")
            % {"name": name, "type": extension.upper()},
            code="upload_content",
            field=field,
        ) from None
    finally:
        with contextlib.suppress(Exception):  # a stream that cannot seek was refused above
            stream.seek(0)
    return CheckedUpload(
        upload=upload, name=name, content_type=claimed.content_type, size=size, sha256=digest.hexdigest()
    )


def check_uploads(uploads: Iterable[Any] | None, *, kind: str, field: str | None = None) -> list[CheckedUpload]:
    """Check several files before anything is stored; the first refused one is named in the message."""
    return [check_upload(upload, kind=kind, field=field) for upload in (uploads or []) if upload]


@deconstructible(path="crowdsafe.common.files.UploadValidator")
class UploadValidator:
    """The check as a field validator (forms and model fields): ``validators=[UploadValidator("photo")]``. A file
    already stored (an unchanged field of a model being edited) is not read again."""

    def __init__(self, kind: str) -> None:
        formats_of(kind)
        self.kind = kind

    def __call__(self, value: Any) -> None:
        if not value or (isinstance(value, FieldFile) and getattr(value, "_committed", True)):
            return
        check_upload(value, kind=self.kind)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Several files from one input (Django's documented pattern) whose picker offers the extensions of a kind.
    It only collects the files: the service they are given to checks each (``check_uploads``), so that a page,
    the API and a command refuse a file the same way."""

    def __init__(self, *args: Any, kind: str, attrs: dict[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attribute(kind), **(attrs or {})}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class UploadField(forms.FileField):
    """One file whose picker offers the extensions of a kind; checked by the service it is given to."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accept_attribute(kind)}))
        super().__init__(*args, **kwargs)


# --- storing ------------------------------------------------------------------------------------------------


@deconstructible(path="crowdsafe.common.files.UploadTo")
class UploadTo:
    """Where an uploaded file is stored: ``<prefix>/<year>/<month>/<random>.<extension>``. The stored name is
    never the uploaded one (that is kept in ``original_name`` for display): no path tricks, no clashes, nothing
    guessable. Without a prefix, the model's ``upload_prefix`` is used (``StoredFile``)."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix.strip("/")

    def __call__(self, instance: models.Model, filename: str) -> str:
        prefix = self.prefix or str(getattr(instance, "upload_prefix", "") or "").strip("/")
        if not prefix:
            meta = instance._meta
            prefix = f"{meta.app_label}/{meta.model_name}"
        extension = extension_of(display_name(filename)) or "bin"
        return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UploadTo) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def upload_to(prefix: str = "") -> UploadTo:
    """The ``upload_to`` of a file field: dated folders under ``prefix`` (the model's ``upload_prefix`` when
    empty), a random safe name."""
    return UploadTo(prefix)


class StoredFile(models.Model):
    """An uploaded file kept by an app (an attachment, a photo, a document), with what the apps show of it: the
    name it was uploaded under, its type (from its content), its size, who uploaded it and when.

    Subclasses set ``upload_prefix`` (the folder under MEDIA_ROOT) and may override a field (an ``ImageField``
    named "photo") or drop one they do not keep (``content_type = None``). Files are served only through the
    apps' scoped views, never from a public URL."""

    upload_prefix: ClassVar[str] = ""

    file = models.FileField(_("file"), upload_to=UploadTo(), max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.original_name)

    def store(self, checked: CheckedUpload) -> None:
        """Fill in the file and what is known of it from a checked upload; the caller saves the row (in its
        transaction: a file written here stays on disk if that rolls back, unreferenced and never served)."""
        self.original_name = checked.name
        self.size = checked.size
        if any(f.name == "content_type" for f in self._meta.concrete_fields):
            self.content_type = checked.content_type
        self.file.save(checked.name, checked.upload, save=False)
