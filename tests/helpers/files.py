"""Real files of each accepted format (the upload check decodes and parses what it is given, so a test file must
be what its name says), and the forged and hostile files the check must refuse."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>\n"


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (8, 8), colour: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes(text: str = "") -> bytes:
    """A one-page PDF; ``text`` goes into its metadata, so that two PDFs of different text differ (checksums)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if text:
        writer.add_metadata({"/Subject": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def ooxml_bytes(main_part: str) -> bytes:
    """A minimal Office Open XML container: the content types and the main part of its kind."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(main_part, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return ooxml_bytes("word/document.xml")


def ole_bytes() -> bytes:
    """An OLE compound-file header (version 3, 512-byte sectors) and one empty sector: an old .doc/.xls/.ppt."""
    header = OLE + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    return header.ljust(512, b"\x00") + b"\x00" * 512


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A valid PNG of ``width`` × ``height`` black pixels in a few tens of KB (it would unpack to hundreds of MB)."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def forged_jpeg() -> bytes:
    """A JPEG's first bytes, then a web page."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + HTML


def forged_png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + HTML


def forged_pdf() -> bytes:
    return b"%PDF-1.7\n" + HTML


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
