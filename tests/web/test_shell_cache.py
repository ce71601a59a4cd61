"""The page shell rendered once per what it shows (crowdsafe/web/templatetags/shell.py, issue 19): a warm page is
the same HTML as a cold one for every role and language, renders none of the shell's templates and reverses no
menu URL, and a changed role, staff flag or name shows on the very next page."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.urls import reverse

from crowdsafe.common.rendered import clear_all
from crowdsafe.org.choices import Role
from crowdsafe.org.services import membership_remove
from tests.factories import UserFactory, member
from tests.helpers.templates import rendered_templates

pytestmark = pytest.mark.django_db

SHELL_TEMPLATES = {
    "web/_shell_header.html",
    "web/_shell_nav.html",
    "web/_nav_links.html",
    "web/_language_switch.html",
    "web/_role_badges.html",
    "notifications/_bell.html",
}


def masked(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="X"', html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "X"', html)


def nav_of(html: str) -> list[str]:
    desktop = html[html.index('class="nav-desktop"') :]
    return re.findall(r'data-nav="(\w+)"', desktop)


def get(client, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (200, 404), (url, response.status_code)  # a page outside one's scope: 404
    return masked(response.content.decode())


@pytest.fixture
def everyone(users):
    superuser = UserFactory(username="u_super", is_superuser=True, is_staff=True)
    return {**{role: getattr(users, role) for role in vars(users)}, "superuser": superuser, "nobody": UserFactory()}


def test_a_warm_shell_is_the_cold_shell_for_every_role_page_and_language(everyone, login, city):
    urls = ["/", reverse("org:jurisdiction_list"), reverse("org:department_list"), reverse("my_actions")]
    urls += [reverse("org:jurisdiction_detail", args=[city.street.code]), "/?next=%3Cb%3E&a=1"]
    clients = {name: login(user) for name, user in everyone.items()}
    cold = {}
    for language in ("zh-hans", "en"):
        for name, client in clients.items():
            for url in urls:
                clear_all()
                cold[language, name, url] = get(client, url, language)
    # Warmed by every role on every page, in another order: a key that left out something the shell shows would
    # now hand one role's (or page's, or language's) fragment to another.
    for key in reversed(list(cold)):
        get(clients[key[1]], key[2], key[0])
    for (language, name, url), html in cold.items():
        assert get(clients[name], url, language) == html, (language, name, url)
    assert 'aria-current="page"' in cold["en", "leader", reverse("org:jurisdiction_list")]
    assert "Superuser" in cold["en", "superuser", "/"] and "Superuser" not in cold["en", "leader", "/"]


def test_a_warm_page_renders_no_shell_template_and_reverses_no_menu_url(users, login, monkeypatch):
    from crowdsafe.web import nav

    client = login(users.leader)
    get(client, reverse("org:department_list"), "en")
    reversed_urls = []
    real_reverse = nav.reverse
    monkeypatch.setattr(nav, "reverse", lambda *a, **k: reversed_urls.append(a) or real_reverse(*a, **k))
    with rendered_templates() as names:
        html = get(client, reverse("org:department_list"), "en")
    assert "nav-desktop" in html and "notification-bell" in html and "lang-switch" in html
    assert not SHELL_TEMPLATES & set(names), names
    assert reversed_urls == []


def test_a_new_or_removed_role_changes_the_menu_on_the_next_page(users, login, city):
    officer = users.township_officer
    client = login(officer)
    before = nav_of(get(client, "/", "en"))
    leadership = member(officer, role=Role.LEADER, jurisdiction=city.wenfeng)
    with_leader = nav_of(get(client, "/", "en"))
    assert with_leader != before
    clear_all()
    assert nav_of(get(client, "/", "en")) == with_leader
    membership_remove(membership=leadership, actor=None)
    assert nav_of(get(client, "/", "en")) == before


def test_the_staff_flag_shows_administration_on_the_next_page(users, login):
    client = login(users.leader)
    assert "admin" not in nav_of(get(client, "/", "en"))
    users.leader.is_staff = True
    users.leader.save(update_fields=["is_staff"])
    assert "admin" in nav_of(get(client, "/", "en"))


def test_a_changed_name_shows_at_once_escaped_as_the_template_escapes_it(users, login):
    client = login(users.staff)
    get(client, "/", "en")
    users.staff.full_name = '<b>王 & "李"</b>'
    users.staff.save()
    html = get(client, "/", "en")
    header = html[html.index('class="site-header"') : html.index('id="main"')]
    assert header.count("&lt;b&gt;王 &amp; &quot;李&quot;&lt;/b&gt;") == 2
    assert "<b>王" not in html
    clear_all()
    assert get(client, "/", "en") == html


def test_the_language_switch_returns_to_the_page_asked_for_escaped(users, login):
    client = login(users.staff)
    get(client, "/", "en")
    html = get(client, '/?q=<x>"&a=1', "en")
    assert 'name="next" value="/?q=%3Cx%3E%22&amp;a=1"' in html


def test_shell_once_renders_its_part_with_no_variables():
    template = engines["django"].from_string("{% load shell %}{% shell_once %}[{{ secret }}]{% endshell_once %}")
    assert template.render({"secret": "one user's"}) == "[]"
    assert template.render({"secret": "another's"}) == "[]"
