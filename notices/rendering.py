"""Rendering an official document: HTML from the kind's template, then a PDF with WeasyPrint.

The layout follows GB/T 9704-2012 (templates/notices/documents/): A4, text block 156 × 225 mm, red issuer header
and rule, number, title, recipient, body in Noto Serif CJK SC at 16 pt (3号), signature and date, 版记 with the
copy-to list, page numbers "— N —". Fonts are the system's fonts-noto-cjk, named in the CSS; WeasyPrint subsets
them with HarfBuzz, so a document carries only the glyphs it uses (a two-page decision stays far below 150 KB).

A draft (草稿) is the same document without number, QR code, seal or date, watermarked 草稿; an issued document
carries its QR code and verification code, and the issuer's seal image when an administrator uploaded one —
otherwise a plain 电子副本 (electronic copy) mark. No seal is ever drawn.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation

from crowdsafe.org.models import Department
from notices.kinds import spec_for

logger = logging.getLogger(__name__)

# The issuer header (发文机关标志) is set as large as fits: at most 36 pt, and narrower than the 156 mm text block.
HEADER_MAX_PT = 36.0
HEADER_WIDTH_PT = 150 / 25.4 * 72  # 150 mm, leaving a little air at both ends


@dataclass
class DocumentData:
    """Everything the templates need, for an issued document (``from_notice``) or a draft."""

    kind: str
    issuer: Department
    title: str
    recipient: str
    context: dict[str, Any]
    copy_to: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    number: str | None = None
    issued_on: dt.date | None = None
    verify_code: str | None = None
    verify_code_display: str | None = None
    verify_url: str | None = None
    seal_data_uri: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @classmethod
    def from_notice(cls, notice) -> DocumentData:
        return cls(
            kind=notice.kind,
            issuer=notice.issuer,
            title=notice.title,
            recipient=notice.recipient,
            context=notice.context,
            copy_to=list(notice.copy_to),
            attachments=list(notice.attachments),
            number=notice.number,
            issued_on=notice.issued_on,
            verify_code=notice.verify_code,
            verify_code_display=notice.verify_code_display,
            verify_url=notice.absolute_verify_url,
            seal_data_uri=seal_data_uri(notice.issuer),
        )


def seal_data_uri(department: Department) -> str | None:
    """The department's uploaded seal image as a data URI, or None when it has none (or it is switched off)."""
    from notices.models import DepartmentSeal

    seal = DepartmentSeal.objects.filter(department=department, is_active=True).first()
    if seal is None or not seal.image:
        return None
    try:
        with seal.image.open("rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("Seal image of department %s is missing from storage", department.pk)
        return None
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def qr_data_uri(url: str) -> str:
    """A QR code of the verification URL, made here (segno), as an SVG data URI: vector, a few hundred bytes."""
    return segno.make(url, error="m", micro=False).svg_data_uri(border=0, dark="#000", omitsize=True)


def header_font_size(name: str) -> float:
    return round(min(HEADER_MAX_PT, HEADER_WIDTH_PT / max(len(name), 1)), 1)


def document_html(data: DocumentData) -> str:
    """The document as HTML (what the preview shows and WeasyPrint prints)."""
    spec = spec_for(data.kind)
    context = {
        "doc": data,
        "c": data.context,
        "spec": spec,
        "issuer_name": data.issuer.name,
        "header_pt": header_font_size(data.issuer.name),
        "qr": qr_data_uri(data.verify_url) if data.verify_url and not data.is_draft else None,
    }
    if "tickets_by_zone" in data.context:
        context["ticket_total"] = sum(zone["tickets"] for zone in data.context["tickets_by_zone"])
    # Official documents are in Chinese whatever the reader's language.
    with translation.override("zh-hans"):
        return render_to_string(f"notices/documents/{data.kind}.html", context)


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    pages: int


def write_pdf(html: str) -> RenderedPdf:
    """Print the HTML to PDF. Fonts are subset (WeasyPrint's default, with HarfBuzz when libharfbuzz-subset0 is
    installed); nothing is fetched from the network (images are data URIs)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Everything a document needs is inline (data URIs): nothing is fetched, from the network or the disk.
    fetcher = URLFetcher(allowed_protocols=["data"])
    document = HTML(string=html, url_fetcher=fetcher).render()
    output = io.BytesIO()
    document.write_pdf(output, finisher=compact_cid_fonts)
    return RenderedPdf(content=output.getvalue(), pages=len(document.pages))


# Tables WeasyPrint's layout has already used: the PDF needs only the glyph outlines.
_DROPPED_TABLES = (b"BASE", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"VORG", b"vhea", b"vmtx")


def compact_cid_fonts(document, pdf) -> None:
    """Embed each CJK font as a compact CID-keyed CFF (FontFile3 /CIDFontType0C) instead of WeasyPrint's subset.

    WeasyPrint subsets with HarfBuzz but keeps every glyph id (RETAIN_GIDS), because its PDF refers to glyphs by
    their ids: for Noto Serif CJK SC that leaves 65,000 empty glyphs and their metrics, about 200 KB compressed
    per font. Noto CJK fonts are CID-keyed with CID = glyph id, and a CID-keyed CFF maps CIDs to glyphs through
    its charset, which HarfBuzz keeps when it renumbers the glyphs. So the same glyphs are subset again here,
    renumbered, and only the CFF table is embedded: the content streams, widths (/W) and ToUnicode maps, all
    keyed by CID, stay valid. A font that is not CID-keyed CFF keeps WeasyPrint's embedding.
    """
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not harfbuzz_subset:
        return
    streams = {id(obj.stream[0]): obj for obj in pdf.objects if _is_opentype_stream(obj)}
    by_file: dict[str, list] = {}
    for font in document.fonts.values():
        by_file.setdefault(font.hash, []).append(font)
    for fonts in by_file.values():
        font = fonts[0]
        stream = streams.get(id(font.file_content))
        if stream is None:
            continue
        glyphs = {0}
        for each in fonts:
            glyphs.update(each.widths)
            glyphs.update(each.to_unicode)
        glyphs = sorted(g for g in glyphs if g < font.glyph_count)
        cff = _subset_cff(ffi, harfbuzz, harfbuzz_subset, font.hb_face, glyphs)
        if cff is None or not _is_cid_keyed(cff):
            continue
        stream.stream = [cff]
        stream.extra["Subtype"] = "/CIDFontType0C"


def _is_opentype_stream(obj) -> bool:
    extra = getattr(obj, "extra", None)
    return bool(extra) and extra.get("Subtype") == "/OpenType" and len(getattr(obj, "stream", ())) == 1


def _subset_cff(ffi, harfbuzz, harfbuzz_subset, hb_face, glyphs: list[int]) -> bytes | None:
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    if subset_input == ffi.NULL:
        return None
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    array = ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs)
    harfbuzz.hb_set_add_sorted_array(glyph_set, array, len(glyphs))
    drop_set = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES)
    harfbuzz.hb_set_add_sorted_array(drop_set, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    harfbuzz_subset.hb_subset_input_set_flags(
        subset_input,
        harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
        | harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
        | harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE,
    )
    face = harfbuzz_subset.hb_subset_or_fail(hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return bytes(ffi.buffer(data, length[0])) if length[0] else None
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _is_cid_keyed(cff: bytes) -> bool:
    """Whether the CFF's top dict starts with ROS (operator 12 30): the mark of a CID-keyed font."""
    from fontTools.cffLib import CFFFontSet

    fontset = CFFFontSet()
    try:
        fontset.decompile(io.BytesIO(cff), None)
    except Exception:  # a font fontTools cannot read is left as WeasyPrint embedded it
        return False
    return hasattr(fontset.topDictIndex[0], "ROS")


def render_document(data: DocumentData) -> RenderedPdf:
    return write_pdf(document_html(data))
