"""Rendering an official document: HTML from the kind's template, then a PDF with WeasyPrint.

The layout follows GB/T 9704-2012 (templates/notices/documents/): A4, text block 156 × 225 mm, red issuer header
and rule, number, title, recipient, body in Noto Serif CJK SC at 16 pt (3号), signature and date, 版记 with the
copy-to list, page numbers "— N —". Fonts are the system's fonts-noto-cjk, named in the CSS and subset with
HarfBuzz to the glyphs the document uses, embedded as compact CID-keyed CFF (below): a two-page decision is about
55 KB.

A draft (草稿) is the same document without number, QR code, seal or date, watermarked 草稿; an issued document
carries its QR code and verification code, and the issuer's seal image when an administrator uploaded one —
otherwise a plain 电子副本 (electronic copy) mark. No seal is ever drawn.
"""

from __future__ import annotations

import base64
import contextvars
import datetime as dt
import importlib.metadata
import io
import logging
import struct
import threading
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
    """Print the HTML to PDF. Nothing is fetched (images are data URIs); fonts are embedded as compact subsets."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["data"])
    document = HTML(string=html, url_fetcher=fetcher).render(font_config=_font_config())
    output = io.BytesIO()
    token = _COMPACT_FONTS.set(True)
    try:
        document.write_pdf(output, finisher=compact_cid_fonts)
    finally:
        _COMPACT_FONTS.reset(token)
    return RenderedPdf(content=output.getvalue(), pages=len(document.pages))


_thread_state = threading.local()


def _font_config():
    """One WeasyPrint font configuration per thread, kept between documents: building it (a Pango font map over
    fontconfig, the Noto CJK faces loaded) is half the time of a fresh render. The documents declare no
    @font-face, so nothing of one document stays behind for the next. Per thread, because Pango's font map is not
    thread-safe."""
    config = getattr(_thread_state, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _thread_state.font_config = FontConfiguration()
    return config


# --- compact CID fonts -------------------------------------------------------------------------------------
#
# WeasyPrint subsets fonts with HarfBuzz but keeps every glyph id (RETAIN_GIDS), because its PDF refers to glyphs
# by their ids. For Noto Serif CJK SC that leaves 65,000 empty glyphs and their metrics in each embedded font —
# about 200 KB compressed per font, and 0.1 s of subsetting per document. Noto CJK fonts are CID-keyed CFF with
# CID = glyph id, and a CID-keyed CFF maps CIDs to glyphs through its charset, which HarfBuzz keeps when it
# renumbers glyphs. So, while one of our documents is written, a CID-keyed CFF font is subset to its used glyphs
# without keeping their ids, and the PDF embeds only its CFF table (FontFile3 /CIDFontType0C): the content
# streams, widths (/W) and ToUnicode maps, all keyed by CID, stay valid. Other fonts (TrueType, name-keyed CFF)
# and other uses of WeasyPrint in the process are left exactly as WeasyPrint does them.

# Tables WeasyPrint's layout has already used: the PDF needs only the glyph outlines.
_DROPPED_TABLES = (b"BASE", b"GDEF", b"GPOS", b"GSUB", b"JSTF", b"VORG", b"vhea", b"vmtx")
_COMPACT_FONTS: contextvars.ContextVar[bool] = contextvars.ContextVar("notices_compact_fonts", default=False)


# The versions the replaced internals were written for and read against: WeasyPrint's ``Font.subset(self,
# to_unicode, hinting)``, ``Font.hb_face``/``glyph_count``/``tables``/``file_content``, ``get_hb_object_data(hb_object,
# ot_color, glyph)``, its HarfBuzz bindings (weasyprint.text.ffi) and the finisher's ``pdf.objects``; fontTools'
# ``CFFFontSet.decompile`` and the ROS operator of a top dict. With any other version the patch is not applied
# (documents are then larger and slower, not wrong) and an error is logged; tests/notices/test_weasyprint_patch.py
# fails until someone has re-read those internals in the new version and updated this table.
PATCHED_FOR = {"weasyprint": "70.0", "fonttools": "4.69.1"}


def installed_versions() -> dict[str, str]:
    """The installed versions of the distributions named in ``PATCHED_FOR``."""
    return {name: importlib.metadata.version(name) for name in PATCHED_FOR}


def _install_compact_subset() -> bool:
    """Wrap ``weasyprint.pdf.fonts.Font.subset`` and ``get_hb_object_data``: inside ``write_pdf`` only, a CID-keyed
    CFF font is read without a copy and subset compactly; anything else goes to WeasyPrint's own code. Only for the
    versions in ``PATCHED_FOR``; returns whether the patch is in place."""
    found = installed_versions()
    if found != PATCHED_FOR:
        logger.error(
            "Compact CID fonts are off: notices/rendering.py patches WeasyPrint internals written for %s, but %s "
            "is installed. Re-check the patch against the new version, then update PATCHED_FOR.",
            ", ".join(f"{name} {version}" for name, version in PATCHED_FOR.items()),
            ", ".join(f"{name} {version}" for name, version in found.items()),
        )
        return False
    from weasyprint.pdf import fonts as weasy_fonts

    original = getattr(weasy_fonts.Font, "subset", None)
    if original is None:
        logger.error("Compact CID fonts are off: weasyprint.pdf.fonts.Font has no subset method.")
        return False
    if getattr(original, "notices_compact", False):
        return True

    def subset(self, to_unicode, hinting):
        if _COMPACT_FONTS.get() and to_unicode and "CFF " in getattr(self, "tables", ()):
            glyphs = sorted({0, *(g for g in to_unicode if g < self.glyph_count)})
            compact = _compact_subset(self.hb_face, glyphs)
            if compact is not None:
                self.file_content = compact
                self.notices_compact = True
                return
        original(self, to_unicode, hinting)

    subset.notices_compact = True  # type: ignore[attr-defined]  # a mark on the function: installed once
    weasy_fonts.Font.subset = subset

    # WeasyPrint copies each font's whole file into Python bytes when it meets the font (Font.__init__): for the
    # Noto CJK collections that is 73 MB and 0.15 s per document, only for the subset above to throw it away.
    # While one of our documents is written, a CFF font's data is handed over as a view of HarfBuzz's memory
    # instead (valid as long as the face, which the Font object holds); other fonts are copied as before.
    original_data = weasy_fonts.get_hb_object_data

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and _COMPACT_FONTS.get():
            view = _face_view(hb_object)
            if view is not None:
                return view
        return original_data(hb_object, ot_color, glyph)

    weasy_fonts.get_hb_object_data = get_hb_object_data
    return True


def _face_view(hb_face):
    """The font file of a CFF face as a zero-copy buffer, or None for other faces."""
    from weasyprint.text.ffi import ffi, harfbuzz

    table = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    has_cff = harfbuzz.hb_blob_get_length(table) > 0
    harfbuzz.hb_blob_destroy(table)
    if not has_cff:
        return None
    blob = harfbuzz.hb_face_reference_blob(hb_face)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        return None if data == ffi.NULL else ffi.buffer(data, length[0])
    finally:
        harfbuzz.hb_blob_destroy(blob)  # the face keeps its own reference to the blob


def _compact_subset(hb_face, glyphs: list[int]) -> bytes | None:
    """The font reduced to ``glyphs``, renumbered, as an OpenType (CFF) font — or None unless it is CID-keyed."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset

    if not harfbuzz_subset:
        return None
    subset_input = harfbuzz_subset.hb_subset_input_create_or_fail()
    if subset_input == ffi.NULL:
        return None
    subset_input = ffi.gc(subset_input, harfbuzz_subset.hb_subset_input_destroy)
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyph_set, ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs), len(glyphs))
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
    blob = harfbuzz.hb_face_reference_blob(face)
    try:
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        font = bytes(ffi.buffer(data, length[0])) if length[0] else b""
    finally:
        harfbuzz.hb_blob_destroy(blob)
    cff = _sfnt_table(font, b"CFF ")
    return font if cff is not None and _is_cid_keyed(cff) else None


def _sfnt_table(font: bytes, tag: bytes) -> bytes | None:
    """One table of an OpenType font, read from its table directory."""
    if len(font) < 12:
        return None
    (count,) = struct.unpack(">H", font[4:6])
    for i in range(count):
        record = font[12 + 16 * i : 28 + 16 * i]
        if record[:4] == tag:
            offset, length = struct.unpack(">II", record[8:16])
            return font[offset : offset + length]
    return None


def compact_cid_fonts(document, pdf) -> None:
    """WeasyPrint's finisher: embed the compact CID-keyed fonts as bare CFF (FontFile3 /CIDFontType0C)."""
    compact = {id(font.file_content) for font in document.fonts.values() if getattr(font, "notices_compact", False)}
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if not extra or extra.get("Subtype") != "/OpenType" or len(getattr(obj, "stream", ())) != 1:
            continue
        if id(obj.stream[0]) in compact:
            cff = _sfnt_table(obj.stream[0], b"CFF ")
            if cff is not None:
                obj.stream = [cff]
                extra["Subtype"] = "/CIDFontType0C"


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


COMPACT_FONTS_INSTALLED = _install_compact_subset()
