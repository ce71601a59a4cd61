"""Content-Security-Policy and Permissions-Policy on every response (issue 18 point 2).

The policy itself is proved in a browser (test_csp_browser.py: no violation on the main pages); these tests pin
the headers and keep the templates free of what the policy would block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# The project's templates and those of the apps (alerts/templates/ …).
TEMPLATE_DIRS = [ROOT / "templates", *(p for p in ROOT.glob("*/templates") if p.parent.name != ".venv")]
# Not web pages: documents rendered to PDF by WeasyPrint, and emails (mail clients ignore the header). The API docs
# pages' inline code carries the nonce (tested below).
NOT_PAGES = re.compile(r"(notices/documents|[a-z_]+/emails?|drf_spectacular)/")
INLINE = [
    ("an inline style attribute", re.compile(r"""\sstyle\s*=\s*["']""", re.I)),
    ("a style element", re.compile(r"<style[\s>]", re.I)),
    ("an event handler attribute", re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)),
    ("a javascript: URL", re.compile(r"javascript:", re.I)),
    # An executable script element without src: only JSON data blocks (json_script) may be inline.
    ("an inline script", re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)),
]


def csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


def test_every_web_page_template_is_free_of_inline_code():
    found = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            if NOT_PAGES.match(path.relative_to(folder).as_posix()):
                continue
            text = path.read_text(encoding="utf-8")
            for what, pattern in INLINE:
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


@pytest.mark.django_db
def test_the_sign_in_page_has_a_strict_policy_and_denies_the_powerful_features(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce: this page has no inline code
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]

    features = dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))
    assert features["geolocation"] == "(self)"
    for feature in ("camera", "microphone", "payment", "usb", "display-capture"):
        assert features[feature] == "()"


@pytest.mark.django_db
def test_static_files_json_and_errors_carry_the_headers_too(client, users):
    for response in (client.get("/healthz"), client.get("/api/v1/me/"), client.get("/no-such-page/")):
        assert "Content-Security-Policy" in response.headers
        assert "Permissions-Policy" in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_pages_run_their_inline_code_by_the_nonce_of_that_response(client, users, url):
    client.login(username=users.staff.username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    nonces = [v for v in csp(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1 and nonces == [v for v in csp(response)["style-src"] if v.startswith("'nonce-")]
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    inline = re.findall(r"<(script|style)(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the docs pages have inline code to check"
    for _tag, attributes in inline:
        assert f'nonce="{nonce}"' in attributes
    assert "fonts.googleapis.com" not in html
    # A second response, a new nonce.
    assert client.get(url).headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]
