"""Which characters an official document can print: those of the body font, Noto Serif CJK SC (Debian's
fonts-noto-cjk), found through fontconfig as WeasyPrint finds it.

``notice_issue`` refuses text with a character the font lacks (an emoji, a private-use character, a rare 生僻字
outside the font) rather than print a blank box or a glyph from another font in a legal document: the user is
told which character to write another way.
"""

from __future__ import annotations

import functools
import logging
import subprocess

logger = logging.getLogger(__name__)

BODY_FONT = "Noto Serif CJK SC"


@functools.cache
def printable_codepoints() -> frozenset[int] | None:
    """The code points of the body font's character map, read once per process (about 0.2 s); None when the font
    cannot be found (then nothing is refused here, and the rendering shows what it can)."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{file}\n%{index}", BODY_FONT],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.split("\n")
        family, path, index = found[0], found[1], int(found[2] or 0)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        logger.warning("fontconfig could not find %s; printable characters are not checked", BODY_FONT)
        return None
    if BODY_FONT not in family.split(","):
        logger.warning("%s is not installed (fontconfig offers %s); install fonts-noto-cjk", BODY_FONT, family)
        return None
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    return frozenset(font.getBestCmap())


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` the body font cannot print, each once, in order."""
    codepoints = printable_codepoints()
    if codepoints is None:
        return []
    seen: list[str] = []
    for ch in text:
        if not ch.isspace() and ord(ch) not in codepoints and ch not in seen:
            seen.append(ch)
    return seen
