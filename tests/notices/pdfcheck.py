"""Reading a rendered PDF back: its text (pypdf), its first page as an image (pdftoppm), and which characters its
embedded fonts really draw.

The glyph check. For every font of the PDF, the ToUnicode map says which character each glyph (CID) stands for,
and the embedded font program says whether that glyph exists and has an outline. A character is *covered* when
some embedded Noto CJK font draws it with a real outline. A character that no font had (WeasyPrint then points
at a glyph id past the end of the font, which prints as an empty box or nothing), a glyph without outline, or a
character that fell back to another font (DejaVu) is not covered — so the check fails for exactly the "tofu"
cases a reader would see.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

NAMED_FONTS = ("Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def compact(text: str) -> str:
    """Text without any whitespace, so that words broken over lines are found whole."""
    return re.sub(r"\s+", "", text)


def page_image(content: bytes, page: int = 1, dpi: int = 50) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(content)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                source,
                Path(tmp) / "p",
            ],
            check=True,
            capture_output=True,
        )
        return Image.open(Path(tmp) / "p.png").convert("RGB").copy()


def red_share(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of clearly red pixels among the non-white pixels of ``box`` (left, top, right, bottom)."""
    region = image.crop(box)
    inked = red = 0
    for r, g, b in region.get_flattened_data():
        if r > 235 and g > 235 and b > 235:
            continue
        inked += 1
        if r - g > 60 and r - b > 60:  # red, or the pink of a red edge smoothed against white
            red += 1
    return red / inked if inked else 0.0


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels of ``box`` that are black or grey ink (dark and not red)."""
    return sum(1 for r, g, b in image.crop(box).get_flattened_data() if max(r, g, b) < 120)


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    return "".join(parser.parts)


@dataclass
class FontReport:
    name: str
    drawn: set[str] = field(default_factory=set)  # characters with a real glyph
    undrawn: set[str] = field(default_factory=set)  # characters mapped to a missing or empty glyph


def _to_unicode(stream) -> dict[int, str]:
    data = stream.get_data().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(cid, 16)] = bytes.fromhex(text).decode("utf-16-be") if text else ""
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for start, end, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = int(text, 16)
            for offset, cid in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[cid] = chr(first + offset)
    return mapping


def _glyphs_with_outline(descriptor) -> dict[int, bool]:
    """CID → whether the embedded font draws something for it."""
    for key in ("/FontFile3", "/FontFile2"):
        if key in descriptor:
            stream = descriptor[key].get_object()
            data = stream.get_data()
            subtype = stream.get("/Subtype")
            break
    else:
        return {}
    if subtype == "/CIDFontType0C":
        fontset = CFFFontSet()
        fontset.decompile(io.BytesIO(data), None)
        top = fontset.topDictIndex[0]
        strings = top.CharStrings
        result = {}
        for name in top.charset:
            cid = 0 if name == ".notdef" else int(name[3:])
            charstring = strings[name]
            charstring.decompile()
            result[cid] = cid != 0 and _has_outline(charstring.program)
        return result
    font = TTFont(io.BytesIO(data))
    glyph_set = font.getGlyphSet()
    order = font.getGlyphOrder()
    result = {}
    for gid, name in enumerate(order):
        bounds = glyph_set[name]
        from fontTools.pens.boundsPen import BoundsPen

        pen = BoundsPen(glyph_set)
        bounds.draw(pen)
        result[gid] = gid != 0 and pen.bounds is not None
    return result


def _has_outline(program) -> bool:
    drawing = {
        "rlineto", "hlineto", "vlineto", "rrcurveto", "rcurveline", "rlinecurve", "vvcurveto", "hhcurveto",
        "vhcurveto", "hvcurveto", "flex", "hflex", "hflex1", "flex1", "callsubr", "callgsubr",
    }  # fmt: skip
    return any(op in drawing for op in program if isinstance(op, str))


def font_reports(content: bytes) -> list[FontReport]:
    reader = PdfReader(io.BytesIO(content))
    reports: dict[str, FontReport] = {}
    for page in reader.pages:
        for font_ref in page["/Resources"]["/Font"].values():
            font = font_ref.get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            report = reports.setdefault(name, FontReport(name=name))
            descendant = font["/DescendantFonts"][0].get_object()
            outlines = _glyphs_with_outline(descendant["/FontDescriptor"].get_object())
            for cid, text in _to_unicode(font["/ToUnicode"].get_object()).items():
                target = report.drawn if outlines.get(cid, False) else report.undrawn
                target.update(text)
    return list(reports.values())


def uncovered_characters(content: bytes, text: str) -> set[str]:
    """Characters of ``text`` (whitespace aside) that no embedded Noto CJK font of the PDF draws."""
    covered: set[str] = set()
    for report in font_reports(content):
        if report.name.startswith(NAMED_FONTS):
            covered |= report.drawn
    return {ch for ch in text if not ch.isspace() and ch not in covered}
