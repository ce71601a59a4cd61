"""Validators for uploaded files: risk-point photos and import spreadsheets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
PHOTO_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
PHOTO_RULE = _("Upload a JPEG, PNG or WebP photo of at most 5 MB.")

SPREADSHEET_MAX_BYTES = 20 * 1024 * 1024
SPREADSHEET_RULE = _("Upload an Excel workbook (.xlsx) of at most 20 MB.")


def validate_photo(file) -> None:
    """A photo is a real JPEG, PNG or WebP image (checked by decoding its header, not by its name) of at most
    5 MB: phones take photos of 2-4 MB, and a page of risk points must stay light."""
    from PIL import Image, UnidentifiedImageError

    if file is None:
        return
    size = getattr(file, "size", None)
    if size is not None and size > PHOTO_MAX_BYTES:
        raise ValidationError(PHOTO_RULE, code="photo_too_large")
    name = getattr(file, "name", "") or ""
    if "." not in name or name.rsplit(".", 1)[1].lower() not in PHOTO_EXTENSIONS:
        raise ValidationError(PHOTO_RULE, code="photo_type")
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(PHOTO_RULE, code="photo_unreadable") from exc
    finally:
        if position is not None:
            file.seek(position)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(PHOTO_RULE, code="photo_type")


def validate_spreadsheet(file) -> None:
    """An .xlsx workbook (a zip file) of at most 20 MB; whether openpyxl can read it is checked when it is
    opened, so that the message can say what is wrong."""
    if file is None:
        return
    size = getattr(file, "size", None)
    if size is not None and size > SPREADSHEET_MAX_BYTES:
        raise ValidationError(SPREADSHEET_RULE, code="spreadsheet_too_large")
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(SPREADSHEET_RULE, code="spreadsheet_type")
    position = file.tell() if hasattr(file, "tell") else None
    head = file.read(4)
    if position is not None:
        file.seek(position)
    if head != b"PK\x03\x04":
        raise ValidationError(SPREADSHEET_RULE, code="spreadsheet_type")
