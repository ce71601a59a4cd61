"""notices/rendering.py replaces two WeasyPrint internals (compact CID fonts). They are applied only for the
WeasyPrint and fontTools versions they were written for; a new version of either fails here, loudly, so the next
engineer re-reads the patch before the pin moves."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from weasyprint.pdf import fonts as weasy_fonts

from notices import rendering

ROOT = Path(__file__).resolve().parents[2]


def test_weasyprint_and_fonttools_are_the_versions_the_font_patch_was_written_for():
    found = rendering.installed_versions()
    assert found == rendering.PATCHED_FOR, (
        f"WeasyPrint or fontTools changed ({found}, the patch was written for {rendering.PATCHED_FOR}). "
        "notices/rendering.py replaces Font.subset and get_hb_object_data in weasyprint.pdf.fonts and reads "
        "fontTools' CFF top dict: re-read those internals in the new version, run tests/notices, and update "
        "PATCHED_FOR (or drop the patch)."
    )


def test_the_pins_in_pyproject_are_the_versions_the_font_patch_was_written_for():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {line.split("==")[0].lower(): line.split("==")[1] for line in dependencies if "==" in line}
    assert {name: pins[name] for name in rendering.PATCHED_FOR} == rendering.PATCHED_FOR


def test_with_the_pinned_versions_the_patch_is_in_place():
    assert rendering.COMPACT_FONTS_INSTALLED is True
    assert getattr(weasy_fonts.Font.subset, "notices_compact", False)
    assert weasy_fonts.get_hb_object_data.__module__ == "notices.rendering"


def test_with_another_version_the_patch_is_not_applied_and_an_error_names_both_versions(monkeypatch, caplog):
    monkeypatch.setattr(rendering, "installed_versions", lambda: {"weasyprint": "71.0", "fonttools": "4.69.1"})
    subset, data = weasy_fonts.Font.subset, weasy_fonts.get_hb_object_data
    with caplog.at_level(logging.ERROR, logger="notices.rendering"):
        assert rendering._install_compact_subset() is False
    assert "weasyprint 70.0" in caplog.text and "weasyprint 71.0" in caplog.text
    assert (weasy_fonts.Font.subset, weasy_fonts.get_hb_object_data) == (subset, data)


def test_installing_twice_leaves_one_patch():
    subset = weasy_fonts.Font.subset
    assert rendering._install_compact_subset() is True
    assert weasy_fonts.Font.subset is subset
