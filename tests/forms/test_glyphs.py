"""No pictographic emoji in the page templates (issue 20 point 3): the "📷" before a photo's name in the inspection
table drew a blank box on machines whose fonts (the CJK ones included) have no colour emoji; the kind of an
attachment is said in words."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

EMOJI = re.compile("[\U0001f000-\U0001faff\ufe0f]")


def test_no_template_draws_an_emoji():
    root = Path(settings.BASE_DIR) / "templates"
    found = [
        f"{path.relative_to(root)}:{number}: {EMOJI.search(line).group()}"  # type: ignore[union-attr]
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert found == []


def test_the_inspection_table_says_photo_in_words():
    text = (Path(settings.BASE_DIR) / "templates/permits/_after.html").read_text(encoding="utf-8")
    assert '<span class="attachment-kind">{% translate "Photo" %}</span> {{ p.original_name }}' in text
