"""No internal codes on any page (issue 20 point 2): every demo role walks the pages reachable from its menu and the
demo objects' pages, in zh-Hans, and the visible text holds no English state code, model field name or permission
codename.

The demo city is loaded once for the module the way ``scripts/run`` loads it (the ``seed_demo*`` commands it runs,
in its order), inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from crowdsafe.org import demo_data

RUN_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run"
PROJECT_APPS = ("crowdsafe.", "venues.", "events.", "permits.", "risk.", "drills.", "duties.", "notices.")
PROJECT_APPS += ("notifications.", "alerts.", "monitoring.", "response.", "dashboard.")

# Pages a role may visit per walk, and variants of one path (its query strings: filters, pages, tabs).
MAX_PAGES = 120
MAX_VARIANTS_PER_PATH = 2
# Not pages of the site's own UI: the admin (a tool for administrators, in Django's own wording), the API and
# its documentation (codes are its vocabulary), files, and signing out.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/media/", "/accounts/logout/", "/i18n/", "/__")
SKIPPED_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".docx", ".ics", ".json", ".png", ".jpg", ".svg")
SKIPPED_FRAGMENTS = ("/download", "/file", "/attachment", "/export", "/pdf", "/preview")

# English words that are also choice values or field names and are legitimately shown as they are: names of
# formats and standards, units, and words that no Chinese page would use as a code.
ALLOWED = {"pdf", "api", "csv", "xlsx", "url", "email", "json", "http", "https", "www", "admin"}


def _demo_commands() -> list[str]:
    """The seed commands of ``scripts/run``, in its order."""
    return re.findall(r"^python manage\.py (seed_demo\w*)$", RUN_SCRIPT.read_text(), flags=re.MULTILINE)


def _project_models():
    return [m for m in apps.get_models() if m.__module__.startswith(PROJECT_APPS)]


def _choice_values() -> set[str]:
    values = set()
    for model in _project_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{2,}", value):
                    values.add(value)
    return values


def _field_names() -> set[str]:
    """Field names with an underscore (one-word names such as ``name`` are ordinary English and never shown
    untranslated on a Chinese page; two-word ones are unmistakably code)."""
    names = set()
    for model in _project_models():
        for field in model._meta.get_fields():
            if "_" in field.name.strip("_"):
                names.add(field.name)
    return names


def _codenames() -> set[str]:
    return set(Permission.objects.values_list("codename", flat=True))


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes outside scripts, styles and code samples, and the attributes
    read aloud or shown (title, alt, placeholder, aria-label)."""

    HIDDEN = {"script", "style", "code", "pre", "template", "noscript"}
    SPOKEN = ("title", "alt", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in self.SPOKEN:
            if attributes.get(name):
                self.parts.append(attributes[name])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


URL_RE = re.compile(r"(https?://\S+|(?<!\w)/[\w\-./?=&%#]+)")


def visible_text(html: str) -> tuple[str, list[str]]:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts), parser.links


def find_codes(text: str, forbidden: dict[str, str]) -> list[str]:
    """The forbidden words in ``text``, outside URLs and paths (``/tasks/?status=open``) and e-mail addresses."""
    text = URL_RE.sub(" ", text)
    words = set(re.findall(r"(?<![A-Za-z0-9_\-.@])[a-z][a-z0-9_]*[a-z0-9](?![A-Za-z0-9_\-@])", text))
    return sorted(f"{word} ({forbidden[word]})" for word in words if word in forbidden)


def walk(client: Client, start: str = "/") -> tuple[dict[str, str], list[str]]:
    """Visit the site from ``start`` (links on the same site, GET only, bounded): the visible text of each page
    (each page parsed once, for its links and its text), and the pages that answered with a server error."""
    seen_paths: dict[str, int] = {}
    queue, visited = deque([start]), {}
    errors = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            visited[url] = ""
            continue
        text, links = visible_text(response.content.decode())
        visited[url] = text
        for href in links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            path = parts.path
            if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
                continue
            if any(fragment in path for fragment in SKIPPED_FRAGMENTS):
                continue
            target = path + (f"?{parts.query}" if parts.query else "")
            if target in visited or target in queue:
                continue
            if parts.query:
                if seen_paths.get(path, 0) >= MAX_VARIANTS_PER_PATH:
                    continue
                seen_paths[path] = seen_paths.get(path, 0) + 1
            queue.append(target)
    return visited, errors


def demo_usernames() -> dict[str, str]:
    """One demo user per role (the first of each in ``DEMO_USERS``)."""
    users: dict[str, str] = {}
    for spec in demo_data.DEMO_USERS:
        users.setdefault(str(spec["role"]), spec["username"])
    return users


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        for command in _demo_commands():
            call_command(command, verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
        forbidden = dict.fromkeys(_choice_values(), "state/choice code")
        forbidden.update(dict.fromkeys(_field_names(), "field name"))
        forbidden.update(dict.fromkeys(_codenames(), "permission codename"))
        for word in ALLOWED:
            forbidden.pop(word, None)
        yield forbidden
        transaction.set_rollback(True)


def test_the_demo_is_loaded_like_scripts_run():
    commands = _demo_commands()
    assert commands[0] == "seed_demo"
    assert {"seed_demo_permits", "seed_demo_events", "seed_demo_risk"} <= set(commands)


def test_the_word_lists_catch_what_the_issue_saw():
    text, _ = visible_text(
        "<p>open → done</p><p>起算日为对象的rectification_deadline</p><span>授予权限 view_permitapplication</span>"
        "<script>var open = 1;</script><code>{year}</code><a href='/tasks/?status=open'>任务</a>"
    )
    forbidden = {"open": "code", "done": "code", "rectification_deadline": "field", "view_permitapplication": "perm"}
    assert find_codes(text, forbidden) == [
        "done (code)",
        "open (code)",
        "rectification_deadline (field)",
        "view_permitapplication (perm)",
    ]
    assert find_codes("打开 /tasks/?status=open 页面 demo_grid@example.com", forbidden) == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(demo_usernames()))
def test_no_page_shows_internal_codes(demo, role):
    username = demo_usernames()[role]
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    pages, errors = walk(client)
    assert len(pages) > 5, f"{username} reached only {list(pages)}"
    found = {}
    for url, text in pages.items():
        if not text:
            continue
        codes = find_codes(text, demo)
        if codes:
            found[url] = codes
    assert errors == []
    assert found == {}, "\n".join(f"{url}: {', '.join(codes)}" for url, codes in found.items())
