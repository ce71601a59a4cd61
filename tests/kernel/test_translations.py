"""The zh_Hans catalogue (locale/zh_Hans/LC_MESSAGES/django.po) is complete and well-formed, and the UI speaks it.

Adding a translatable string without translating it fails ``test_every_msgid_in_the_code_is_translated``, which
names the missing msgids. To fix it::

    DEBUG=true .venv/bin/python manage.py makemessages -l zh_Hans --no-obsolete \\
        -i ".venv/*" -i "node_modules/*" -i "var/*" -i "static/vendor/*"

then fill in the empty (and "#, fuzzy") entries of locale/zh_Hans/LC_MESSAGES/django.po in Chinese and commit it.
The compiled .mo is not committed: the image build compiles it (``compilemessages``), and these tests compile
their own copy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
CATALOGUE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The patterns the catalogue is generated with (see the module docstring).
IGNORE_PATTERNS = [".venv/*", "node_modules/*", "var/*", "static/vendor/*"]
# Top-level entries not mirrored: the catalogue itself, and folders the ignore patterns leave out anyway (hidden
# ones, such as .venv and .git, makemessages always leaves out).
NOT_MIRRORED = {"locale", "node_modules", "var"}

requires_gettext = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("xgettext") and shutil.which("msgmerge")),
    reason="GNU gettext is not installed (scripts/test installs it: apt-get install gettext)",
)


# --- A minimal PO reader (the project has no polib) ------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def read_po(path: Path) -> dict[tuple[str | None, str], dict]:
    """{(msgctxt, msgid): {"msgstr": [str, ...], "fuzzy": bool, "refs": str}} of a .po file, header and obsolete
    (#~) entries left out."""
    entries = {}
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: list[str] = []
        refs: list[str] = []
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                key = None
                break
            if line.startswith("#,"):
                flags += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#:"):
                refs.append(line[2:].strip())
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[key] += _unquote(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = _unquote(value)
        if "msgid" not in fields or (fields["msgid"] == "" and "msgctxt" not in fields):
            continue  # the header, or an obsolete entry
        msgstrs = [value for name, value in fields.items() if name == "msgstr" or name.startswith("msgstr[")]
        entries[(fields.get("msgctxt"), fields["msgid"])] = {
            "msgstr": msgstrs,
            "fuzzy": "fuzzy" in flags,
            "refs": " ".join(refs),
        }
    return entries


def _describe(key: tuple[str | None, str], refs: str) -> str:
    context, msgid = key
    where = f"  ({refs})" if refs else ""
    return (f"[{context}] " if context else "") + repr(msgid) + where


# --- (a) every msgid in the code has a translation --------------------------------------------------------------


@requires_gettext
def test_every_msgid_in_the_code_is_translated(tmp_path, monkeypatch):
    """Run makemessages over a mirror of the project (symlinks to its source folders) whose locale folder is a
    copy of the committed one, so the real catalogue is never touched; then look every msgid found up in the
    committed catalogue."""
    assert CATALOGUE.exists(), f"{CATALOGUE.relative_to(BASE_DIR)} is missing"
    mirror = tmp_path / "project"
    mirror.mkdir()
    for entry in BASE_DIR.iterdir():
        if entry.name not in NOT_MIRRORED and not entry.name.startswith("."):
            (mirror / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    shutil.copytree(LOCALE_DIR, mirror / "locale")
    generated = mirror / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    # A probe entry no code has: makemessages drops it (--no-obsolete) when it really rewrites the catalogue, so
    # this test cannot pass by reading back the untouched copy.
    probe = "crowdsafe-makemessages-probe"
    with generated.open("a", encoding="utf-8") as po:
        po.write(f'\nmsgid "{probe}"\nmsgstr "{probe}"\n')
    monkeypatch.chdir(mirror)
    with override_settings(LOCALE_PATHS=[mirror / "locale"]):
        call_command(
            "makemessages",
            locale=["zh_Hans"],
            ignore_patterns=IGNORE_PATTERNS,
            no_obsolete=True,
            symlinks=True,
            verbosity=0,
        )

    assert probe not in generated.read_text(encoding="utf-8"), "makemessages did not rewrite the catalogue"
    found = read_po(generated)
    committed = read_po(CATALOGUE)
    assert len(found) > 500, f"makemessages found only {len(found)} msgids: did it scan the project?"
    untranslated = []
    fuzzy = []
    for key, entry in sorted(found.items(), key=lambda item: (item[0][1], item[0][0] or "")):
        have = committed.get(key)
        if have is None or not have["msgstr"] or not all(s.strip() for s in have["msgstr"]):
            untranslated.append(_describe(key, entry["refs"]))
        elif have["fuzzy"]:
            fuzzy.append(_describe(key, entry["refs"]))
    problems = []
    if untranslated:
        problems.append(f"{len(untranslated)} msgid(s) have no Chinese translation:\n  " + "\n  ".join(untranslated))
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} translation(s) are marked fuzzy (check them, then drop the flag):\n  " + "\n  ".join(fuzzy)
        )
    assert not problems, (
        f"{CATALOGUE.relative_to(BASE_DIR)} is out of date.\n"
        + "\n".join(problems)
        + "\nRun makemessages (see tests/kernel/test_translations.py) and translate these entries."
    )


def test_the_catalogue_says_what_it_is():
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert '"Language: zh_Hans\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header
    assert "#, fuzzy" not in header


def test_translations_keep_their_placeholders_and_tags():
    """msgfmt checks python-format placeholders; this also covers {name} placeholders and HTML tags, and plural
    entries against both English forms."""
    token = re.compile(r"%\(\w+\)[sdrf]|%[sd]|\{\w*\}|</?\w+[^>]*>")
    text = CATALOGUE.read_text(encoding="utf-8")
    mismatched = []
    for block in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"') and key:
                fields[key] += _unquote(line)
            elif line.strip():
                key, _, value = line.partition(" ")
                fields[key] = _unquote(value)
        if not fields.get("msgid"):
            continue
        sources = [fields["msgid"]] + ([fields["msgid_plural"]] if "msgid_plural" in fields else [])
        for name, translation in fields.items():
            if not name.startswith("msgstr") or not translation:
                continue
            for source in sources:
                if sorted(token.findall(source)) != sorted(token.findall(translation)):
                    mismatched.append(f"{source!r} → {translation!r}")
    assert not mismatched, "Placeholders or tags differ:\n  " + "\n  ".join(mismatched)


# --- (b) msgfmt --check ------------------------------------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt is missing (scripts/test installs gettext)")
def test_msgfmt_check_passes_with_nothing_untranslated_or_fuzzy():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C", "LANGUAGE": ""},
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert "translated message" in statistics, statistics
    assert "untranslated" not in statistics, statistics
    assert "fuzzy" not in statistics, statistics


# --- (c) the pages speak Chinese ---------------------------------------------------------------------------------


@pytest.fixture
def compiled_locale(tmp_path):
    """LOCALE_PATHS pointing at a freshly compiled copy of the committed catalogue (the .mo is not committed)."""
    if shutil.which("msgfmt"):
        target = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(CATALOGUE)], check=True)
        paths = [tmp_path / "locale"]
    elif CATALOGUE.with_suffix(".mo").exists():
        paths = [LOCALE_DIR]
    else:
        pytest.skip("msgfmt is missing and no compiled catalogue exists (scripts/test installs gettext)")
    with override_settings(LOCALE_PATHS=paths):
        yield paths


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_to_a_chinese_browser(client, compiled_locale):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert "人员聚集安全管理平台" in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_by_default(client, compiled_locale):
    html = client.get(reverse("login")).content.decode()  # no Accept-Language: the site language, zh-hans
    assert "登录" in html


@pytest.mark.django_db
def test_the_login_page_speaks_english_to_an_english_browser(client, compiled_locale):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html
    assert "登录" not in html
